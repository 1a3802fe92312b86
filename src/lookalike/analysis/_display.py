"""Short text and HTML tables for the results' ``__repr__`` and ``_repr_html_`` (what a
REPL or a notebook shows): a title line, a few rows, and how many more there are.
Pure formatting, no I/O: images are named by the file name of their uri."""

from __future__ import annotations

import html
from collections.abc import Sequence

from lookalike.exports import file_name, short_label

__all__ = ["html_table", "name_of", "text_table"]

Row = Sequence[object]


def name_of(uri: str, image_id: str = "", width: int = 32) -> str:
    """An image's file name (or id), cut cleanly to ``width`` characters."""
    return short_label(file_name(uri) or image_id, width)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.4f}"
    return str(value)


def text_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Row],
    *,
    max_rows: int = 5,
    total: int | None = None,
    more: str = "rows",
) -> str:
    """``title`` and the first ``max_rows`` of ``rows`` in aligned columns (numbers to
    the right), then "... N more"."""
    total = len(rows) if total is None else total
    cells = [[_fmt(v) for v in row] for row in rows[:max_rows]]
    if not headers:
        return title
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [
        bool(cells) and all(_numeric(r[i]) for r in cells if r[i]) for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  " + "  ".join(parts).rstrip()

    lines = [title]
    if cells:
        lines.append(line(headers))
        lines += [line(r) for r in cells]
    if total > len(cells):
        lines.append(f"  ... {total - len(cells)} more {more}")
    return "\n".join(lines)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def html_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Row],
    *,
    max_rows: int = 20,
    total: int | None = None,
    more: str = "rows",
    titles: Sequence[str] | None = None,
) -> str:
    """The same as :func:`text_table` in HTML (escaped); ``titles`` gives each row's
    first cell a tooltip (e.g. the full path)."""
    total = len(rows) if total is None else total
    out = [f"<div><p><b>{html.escape(title)}</b></p>"]
    if headers and rows:
        out.append("<table><thead><tr>")
        out += [f"<th>{html.escape(h)}</th>" for h in headers]
        out.append("</tr></thead><tbody>")
        for n, row in enumerate(rows[:max_rows]):
            tip = f' title="{html.escape(titles[n])}"' if titles is not None else ""
            out.append(f"<tr{tip}>")
            out += [f"<td>{html.escape(_fmt(v))}</td>" for v in row]
            out.append("</tr>")
        out.append("</tbody></table>")
    shown = min(len(rows), max_rows)
    if total > shown:
        out.append(f"<p>... {total - shown} more {html.escape(more)}</p>")
    out.append("</div>")
    return "".join(out)
