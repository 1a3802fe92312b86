"""``lookalike check``: is the collection sound, and repair it if asked."""

from __future__ import annotations

from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import CollectionArg, command
from lookalike.cli._output import FormatOpt, Output

# The collection is damaged (vectors lost, or the catalog unsound) and was not repaired.
EXIT_DAMAGED = 4


@command()
def check(
    collection: CollectionArg,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Embed lost vectors again from their image files and remove files that "
            "writers which died left behind (waits for a running index).",
        ),
    ] = False,
    format: FormatOpt = "table",
) -> None:
    """Check that the catalog is sound and every vector it names is on disk.
    --format json: the whole report; csv: one row per lost vector (model, path,
    reason, id).

    Exits with 0 when the collection is healthy (or was repaired), 4 when damage
    remains."""
    show = Output(format)
    health = lookalike.open(collection).check(repair=repair)
    if show.format == "json":
        show.record(health.to_dict())
    elif show.format == "csv":
        import pandas as pd

        columns = ["model", "path", "reason", "id"]
        show.frame(pd.DataFrame(health.to_dict()["damage"], columns=columns), [])
        if not health.ok:  # the catalog's own state is not in the rows
            show.text(f"catalog: {health.catalog}")
    else:
        show.text(str(health))
    if not health.ok:
        raise typer.Exit(code=EXIT_DAMAGED)
