"""Cluster, map and model comparison commands: clusters, representatives, map, compare."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import lookalike
from lookalike.cli._app import CollectionArg, ModelOpt, command, console

# -- clusters, maps and model comparison (issue 8) -------------------------------------

FIGURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf", ".svg")
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")]


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


def _save_figure(fig, out: Path) -> None:
    fig.savefig(out, dpi=100)
    console.print(f"saved {out}")


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
            "--out", "-o", help="Save: .csv (one row per image, or per k with --scan) or a figure."
        ),
    ] = None,
) -> None:
    """k-medoids clusters (cosine distance): a table of clusters; --out clusters.csv has one
    row per image (id, path, cluster, is_medoid). With --scan, the k-selection curves."""
    col = lookalike.open(collection)
    if scan is not None:
        ks = _parse_scan(scan)
        result = col.scan_k(ks, model=model, random_state=seed)
        console.print(str(result), highlight=False)
        if out is not None and out.suffix.lower() in FIGURE_SUFFIXES:
            _save_figure(col.show_elbow(ks, model=model, random_state=seed), out)
        elif out is not None:
            result.to_frame().to_csv(out, index=False)
            console.print(f"saved {out}")
        return
    found = col.clusters(k, model=model, random_state=seed)
    uris = col.images().set_index("id")["uri"]
    table = Table(title=str(found))
    for name in ("cluster", "size", "medoid", "medoid path"):
        table.add_column(name, overflow="fold")
    for c, size, medoid in found.summary().itertuples(index=False):
        table.add_row(str(c), str(size), medoid, uris.get(medoid, ""))
    console.print(table)
    if out is not None and out.suffix.lower() in FIGURE_SUFFIXES:
        _save_figure(col.show_representatives(k, model=model, random_state=seed), out)
    elif out is not None:
        frame = found.to_frame()
        frame.insert(1, "path", frame["id"].map(uris))
        frame.to_csv(out, index=False)
        console.print(f"saved {out}")


@command()
def representatives(
    collection: CollectionArg,
    k: Annotated[int, typer.Option("-k", help="Number of clusters.")] = 10,
    model: ModelOpt = None,
    seed: SeedOpt = 0,
    ncols: Annotated[int | None, typer.Option(help="Images per row (default: up to 10).")] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The figure to save (.png, .jpg, .pdf, .svg).")
    ] = Path("representatives.png"),
) -> None:
    """The medoid image of each of K clusters, in a row, with the cluster sizes."""
    col = lookalike.open(collection)
    _save_figure(col.show_representatives(k, model=model, random_state=seed, ncols=ncols), out)


@command("map")
def map_(
    collection: CollectionArg,
    method: Annotated[str, typer.Option(help="pca, tsne or umap.")] = "umap",
    model: ModelOpt = None,
    points: Annotated[
        bool, typer.Option("--points", help="Draw points instead of an image atlas.")
    ] = False,
    clusters: Annotated[
        int | None, typer.Option("--clusters", help="Colour by K k-medoids clusters.")
    ] = None,
    highlight: Annotated[
        str | None, typer.Option(help="An image (id or path) to mark in black.")
    ] = None,
    neighbors: Annotated[
        int, typer.Option(help="Mark the highlighted image's N nearest neighbours in red.")
    ] = 0,
    cells: Annotated[
        int | None, typer.Option(help="Atlas grid side (default: from the collection size).")
    ] = None,
    spread: Annotated[
        bool, typer.Option(help="Atlas laid out by rank along each axis (fills the grid).")
    ] = True,
    seed: SeedOpt = 0,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="A figure (.png, .pdf, ...) or .csv (id, x, y)."),
    ] = Path("map.png"),
) -> None:
    """A 2-D map of the collection: an image atlas, or points coloured by cluster."""
    col = lookalike.open(collection)
    if out.suffix.lower() == ".csv":
        col.map(method, model=model, random_state=seed).to_frame().to_csv(out, index=False)
        console.print(f"saved {out}")
        return
    fig = col.show_map(
        method,
        model=model,
        atlas=not points,
        clusters=clusters,
        highlight=highlight,
        neighbors=neighbors,
        cells=cells,
        spread=spread,
        random_state=seed,
    )
    _save_figure(fig, out)


@command()
def compare(
    collection: CollectionArg,
    models: Annotated[tuple[str, str], typer.Option("--models", help="The two models to compare.")],
    k: Annotated[int, typer.Option("-k", help="Neighbours per image.")] = 4,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Save the per-image overlap as .csv."),
    ] = None,
) -> None:
    """How many of each image's K nearest neighbours two models share: K, K-1, ..., 0."""
    col = lookalike.open(collection)
    result = col.compare_models(models[0], models[1], k=k)
    console.print(str(result), highlight=False)
    if out is not None:
        result.per_image().to_csv(out, index=False)
        console.print(f"saved {out}")
