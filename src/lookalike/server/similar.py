"""Similar images for the catalogue endpoint: a table of every image's ``k_max`` most
similar images, computed once with one blockwise kNN search (the catalogue API also
precomputes its similar features), or a search per request.

The table is rebuilt when the collection's vectors change (a new ``Embeddings`` object).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from lookalike import Collection, ImageNotFound, ImageRow

__all__ = ["SimilarImages"]


@dataclass(frozen=True)
class _Table:
    embeddings: object  # the Embeddings object it was computed from
    positions: dict[str, int]
    ids: np.ndarray
    scores: np.ndarray
    rows: np.ndarray
    catalog_rows: dict = field(default_factory=dict)  # id -> ImageRow, filled on use


# How long a table is trusted before checking that the vectors did not change.
RECHECK_SECONDS = 1.0
MAX_CACHED_ROWS = 200_000


class SimilarImages:
    """``similar(id, k)`` -> ``[(id, score), ...]``, best first.

    Parameters
    ----------
    collection : Collection
    k_max : int
        The most neighbours a request may ask for (the table's width).
    precompute : bool
        Answer from a table of every image's neighbours (built by :meth:`warm`, or on
        first use); else call ``Collection.neighbors`` per request.

    The collection's default model answers (bound once, see :func:`lookalike.open`).
    """

    def __init__(self, collection: Collection, *, k_max: int, precompute: bool) -> None:
        self.collection = collection
        self.k_max = k_max
        self.precompute = precompute
        self._table: _Table | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def is_fast(self) -> bool:
        """True when ``similar`` is a lookup in an up-to-date table (no search):
        cheap enough to answer on the event loop."""
        if not self.precompute or self._table is None:
            return False
        if time.monotonic() - self._checked_at < RECHECK_SECONDS:
            return True
        try:
            return self._table.embeddings is self.collection.embeddings()
        except Exception:
            return False

    def warm(self) -> None:
        """Build the table now (at start-up) instead of on the first request."""
        if self.precompute:
            self._current()

    def _current(self) -> _Table:
        table = self._table
        if table is not None and time.monotonic() - self._checked_at < RECHECK_SECONDS:
            return table
        emb = self.collection.embeddings()
        if table is not None and table.embeddings is emb:
            self._checked_at = time.monotonic()
            return table
        with self._lock:
            if self._table is None or self._table.embeddings is not emb:
                found = self.collection.all_neighbors(self.k_max, model=emb.model)
                self._table = _Table(emb, emb.positions(), found.ids, found.scores, found.rows)
            self._checked_at = time.monotonic()
            return self._table

    def image(self, image_id: str) -> ImageRow:
        """``Collection.image(image_id)``, remembered while the table is current (the
        rows of similar images are read again and again)."""
        table = self._table if self.precompute else None
        if table is None:
            return self.collection.image(image_id)
        row = table.catalog_rows.get(image_id)
        if row is None:
            row = self.collection.image(image_id)
            if len(table.catalog_rows) >= MAX_CACHED_ROWS:
                table.catalog_rows.clear()
            table.catalog_rows[image_id] = row
        return row

    def similar(self, image_id: str, k: int) -> list[tuple[str, float]]:
        """The ``k`` images most similar to ``image_id`` (in the collection), best first.

        No validation of ``k`` (the router checks it against ``k_max``).

        Raises
        ------
        ImageNotFound
            If the image has no vector.
        """
        if not self.precompute:
            hits = self.collection.neighbors(image_id, k=k)
            return [(h.id, h.score) for h in hits]
        table = self._current()
        pos = table.positions.get(image_id)
        if pos is None:
            raise ImageNotFound(f"Image {image_id!r} has no vector to compare.")
        rows, scores = table.rows[pos, :k], table.scores[pos, :k]
        return [(table.ids[r], float(s)) for r, s in zip(rows, scores, strict=True) if r >= 0]

    def ids(self) -> np.ndarray:
        """Every image with a vector, in collection order (the catalogue's listing)."""
        return self.collection.embeddings().ids
