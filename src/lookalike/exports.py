"""What a person reads or opens outside lookalike: CSV and JSON files that are safe in a
spreadsheet and carry paths, not only ids; scores kept in [-1, 1]; short names and paths
for tables, reprs and figure labels.

Every CSV writer of lookalike (the CLI, the results' ``to_csv``, the server's CSV route)
goes through :func:`write_csv`, so that a cell such as ``=HYPERLINK(...)`` (a file name
can be anything) is never run as a formula by a spreadsheet (OWASP "CSV injection": a
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading single quote).

Nothing here imports a layer of lookalike, so every layer may use it.
"""

from __future__ import annotations

import io
import json
import math
import os
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

__all__ = [
    "FORMULA_PREFIXES",
    "SCORE_COLUMNS",
    "clip_score",
    "common_folder",
    "display_name",
    "elide_middle",
    "export_frame",
    "file_name",
    "relative_paths",
    "rows_to_csv",
    "safe_cell",
    "short_label",
    "to_csv",
    "to_json",
    "write_csv",
    "write_json",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

SCORE_COLUMNS = ("score", "similarity")
"""Columns holding cosine scores: clipped to [-1, 1] on export (float32 rounding gives
1.0000001 for an image and its copy)."""

ELLIPSIS = "…"


# -- cells and files -------------------------------------------------------------------
def safe_cell(value: Any) -> Any:
    """``value``, with a leading single quote when it is text a spreadsheet would run as
    a formula; numbers pass unchanged (a negative score stays a number).

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-1"), safe_cell(-0.5)
    ('\\'=HYPERLINK("http://x")', "'-1", -0.5)
    >>> safe_cell("photos/cat.jpg")
    'photos/cat.jpg'
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def clip_score(score: float) -> float:
    """A cosine score in [-1, 1] (NaN stays NaN).

    >>> clip_score(1.0000001), clip_score(-1.2), clip_score(0.5)
    (1.0, -1.0, 0.5)
    """
    if math.isnan(score):
        return score
    return float(min(1.0, max(-1.0, score)))


def export_frame(frame):
    """A copy of the DataFrame ``frame`` ready to be written: score columns clipped to
    [-1, 1], text cells neutralised (:func:`safe_cell`), column names too."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if str(column) in SCORE_COLUMNS and values.dtype.kind == "f":
            out[column] = values.clip(-1.0, 1.0)
        elif values.dtype.kind == "O" or str(values.dtype) in ("string", "str"):
            out[column] = values.map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def to_csv(frame) -> str:
    """``frame`` as CSV text (see :func:`write_csv`)."""
    buffer = io.StringIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


def rows_to_csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    """CSV text of plain ``rows`` under ``header``, every cell made safe (for writers
    that hold lists rather than a DataFrame, such as the server's CSV routes).

    >>> rows_to_csv([["=1+2", 0.5]], ["title", "score"])
    "title,score\\n'=1+2,0.5\\n"
    """
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def write_csv(frame, target: str | os.PathLike | IO[str]) -> None:
    """Write the DataFrame ``frame`` as CSV to a path or an open text stream: no index,
    scores clipped, cells safe in a spreadsheet, floats to 6 significant digits."""
    export_frame(frame).to_csv(target, index=False, float_format="%.6g", lineterminator="\n")


def to_json(frame) -> str:
    """``frame`` as a JSON list of records (NaN as null), scores clipped; text is not
    quoted (JSON is not opened by spreadsheets as formulas)."""
    out = frame.copy()
    for column in out.columns:
        if str(column) in SCORE_COLUMNS and out[column].dtype.kind == "f":
            out[column] = out[column].clip(-1.0, 1.0)
    records = json.loads(out.to_json(orient="records", double_precision=6))
    return json.dumps(records, ensure_ascii=False, indent=1)


def write_json(frame, target: str | os.PathLike | IO[str]) -> None:
    """Write ``frame`` as a JSON list of records to a path or an open text stream."""
    text = to_json(frame) + "\n"
    if hasattr(target, "write"):
        target.write(text)  # type: ignore[union-attr]
    else:
        Path(target).write_text(text, encoding="utf-8")


# -- names and paths -------------------------------------------------------------------
def _is_url(uri: str) -> bool:
    return "://" in uri[:12]


def file_name(uri: str) -> str:
    """The file name of a path or URL (IIIF image URLs: the identifier before
    ``/full/...``).

    >>> file_name("/data/photos/cat.jpg"), file_name("https://x.org/iiif/b123/full/max/0/default.jpg")
    ('cat.jpg', 'b123')
    """
    if not uri:
        return ""
    if _is_url(uri):
        path = unquote(urlsplit(uri).path).rstrip("/")
        parts = path.split("/")
        if "full" in parts[1:]:  # a IIIF Image API request: name the image, not default.jpg
            return parts[parts.index("full") - 1] or path
        return parts[-1] or urlsplit(uri).netloc
    return posixpath.basename(uri.replace(os.sep, "/").rstrip("/")) or uri


def display_name(uri: str, metadata: Mapping[str, Any] | None = None, image_id: str = "") -> str:
    """What to call an image: its title from the source (catalogue title, IIIF manifest
    and canvas labels), else its file name, else its id."""
    meta = dict(metadata or {})
    source = meta.get("source")
    title = meta.get("title") or (source.get("title") if isinstance(source, dict) else None)
    label, manifest = meta.get("label"), meta.get("manifest_label")
    if not title and label and manifest and label != manifest:
        title = f"{manifest}, {label}"
    title = title or label or manifest
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())
    return file_name(uri) or image_id


def short_label(text: str, width: int = 24) -> str:
    """``text`` in at most ``width`` characters: cut at the last word boundary (space,
    ``_``, ``-``, ``.``) that keeps at least half of it, with an ellipsis; a file
    extension is kept.

    >>> short_label("Kite_2560x1600_rot4.jpg", 19)
    'Kite_2560x1600….jpg'
    >>> short_label("The Garden of Earthly Delights, left panel", 24)
    'The Garden of Earthly…'
    >>> short_label("cat.jpg", 16)
    'cat.jpg'
    """
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    stem, ext = posixpath.splitext(text)
    if not (1 < len(ext) <= 5 and " " not in ext and len(ext) < width // 2):
        stem, ext = text, ""
    room = max(1, width - len(ext) - 1)
    cut = stem[:room]
    seps = [cut.rfind(s) for s in (" ", "_", "-", ".", ",", "/")]
    at = max(seps)
    if at >= room // 2:
        cut = cut[:at]
    return cut.rstrip(" _-.,/") + ELLIPSIS + ext


def elide_middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, elided in the middle: a path keeps its
    first folder and as many of its last parts (the file name first) as fit.

    >>> elide_middle("archive/2021/scans/box 4/letter_0042.tif", 32)
    'archive/…/box 4/letter_0042.tif'
    >>> elide_middle("a_very_long_file_name_without_folders.jpg", 20)
    'a_very…t_folders.jpg'
    """
    if len(text) <= width:
        return text
    parts = text.split("/")
    if len(parts) > 1 and len(parts[-1]) + 2 <= width:
        head = parts[0] + "/" if len(parts) > 2 and parts[0] else ""
        tail = parts[-1]
        for part in reversed(parts[1:-1]):
            if len(head) + len(ELLIPSIS) + 1 + len(part) + 1 + len(tail) > width:
                break
            tail = part + "/" + tail
        head = head if len(head) + len(ELLIPSIS) + 1 + len(tail) <= width else ""
        return f"{head}{ELLIPSIS}/{tail}"
    if len(parts) > 1 and len(parts[-1]) + 1 <= width:
        return ELLIPSIS + parts[-1]  # the whole file name, its folders elided
    keep = max(width - 1, 1)
    right = (keep + 1) // 2 + keep // 6
    left = keep - right
    return text[:left] + ELLIPSIS + text[len(text) - right :]


def common_folder(uris: Iterable[str]) -> str:
    """The deepest folder holding every local path of ``uris`` ("" when there is none,
    or when some are URLs)."""
    paths = [u for u in uris if u]
    if not paths or any(_is_url(u) for u in paths):
        return ""
    try:
        return os.path.commonpath([os.path.dirname(p) for p in paths])
    except ValueError:  # relative and absolute, or several drives
        return ""


def relative_paths(uris: Sequence[str], root: str | None = None) -> tuple[str, list[str]]:
    """``(root, paths relative to it)``: the common folder of ``uris`` (or ``root``)
    and each path below it, ``/``-separated; URLs are left whole.

    >>> relative_paths(["/d/photos/a.jpg", "/d/photos/x/b.jpg"])
    ('/d/photos', ['a.jpg', 'x/b.jpg'])
    """
    root = common_folder(uris) if root is None else root
    if not root:
        return "", [str(u) for u in uris]
    out = []
    for u in uris:
        try:
            rel = os.path.relpath(u, root) if u else ""
        except ValueError:
            rel = u
        out.append(u if rel.startswith("..") else rel.replace(os.sep, "/"))
    return root, out
