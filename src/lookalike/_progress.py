"""The progress bar of long commands: Rich, on stderr, only on a terminal by default."""

from __future__ import annotations

import sys

__all__ = ["progress_bar"]


class _NullBar:
    def __enter__(self):
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def progress_bar(enabled: bool | None, label: str):
    """A Rich progress bar on stderr (auto: only on a terminal)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return _NullBar()
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    @contextmanager
    def bar():
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        ) as prog:
            task = prog.add_task(label, total=None)
            yield lambda done, total: prog.update(task, completed=done, total=total)

    return bar()
