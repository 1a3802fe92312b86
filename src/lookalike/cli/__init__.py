"""The ``lookalike`` command: one command per Collection method, nothing more.

A command opens (or creates) a Collection, calls one method and prints the result.
Errors lookalike raises on purpose are caught once, in ``_app.command``, and printed as
one line. The commands are registered on one app by the group modules imported here.
"""

from __future__ import annotations

from lookalike.cli._app import app

# The group modules register their commands on import, in this order (`lookalike --help`).
# isort: off
from lookalike.cli import indexing, duplicates, graph, path, clusters, map, compare  # noqa: F401
from lookalike.cli import serve, check  # noqa: F401
# isort: on

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``lookalike`` console script."""
    app()
