"""The path command: path."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import CollectionArg, ModelOpt, command
from lookalike.cli._output import Col, FormatOpt, Output, save_frame


@command()
def path(
    collection: CollectionArg,
    a: Annotated[str, typer.Argument(help="The first image (id, unique prefix or path).")],
    b: Annotated[str, typer.Argument(help="The last image.")],
    smooth: Annotated[
        bool, typer.Option("--smooth", help="Make the largest single step as small as possible.")
    ] = False,
    fewest: Annotated[bool, typer.Option("--fewest", help="The fewest steps.")] = False,
    steps: Annotated[int | None, typer.Option("--steps", help="At most this many steps.")] = None,
    k: Annotated[int, typer.Option("-k", help="Neighbours per image in the kNN graph.")] = 10,
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Also save: .csv/.json (table) or .png/.jpg/.pdf (strip)."
        ),
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """The chain of similar images from A to B (least total distance by default)."""
    if smooth and fewest:
        raise ValueError("Give at most one of --smooth and --fewest.")
    show = Output(format)
    method = "smooth" if smooth else "fewest" if fewest else "shortest"
    col = lookalike.open(collection)
    found = col.path(a, b, method=method, steps=steps, k=k, model=model)
    frame = found.to_frame()
    frame["bridge"] = [i in found.bridges for i in range(len(frame))]
    frame = frame[["step", "similarity", "bridge", "path", "id"]]
    marks = [
        ("" if i == 0 else f"{s:.4f}") + (" bridge" if b else "")
        for i, (s, b) in enumerate(zip(frame["similarity"], frame["bridge"], strict=True))
    ]
    show.frame(
        frame if show.machine else frame.assign(similarity=marks),
        [
            Col("step", "step", "int"),
            Col("similarity", "similarity", "right"),
            Col("path", "path", "path"),
        ],
        title=f"{found.method} path: {found.steps} steps, worst step {found.worst:.4f}",
    )
    if out is not None:
        if out.suffix.lower() in (".csv", ".json"):
            save_frame(frame, out)
        else:
            col.show_path(found).savefig(out, dpi=100)
        show.saved(out)
