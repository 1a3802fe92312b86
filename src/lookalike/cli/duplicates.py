"""Near-duplicate commands: duplicates, dedup, thresholds, calibrate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import lookalike
from lookalike._validation import check_choice
from lookalike.cli._app import CollectionArg, ModelOpt, command, console
from lookalike.cli._output import Col, FormatOpt, Output, save_frame
from lookalike.exports import file_name, to_json

if TYPE_CHECKING:
    import pandas as pd

# -- near-duplicates -----------------------------------------------------------------
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
VerifyOpt = Annotated[
    bool,
    typer.Option(
        help="Check the geometry of the pairs scoring from 0.02 below to 0.12 above the "
        "threshold on the images (read again): drop pictures that overlap only in part, "
        "keep one that maps inside the other from 0.02 below. --no-verify: scores alone."
    ),
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
    verify: VerifyOpt = True,
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Save the pairs as CSV (or .json): set, score, exact_copy, path_a, path_b, a, b, "
            "verified.",
        ),
    ] = None,
    groups_out: Annotated[
        Path | None, typer.Option(help="Save the duplicate sets as CSV: set, id, path.")
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """Near-duplicate pairs above a threshold, and duplicate sets; exact copies
    (identical files or pixels) are listed apart."""
    show = Output(format)
    col = lookalike.open(collection)
    if exact:
        frame = col.exact_duplicates().rename(columns={"group": "set", "uri": "path"})
        n_sets = frame["set"].nunique() if len(frame) else 0
        show.text(f"{n_sets} sets of identical files or pixels ({len(frame)} images)")
        columns = [Col("set", "set", "int"), Col("kind", "same"), Col("path", "path", "path")]
        show.frame(frame[["set", "kind", "path", "id"]], columns)
        if out is not None:
            save_frame(frame[["set", "kind", "path", "id"]], out)
            show.saved(out)
        return
    mode = check_choice(search, "search", "duplicates", ("auto", "exact", "approximate"))
    found = col.duplicates(
        _threshold(threshold),
        scoring=scoring,
        strict=strict,
        model=model,
        exact={"auto": None, "exact": True, "approximate": False}[mode],
        verify=verify,
    )
    show.text("\n".join([found.summary()] + [f"  note: {n}" for n in found.notes]))
    pairs = pairs_export(found)
    if show.machine:
        show.frame(pairs, [])
    elif len(pairs):
        copies = pairs[pairs["exact_copy"] != ""]
        if len(copies):
            show.frame(
                copies,
                [
                    Col("set", "set", "int"),
                    Col("exact_copy", "same"),
                    Col("path_a", "path a", "path"),
                    Col("path_b", "path b", "path"),
                ],
                title=f"Exact copies: {len(copies)} pair{'s' * (len(copies) != 1)} of identical "
                "files or pixels",
                limit=10,
                more="pairs",
            )
        near = pairs[pairs["exact_copy"] == ""]
        show.frame(
            near,
            [
                Col("set", "set", "int"),
                Col("score", "score", "score"),
                Col("path_a", "path a", "path"),
                Col("path_b", "path b", "path"),
            ],
            title=f"Most similar pairs ({len(near)} near-duplicates, exact copies apart)",
            limit=20,
            more="pairs",
        )
    if out is not None:
        save_frame(pairs, out)
        show.saved(out)
    if groups_out is not None:
        save_frame(groups_export(found), groups_out)
        show.saved(groups_out)


def pairs_export(found: lookalike.Duplicates) -> pd.DataFrame:
    """The pairs as a person can act on them: set, score, exact_copy, path_a, path_b,
    a, b, verified (True where the geometric check saw one picture map inside the
    other; empty with --no-verify)."""
    p = found.to_frame()
    columns = ["set", "score", "copy", "uri_a", "uri_b", "a", "b", "verified"]
    frame = p.reindex(columns=columns)
    frame["copy"] = frame["copy"].fillna("")
    frame["verified"] = frame["verified"].astype(object).where(frame["verified"].notna(), "")
    return frame.rename(columns={"copy": "exact_copy", "uri_a": "path_a", "uri_b": "path_b"})


def groups_export(found: lookalike.Duplicates) -> pd.DataFrame:
    """One row per image of a duplicate set: set, path, id."""
    import pandas as pd

    paths = dict(zip(found.pairs["a"], found.pairs.get("uri_a", found.pairs["a"]), strict=True))
    paths.update(zip(found.pairs["b"], found.pairs.get("uri_b", found.pairs["b"]), strict=True))
    frame = found.groups_frame().rename(columns={"group": "set"})
    return pd.DataFrame({"set": frame["set"], "path": frame["id"].map(paths), "id": frame["id"]})


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
    verify: VerifyOpt = True,
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
    format: FormatOpt = "table",
) -> None:
    """Choose one image per duplicate set; write what is kept and why. No file is touched
    unless --move-removed-to is given. --format csv/json prints the decisions."""
    show = Output(format)
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
        verify=verify,
    )
    show.text(str(plan))
    images = col.images()  # one catalog read, not one per column
    uris = dict(zip(images["id"], images["uri"], strict=True))
    frame = plan.to_frame().rename(columns={"group": "set", "uri": "path"})
    frame.insert(frame.columns.get_loc("kept_id"), "kept_path", frame["kept_id"].map(uris))
    frame = frame[["set", "decision", "path", "kept_path", "reason", "id", "kept_id"]]
    if show.machine or len(frame):
        why = [
            reason if decision == "keep" else f"duplicate of {file_name(kept)}"
            for decision, reason, kept in zip(
                frame["decision"], frame["reason"], frame["kept_path"], strict=True
            )
        ]
        show.frame(
            frame if show.machine else frame.assign(reason=why),
            [
                Col("set", "set", "int"),
                Col("decision", "decision"),
                Col("path", "path", "path"),
                Col("reason", "why", "flex"),
            ],
            title="Decisions",
            limit=30,
            more="decisions",
        )
    if out is not None:
        out.write_text("".join(f"{uris[i]}\n" for i in plan.kept))
        decisions = out.with_name(out.stem + ".decisions.csv")
        save_frame(frame, decisions)
        show.saved(out, decisions)


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
    format: FormatOpt = "table",
) -> None:
    """Suggest a duplicate threshold from pairs labelled same/different. --format csv:
    the precision-recall curve (threshold, precision, recall, f1); json: the suggestion
    and its curve."""
    show = Output(format)
    result = lookalike.open(collection).calibrate(
        labels, target_precision=target_precision, scoring=scoring, model=model
    )
    if show.format == "csv":
        show.frame(result.to_frame(), [])
        show.text(str(result))  # stderr
    elif show.format == "json":
        show.record(
            {
                "threshold": float(result.threshold),
                "criterion": result.criterion,
                "precision": float(result.precision),
                "recall": float(result.recall),
                "f1": float(result.f1),
                "same": result.n_same,
                "different": result.n_different,
                "curve": json.loads(to_json(result.to_frame())),
            }
        )
    else:
        show.text(str(result))
