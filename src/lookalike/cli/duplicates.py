"""Near-duplicate commands: duplicates, dedup, thresholds, calibrate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import lookalike
from lookalike._validation import check_choice
from lookalike.cli._app import CollectionArg, ModelOpt, command, console

# -- near-duplicates (issue 2) -------------------------------------------------------
ThresholdOpt = Annotated[
    str | None,
    typer.Option(
        "--threshold",
        "-t",
        help="Duplicate score in [-1, 1] (default 0.78), or auto: estimated from the "
        "collection's own images (see `lookalike thresholds`).",
    ),
]


def _threshold(value: str | None) -> float | str | None:
    """A number, "auto" or None; anything else stops with one line."""
    if value is None or value.strip().lower() == "auto":
        return value
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"--threshold: {value!r} is neither a number nor 'auto'.") from None


ScoringOpt = Annotated[
    str,
    typer.Option(
        help="centre (whole pictures and their centre views, default; embeds the centre "
        "views once), root (power-normalised vectors) or cosine."
    ),
]
StrictOpt = Annotated[
    bool, typer.Option(help="Every member of a set must be close to the set's medoid.")
]


@command()
def duplicates(
    collection: CollectionArg,
    threshold: ThresholdOpt = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="Identical files / pixels only (no model).")
    ] = False,
    strict: StrictOpt = False,
    search: Annotated[
        str, typer.Option(help="auto (by size), exact (blockwise) or approximate (FAISS).")
    ] = "auto",
    scoring: ScoringOpt = "centre",
    model: ModelOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Save the pairs (a,b,score) as CSV.")
    ] = None,
    groups_out: Annotated[
        Path | None, typer.Option(help="Save the duplicate sets (group,id) as CSV.")
    ] = None,
) -> None:
    """Near-duplicate pairs above a threshold, and duplicate sets."""
    col = lookalike.open(collection)
    if exact:
        frame = col.exact_duplicates()
        console.print(
            f"{frame['group'].nunique() if len(frame) else 0} sets of identical "
            f"files or pixels ({len(frame)} images)"
        )
        for _, r in frame.iterrows():
            console.print(
                f"  set {r['group']} ({r['kind']}): {r['id']}  {r['uri']}",
                highlight=False,
                soft_wrap=True,
            )
        if out is not None:
            frame.to_csv(out, index=False)
            console.print(f"saved {out}")
        return
    mode = check_choice(search, "search", "duplicates", ("auto", "exact", "approximate"))
    found = col.duplicates(
        _threshold(threshold),
        scoring=scoring,
        strict=strict,
        model=model,
        exact={"auto": None, "exact": True, "approximate": False}[mode],
    )
    console.print(str(found), highlight=False, soft_wrap=True)
    if len(found):
        table = Table(title="Most similar pairs")
        for name in ("a", "b", "score", "path a", "path b"):
            table.add_column(name, overflow="fold")
        for _, r in found.pairs.head(20).iterrows():
            table.add_row(r["a"], r["b"], f"{r['score']:.4f}", r["uri_a"], r["uri_b"])
        console.print(table)
    if out is not None:
        found.to_frame()[["a", "b", "score"]].to_csv(out, index=False)
        console.print(f"saved {out}")
    if groups_out is not None:
        found.groups_frame().to_csv(groups_out, index=False)
        console.print(f"saved {groups_out}")


@command()
def dedup(
    collection: CollectionArg,
    threshold: ThresholdOpt = None,
    keep: Annotated[
        str, typer.Option(help="largest, largest-file, oldest, first-path or list.")
    ] = "largest",
    keep_list: Annotated[
        Path | None, typer.Option(help="With --keep list: a file of ids or paths to keep.")
    ] = None,
    exact: Annotated[bool, typer.Option("--exact", help="Identical files / pixels only.")] = False,
    strict: StrictOpt = False,
    scoring: ScoringOpt = "centre",
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the kept paths (one a line); the decisions "
            "go to OUT's name + .decisions.csv.",
        ),
    ] = None,
    move_removed_to: Annotated[
        Path | None, typer.Option(help="Move the removed files into this folder (never deleted).")
    ] = None,
) -> None:
    """Choose one image per duplicate set; write what is kept and why. No file is touched
    unless --move-removed-to is given."""
    col = lookalike.open(collection)
    keep_ids = keep_list.read_text().split() if keep_list is not None else ()
    plan = col.dedup(
        _threshold(threshold),
        keep=keep,
        keep_ids=keep_ids,
        exact_only=exact,
        strict=strict,
        scoring=scoring,
        model=model,
        move_removed_to=move_removed_to,
    )
    console.print(str(plan), highlight=False, soft_wrap=True)
    if out is not None:
        images = col.images()  # one catalog read, not one per column
        uris = dict(zip(images["id"], images["uri"], strict=True))
        out.write_text("".join(f"{uris[i]}\n" for i in plan.kept))
        decisions = out.with_name(out.stem + ".decisions.csv")
        plan.to_frame().to_csv(decisions, index=False)
        console.print(f"saved {out} and {decisions}")


@command()
def thresholds(
    collection: CollectionArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="A contact sheet of pairs per score band (.png, .pdf)."),
    ] = None,
    scores_out: Annotated[
        Path | None,
        typer.Option(help="A figure of both score distributions and the chosen threshold."),
    ] = None,
    per_band: Annotated[int, typer.Option(help="Pairs shown per band.")] = 4,
    sample: Annotated[int, typer.Option(help="Images copied synthetically.")] = 40,
    scoring: ScoringOpt = "centre",
    model: ModelOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed of the samples.")] = 0,
) -> None:
    """The collection's own duplicate threshold, estimated without labels (synthetic
    copies of its images against its nearest-neighbour scores; saved labels refine it),
    with its expected precision and recall; and a contact sheet of pairs per band."""
    col = lookalike.open(collection)
    try:
        est = col.auto_threshold(scoring=scoring, model=model, sample=sample, seed=seed)
    except ValueError as err:
        if out is None:
            raise
        est = None  # the contact sheet needs no estimate: say why there is none
        console.print(f"no automatic threshold: {err}", highlight=False, soft_wrap=True)
    if est is not None:
        console.print(str(est), highlight=False, soft_wrap=True)
        console.print(
            f"use it: lookalike duplicates {collection} --threshold auto "
            f"(or --threshold {est.threshold:.3f})",
            highlight=False,
            soft_wrap=True,
        )
    if scores_out is not None and est is not None:
        col.show_auto_threshold(est).savefig(scores_out, dpi=90)
        console.print(f"saved {scores_out}")
    if out is not None:
        fig = col.show_threshold_bands(per_band=per_band, scoring=scoring, model=model, seed=seed)
        fig.savefig(out, dpi=90)
        console.print(f"saved {out}")


@command()
def calibrate(
    collection: CollectionArg,
    labels: Annotated[
        Path | None,
        typer.Option(
            help="CSV of pairs: a,b,label (same/different). Default: the collection's saved labels."
        ),
    ] = None,
    target_precision: Annotated[
        float | None, typer.Option(help="Lowest threshold reaching this precision.")
    ] = None,
    scoring: ScoringOpt = "centre",
    model: ModelOpt = None,
) -> None:
    """Suggest a duplicate threshold from pairs labelled same/different."""
    result = lookalike.open(collection).calibrate(
        labels, target_precision=target_precision, scoring=scoring, model=model
    )
    console.print(str(result), highlight=False, soft_wrap=True)
