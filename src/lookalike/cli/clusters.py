"""Cluster commands: clusters, representatives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import CollectionArg, ModelOpt, command
from lookalike.cli._output import (
    FIGURE_SUFFIXES,
    Col,
    FormatOpt,
    Output,
    SeedOpt,
    save_figure,
    save_frame,
)

# -- clusters ----------------------------------------------------------------------------


def _parse_scan(spec: str) -> range:
    """``START:STOP:STEP`` (STOP included when the steps land on it) -> range."""
    try:
        start, stop, step = (int(part) for part in spec.split(":"))
    except ValueError:
        msg = f"--scan should look like START:STOP:STEP (e.g. 2:40:2); got {spec!r}."
        raise ValueError(msg) from None
    if step < 1:
        raise ValueError(f"--scan STEP should be >= 1; got {step}.")
    return range(start, stop + 1, step)


@command()
def clusters(
    collection: CollectionArg,
    k: Annotated[int, typer.Option("-k", help="Number of clusters.")] = 10,
    scan: Annotated[
        str | None,
        typer.Option(help="Scan k over START:STOP:STEP instead, and suggest k (the elbow)."),
    ] = None,
    model: ModelOpt = None,
    seed: SeedOpt = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Save: .csv/.json (one row per image, or per k with --scan) or a figure.",
        ),
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """k-medoids clusters (cosine distance): a table of clusters (--format csv/json: one
    row per cluster); --out clusters.csv has one row per image (cluster, path,
    is_medoid, medoid_path, id). With --scan, the k-selection curves."""
    show = Output(format)
    col = lookalike.open(collection)
    if scan is not None:
        ks = _parse_scan(scan)
        result = col.scan_k(ks, model=model, random_state=seed)
        frame = result.to_frame()
        frame["elbow"] = frame["k"] == result.elbow
        if show.machine:
            show.frame(frame, [])
        else:
            show.text(str(result))
        if out is not None and out.suffix.lower() in FIGURE_SUFFIXES:
            save_figure(col.show_elbow(ks, model=model, random_state=seed), out, show)
        elif out is not None:
            save_frame(frame, out)
            show.saved(out)
        return
    found = col.clusters(k, model=model, random_state=seed)
    uris = col.images().set_index("id")["uri"]
    summary = found.summary().rename(columns={"medoid": "medoid_id"})
    summary.insert(2, "medoid_path", summary["medoid_id"].map(uris))
    summary = summary.sort_values("size", ascending=False, kind="stable")
    show.frame(
        summary,
        [
            Col("cluster", "cluster", "int"),
            Col("size", "size", "int"),
            Col("medoid_path", "medoid (its most central image)", "path"),
        ],
        title=str(found).split(";")[0],
    )
    if out is not None and out.suffix.lower() in FIGURE_SUFFIXES:
        save_figure(col.show_representatives(k, model=model, random_state=seed), out, show)
    elif out is not None:
        frame = found.to_frame()
        medoids = dict(zip(summary["cluster"], summary["medoid_path"], strict=True))
        frame.insert(0, "path", frame["id"].map(uris))
        frame["medoid_path"] = frame["cluster"].map(medoids)
        save_frame(frame[["cluster", "path", "is_medoid", "medoid_path", "id"]], out)
        show.saved(out)


@command()
def representatives(
    collection: CollectionArg,
    k: Annotated[int, typer.Option("-k", help="Number of clusters.")] = 10,
    model: ModelOpt = None,
    seed: SeedOpt = 0,
    ncols: Annotated[int | None, typer.Option(help="Images per row (default: at most 5).")] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The figure to save (.png, .jpg, .pdf, .svg).")
    ] = Path("representatives.png"),
) -> None:
    """The medoid image of each of K clusters, in a grid (largest cluster first), named,
    with the cluster sizes."""
    col = lookalike.open(collection)
    save_figure(col.show_representatives(k, model=model, random_state=seed, ncols=ncols), out)
