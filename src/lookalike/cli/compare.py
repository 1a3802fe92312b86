"""The model comparison command: compare."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import CollectionArg, command
from lookalike.cli._output import FormatOpt, Output, save_frame


@command()
def compare(
    collection: CollectionArg,
    models: Annotated[tuple[str, str], typer.Option("--models", help="The two models to compare.")],
    k: Annotated[int, typer.Option("-k", help="Neighbours per image.")] = 4,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Save the per-image overlap as .csv or .json."),
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """How many of each image's K nearest neighbours two models share: K, K-1, ..., 0."""
    show = Output(format)
    col = lookalike.open(collection)
    result = col.compare_models(models[0], models[1], k=k)
    if show.machine:
        show.frame(result.table, [])
    else:
        show.text(str(result))
    if out is not None:
        frame = result.per_image()
        frame.insert(2, "path", frame["id"].map(col.images().set_index("id")["uri"]))
        save_frame(frame, out)
        show.saved(out)
