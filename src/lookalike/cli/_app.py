"""The ``lookalike`` Typer app and what its command modules share: the consoles, the
``@command`` decorator (one line + exit code 1 for errors raised on purpose), the exit
codes and the common argument types."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from lookalike.errors import LookalikeError

app = typer.Typer(
    name="lookalike",
    help="Find, map and connect visually similar images in a collection.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Docstrings are Markdown: a paragraph's line breaks are the source's, not the help's.
    rich_markup_mode="markdown",
)
console = Console()
err_console = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        from lookalike import __version__

        console.print(f"lookalike {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Find, map and connect visually similar images in a collection."""

F = TypeVar("F", bound=Callable[..., Any])

# Exit codes: 0 all well, 1 an error stopped the command, 2 usage error (click's),
# 3 the command finished but some images failed (index).
EXIT_ERROR = 1
EXIT_SOME_FAILED = 3


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` whose LookalikeError/ValueError becomes one line and exit code 1."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return fn(*a, **kw)
            except (LookalikeError, ValueError, FileNotFoundError) as err:
                err_console.print(
                    "[red]Error:[/red]",
                    escape(str(err)),
                    highlight=False,
                    soft_wrap=True,
                    emoji=False,
                )
                raise typer.Exit(code=EXIT_ERROR) from None

        app.command(*args, **kwargs)(wrapper)
        return fn

    return decorate


CollectionArg = Annotated[Path, typer.Argument(help="The collection directory.")]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model name (default: the collection's first model)."),
]
