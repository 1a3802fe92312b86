"""``lookalike check``: is the collection sound, and repair it if asked."""

from __future__ import annotations

from typing import Annotated

import typer

import lookalike
from lookalike.cli._app import CollectionArg, command, console

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
) -> None:
    """Check that the catalog is sound and every vector it names is on disk.

    Exits with 0 when the collection is healthy (or was repaired), 4 when damage
    remains."""
    health = lookalike.open(collection).check(repair=repair)
    console.print(str(health), highlight=False, soft_wrap=True)
    if not health.ok:
        raise typer.Exit(code=EXIT_DAMAGED)
