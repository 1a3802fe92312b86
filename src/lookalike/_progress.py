"""What a long step shows while it runs: a progress bar (steps that count images) or a
status line (steps that cannot count: a model's first export to ONNX, a UMAP map, a kNN
graph), on stderr.

Where it shows:

- on a terminal: Rich's live bar or spinner, erased or completed when the step ends;
- in a Jupyter notebook, or when asked for without a terminal (``progress=True``,
  ``lookalike index --progress`` in a pipe): plain lines, a notebook shows them as they
  come (Rich's live displays need ipywidgets there);
- nowhere with ``progress=False``, or by default without a terminal or notebook.

A call that takes ``progress`` passes it on with :func:`progress_setting`, so the steps
nested inside it (the model's export while indexing) obey it too. Every step is also
announced to the functions in :data:`listeners` (``(event, message)`` with event
``"start"`` or ``"end"``), whether shown or not.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar

__all__ = ["listeners", "progress_bar", "progress_setting", "status"]

# The ``progress`` argument of the outermost call in progress (None: automatic).
_setting: ContextVar[bool | None] = ContextVar("lookalike_progress", default=None)

listeners: list[Callable[[str, str], None]] = []

# The live displays open now (Rich allows one: a step inside a bar is not shown live).
_live: list[str] = []

# In plain-line mode a bar prints a line at most this often (seconds).
_LINE_EVERY = 5.0


@contextmanager
def progress_setting(enabled: bool | None) -> Iterator[None]:
    """Let the steps inside this block show (True), hide (False) or decide (None)."""
    token = _setting.set(_setting.get() if enabled is None else enabled)
    try:
        yield
    finally:
        _setting.reset(token)


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ in ("ZMQInteractiveShell", "Shell")  # Jupyter, Colab


def _mode(enabled: bool | None) -> str | None:
    """'live' (Rich, a terminal), 'lines' (plain lines) or None (nothing shown)."""
    if enabled is None:
        enabled = _setting.get()
    if enabled is False:
        return None
    if sys.stderr.isatty():
        return "live"
    if _in_notebook() or enabled:
        return "lines"
    return None


def _line(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _announce(event: str, message: str) -> None:
    for listener in list(listeners):
        listener(event, message)


@contextmanager
def status(message: str, enabled: bool | None = None) -> Iterator[None]:
    """Show ``message`` (what is being done, e.g. "exporting efficientnet-lite0 to
    ONNX") while the block runs; when it took a while, say so at the end."""
    mode = _mode(enabled)
    _announce("start", message)
    start = time.perf_counter()
    try:
        if mode == "live" and not _live:
            from rich.console import Console

            _live.append(message)  # Rich shows one live display at a time: no nesting
            try:
                with Console(stderr=True).status(f"{message} ...", spinner="dots"):
                    yield
            finally:
                _live.pop()
        else:
            if mode == "lines":
                _line(f"{message} ...")
            yield
    finally:
        seconds = time.perf_counter() - start
        _announce("end", message)
        if mode is not None and seconds >= 2.0:
            _line(f"{message}: {seconds:.1f} s")


def progress_bar(
    enabled: bool | None, label: str
) -> AbstractContextManager[Callable[[int, int], None] | None]:
    """A progress bar on stderr; the block gets ``update(done, total)``, or None when
    nothing is shown."""
    mode = _mode(enabled)
    if mode is None:
        return _quiet(label)
    if mode == "lines":
        return _lines_bar(label)
    return _rich_bar(label)


@contextmanager
def _quiet(label: str) -> Iterator[None]:
    _announce("start", label)
    try:
        yield None
    finally:
        _announce("end", label)


@contextmanager
def _lines_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    last = [0.0, -1]

    def update(done: int, total: int) -> None:
        now = time.perf_counter()
        if done and (done == total or now - last[0] >= _LINE_EVERY):
            if done != last[1]:
                _line(f"{label}: {done}/{total}")
            last[:] = [now, done]

    _announce("start", label)
    _line(f"{label} ...")
    try:
        yield update
    finally:
        _announce("end", label)


@contextmanager
def _rich_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    _announce("start", label)
    _live.append(label)
    try:
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
    finally:
        _live.pop()
        _announce("end", label)
