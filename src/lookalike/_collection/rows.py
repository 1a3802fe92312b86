"""Catalog rows to vector rows: the one place that says an image has no vector."""

from __future__ import annotations

import numpy as np

from lookalike.errors import ImageNotFound
from lookalike.store import Embeddings, ImageRow, Store
from lookalike.store.lookup import find_image

__all__ = ["vector_row", "vector_rows"]


def vector_row(emb: Embeddings, row: ImageRow) -> int:
    """The row of the image ``row`` in the vectors ``emb``.

    Raises
    ------
    ImageNotFound
        If the image has no vector for ``emb``'s model (with the catalog's reason).
    """
    found = emb.positions().get(row.id)
    if found is None:
        why = row.error or "not embedded with it, or its vector was lost (`lookalike info`)"
        raise ImageNotFound(f"Image {row.id!r} has no vector for {emb.model}: {why}")
    return found


def vector_rows(store: Store, emb: Embeddings, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Vector rows of images given as (a, b, a, b, ...) ids or paths."""
    rows = np.array([vector_row(emb, find_image(store, key)) for key in keys], dtype=np.int64)
    return rows[0::2], rows[1::2]
