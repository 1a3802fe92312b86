"""How the commands print results: one ``--format`` option (a table for people, CSV or
JSON for programs), tables that read well at 80 columns (paths relative to their common
folder, elided in the middle, one line a row), and files written through
:mod:`lookalike.exports` (scores clipped, cells safe in a spreadsheet).

With ``--format csv`` or ``json`` stdout holds the data and nothing else: summaries and
"saved ..." lines go to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from lookalike.cli._app import console, err_console
from lookalike.exports import (
    clip_score,
    elide_middle,
    file_name,
    relative_paths,
    short_label,
    to_json,
    write_csv,
    write_json,
)

__all__ = ["FORMATS", "Col", "FormatOpt", "Output", "save_frame"]

FORMATS = ("table", "csv", "json")
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        help="table (for people), or csv / json on stdout (for programs; messages go to stderr).",
        case_sensitive=False,
    ),
]


@dataclass(frozen=True)
class Col:
    """A table column: the frame column ``key`` shown as ``header``; ``kind`` "path"
    (shortened, elided in the middle), "flex" (text that shares the room left with
    the paths, cut at a word), "score" (4 decimals, in [-1, 1]), "int", "number",
    "right" (text aligned right) or "text"."""

    key: str
    header: str
    kind: str = "text"


def save_frame(frame, out: Path) -> None:
    """Write ``frame`` to ``out``: JSON for ``.json``, CSV otherwise (safe cells)."""
    if out.suffix.lower() == ".json":
        write_json(frame, out)
    else:
        write_csv(frame, out)


class Output:
    """The printing side of one command run in one ``--format``."""

    def __init__(self, fmt: str) -> None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise ValueError(f"--format should be one of table, csv, json; got {fmt!r}.")
        self.format = fmt
        self.machine = fmt != "table"

    @property
    def _say(self):
        return err_console if self.machine else console

    def text(self, message: str) -> None:
        """A summary or report in words (stderr with csv/json)."""
        # Never hard-wrapped: a path stays whole, a phrase stays greppable; a terminal
        # wraps a long line by itself.
        self._say.print(escape(message), highlight=False, soft_wrap=True, emoji=False)

    def status(self, message: str) -> None:
        """A short status line such as "saved x.csv" (stderr with csv/json)."""
        self.text(message)

    def saved(self, *paths: Path) -> None:
        self.status("saved " + " and ".join(str(p) for p in paths))

    def record(self, data: dict[str, Any]) -> None:
        """A report as one JSON object on stdout (``--format json``)."""
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
        sys.stdout.flush()

    def frame(
        self,
        frame,
        columns: Sequence[Col],
        *,
        title: str | None = None,
        limit: int | None = None,
        more: str = "rows",
    ) -> None:
        """``frame`` (every column) as CSV/JSON on stdout, or the ``columns`` of its
        first ``limit`` rows as a table."""
        if self.format == "csv":
            write_csv(frame, sys.stdout)
            sys.stdout.flush()
            return
        if self.format == "json":
            sys.stdout.write(to_json(frame) + "\n")
            sys.stdout.flush()
            return
        shown = frame if limit is None else frame.head(limit)
        if title:  # above the table, not in it: Rich would wrap it to the table's width
            self.text(title)
        t, root = table(shown, columns, width=console.width)
        console.print(t)
        if root:
            self.text(f"paths relative to {root}")
        if limit is not None and len(frame) > limit:
            console.print(
                f"... {len(frame) - limit} more {more} (all of them with --format csv or --out)",
                highlight=False,
            )


def table(frame, columns: Sequence[Col], *, width: int) -> tuple[Table, str]:
    """(a Rich table of ``columns`` of ``frame`` that fits in ``width`` characters, one
    line a row, the folder its paths are relative to): paths relative to their common
    folder, elided in the middle when the terminal is narrow."""
    cells: dict[str, list[str]] = {}
    paths = [c for c in columns if c.kind == "path"]
    flexible = [c for c in columns if c.kind in ("path", "flex")]
    all_paths = [str(v) for c in paths for v in frame[c.key].tolist() if isinstance(v, str)]
    root, _ = relative_paths(all_paths)
    for c in columns:
        values = frame[c.key].tolist()
        if c.kind == "path":
            _, cells[c.key] = relative_paths(["" if _missing(v) else str(v) for v in values], root)
        else:
            cells[c.key] = [_cell(v, c.kind) for v in values]
    # Room left for the paths: the other columns at their widest, 3 characters of
    # padding and rule per column (box.SIMPLE_HEAD draws no outer frame).
    fixed = sum(
        max([len(c.header)] + [len(s) for s in cells[c.key]]) for c in columns if c not in flexible
    )
    room = width - fixed - 3 * len(columns)
    if flexible:
        widest = {c.key: max([len(c.header)] + [len(s) for s in cells[c.key]]) for c in flexible}
        budget = _share(room, widest)
        for c in flexible:
            cut = _elide_uri if c.kind == "path" else short_label
            cells[c.key] = [cut(s, budget[c.key]) for s in cells[c.key]]
    t = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for c in columns:
        right = c.kind in ("score", "int", "number", "right")
        t.add_column(
            c.header,
            justify="right" if right else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=len(c.header) if c.kind != "path" else None,
        )
    for i in range(len(frame)):
        t.add_row(*(escape(cells[c.key][i]) for c in columns))
    return t, root


def _elide_uri(uri: str, width: int) -> str:
    """A path or URL in ``width`` characters; a URL too long keeps its host and the
    image's name (a IIIF identifier rather than ``default.jpg``)."""
    if len(uri) > width and "://" in uri[:12]:
        uri = f"{urlsplit(uri).netloc}/…/{file_name(uri)}"
    return elide_middle(uri, width)


def _share(room: int, widest: dict[str, int]) -> dict[str, int]:
    """Split ``room`` characters among path columns: none gets more than it needs, the
    rest is shared evenly (at least 12 each)."""
    out = {}
    left = dict(sorted(widest.items(), key=lambda kv: kv[1]))
    for key, need in left.items():
        fair = max(12, room // max(len(left) - len(out), 1))
        out[key] = min(need, fair)
        room -= out[key]
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _cell(value: Any, kind: str) -> str:
    if _missing(value):
        return ""
    if kind == "score":
        return f"{clip_score(float(value)):.4f}"
    if kind == "number":
        return f"{float(value):.4g}"
    return str(value)


FIGURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf", ".svg")
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")]


def save_figure(fig, out: Path, show: Output | None = None) -> None:
    """Save the matplotlib figure ``fig`` as ``out`` and say so."""
    fig.savefig(out, dpi=100)
    (show or Output("table")).saved(out)
