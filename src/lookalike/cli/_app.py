"""The ``lookalike`` Typer app and what its command modules share: the consoles, the
``@command`` decorator (one line + exit code 1 for errors raised on purpose), the exit
codes and the common argument types."""

from __future__ import annotations

import functools
import inspect
import os
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import typer.models
from rich.console import Console
from rich.markup import escape

from lookalike.errors import LookalikeError, ParameterError

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


def _option_flags(fn: Callable[..., Any]) -> dict[str, str]:
    """Parameter name -> the command's option for it (``k`` -> ``-k``, ``method`` ->
    ``--method``), read from the command function's ``typer.Option`` annotations."""
    flags = {}
    for name, hint in typing.get_type_hints(fn, include_extras=True).items():
        for meta in getattr(hint, "__metadata__", ()):
            if isinstance(meta, typer.models.OptionInfo):
                # typer keeps the first declaration of an Annotated option in `default`.
                given = [meta.default, *(meta.param_decls or ())]
                decls = [d for d in given if isinstance(d, str) and d.startswith("-")]
                long = [d for d in decls if d.startswith("--")]
                flags[name] = (long or decls or ["--" + name.replace("_", "-")])[0]
    return flags


def _in_cli_terms(err: Exception, flags: dict[str, str]) -> str:
    """The error's message, naming the command's option where it names the parameter of
    the Python function the option was passed to."""
    if isinstance(err, ParameterError) and err.name in flags:
        return f"Invalid value for {flags[err.name]}: {err.detail}"
    return str(err)


def _output_params(fn: Callable[..., Any]) -> list[str]:
    """The parameters naming a file the command writes: ``out`` and ``*_out``."""
    names = inspect.signature(fn).parameters
    return [n for n in names if n == "out" or n.endswith("_out")]


def prepare_output(path: Path, option: str) -> None:
    """Create the folder ``path`` is to be written in; a ValueError naming ``option``
    when the file cannot be written there (before any work is done)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        # The usual cause: a file stands where a folder of the path should be.
        existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
        blocked = existing is not None and not existing.is_dir()
        why = f"{existing} is a file" if blocked else (err.strerror or str(err))
        raise ValueError(
            f"Invalid value for {option}: cannot create the folder {folder} ({why})."
        ) from None
    if path.is_dir():
        raise ValueError(f"Invalid value for {option}: {path} is a folder, not a file.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"Invalid value for {option}: cannot write {path} (permission denied).")


def _message(err: Exception, flags: dict[str, str]) -> str:
    """One line for ``err``: an OS error as "reason: file", not its errno and repr."""
    if isinstance(err, OSError) and err.strerror and err.filename:
        return f"{err.strerror}: {err.filename}"
    return _in_cli_terms(err, flags)


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` whose LookalikeError/ValueError/OSError becomes one line and exit
    code 1, and whose ``--out`` files get their folder made (or fail at once)."""

    def decorate(fn: F) -> F:
        flags = _option_flags(fn)
        outputs = _output_params(fn)

        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                for name in outputs:
                    if isinstance(kw.get(name), Path):
                        prepare_output(kw[name], flags.get(name, name.upper()))
                return fn(*a, **kw)
            except (LookalikeError, ValueError, OSError) as err:
                err_console.print(
                    "[red]Error:[/red]",
                    escape(_message(err, flags)),
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
