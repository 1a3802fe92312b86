"""Pairs of images labelled "same" or "different" by a person, kept in the catalog (the
``labels`` table), and read from CSV files. Calibration reads them."""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

from lookalike.errors import ImageNotFound
from lookalike.store.catalog import Catalog

__all__ = ["LabelStore", "LabelledPair", "read_labels_csv"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    a          TEXT NOT NULL,  -- image ids, a < b
    b          TEXT NOT NULL,
    label      TEXT NOT NULL CHECK (label IN ('same', 'different')),
    source     TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    PRIMARY KEY (a, b)
)
"""

_SAME = {"same", "1", "true", "yes", "y", "duplicate", "dup"}
_HEADER = {"label", "labels", "is_duplicate"}
_DIFFERENT = {"different", "0", "false", "no", "n", "distinct"}


@dataclass(frozen=True)
class LabelledPair:
    """Two images (ids or paths as written) and whether they show the same picture."""

    a: str
    b: str
    same: bool


def parse_label(value: str) -> bool | None:
    """True for same, False for different, None if the word is not known.

    >>> parse_label("Same"), parse_label("0"), parse_label("maybe")
    (True, False, None)
    """
    word = value.strip().lower()
    return True if word in _SAME else False if word in _DIFFERENT else None


def read_labels_csv(path: str | os.PathLike) -> list[LabelledPair]:
    """Read a CSV of labelled pairs: columns ``a, b, label`` (ids or paths; an optional
    header row whose third cell is ``label``; labels same/different, 1/0, true/false,
    yes/no).

    Raises
    ------
    FileNotFoundError, ValueError
        With the file name and the line of the first bad row.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No labels file at {str(path)!r}.")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    pairs = []
    for line, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if line == 1 and len(cells) >= 3 and cells[2].lower() in _HEADER:
            continue
        if len(cells) < 3 or not cells[0] or not cells[1]:
            raise ValueError(f"{path.name} line {line}: expected 'a,b,label', got {row!r}.")
        same = parse_label(cells[2])
        if same is None:
            raise ValueError(
                f"{path.name} line {line}: label {cells[2]!r} is not one of same/different "
                "(or 1/0, true/false, yes/no)."
            )
        pairs.append(LabelledPair(cells[0], cells[1], same))
    if not pairs:
        raise ValueError(f"{path.name} holds no labelled pairs.")
    return pairs


class LabelStore:
    """The ``labels`` table of a collection's catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        with catalog.transaction() as cur:
            cur.execute(_SCHEMA)

    def add(self, pairs: list[tuple[str, str, bool]], *, source: str = "") -> None:
        """Store (or overwrite) labels for pairs of image ids, all in one transaction."""
        now = time.time()
        with self.catalog.transaction() as cur:
            for a, b, same in pairs:
                if a == b:
                    raise ValueError(f"A pair needs two different images; got {a!r} twice.")
                for image_id in (a, b):
                    if not cur.execute("SELECT 1 FROM images WHERE id = ?", (image_id,)).fetchone():
                        raise ImageNotFound(f"No image {image_id!r} in the collection.")
                a, b = sorted((a, b))
                cur.execute(
                    "INSERT OR REPLACE INTO labels (a, b, label, source, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (a, b, "same" if same else "different", source, now),
                )

    def all(self) -> list[LabelledPair]:
        rows = self.catalog._query("SELECT a, b, label FROM labels ORDER BY created_at, a, b")
        return [LabelledPair(r[0], r[1], r[2] == "same") for r in rows]

    def __len__(self) -> int:
        return int(self.catalog._query("SELECT COUNT(*) FROM labels")[0][0])
