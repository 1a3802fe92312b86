"""The k nearest neighbours of every row of a collection, the search behind its kNN
graph, through the index the caller chose (``search.choose_index(..., task="graph")``);
the hits of an index over quantised vectors are re-scored exactly.

Search results become graph edges weighted by cosine distance ``1 - similarity``,
floored at ``MIN_DISTANCE`` so that identical images still have an edge.
"""

from __future__ import annotations

import numpy as np

from lookalike.search import KnnIndex

__all__ = ["MIN_DISTANCE", "exact_scores", "search_rows"]

MIN_DISTANCE = 1e-6


def search_rows(
    index: KnnIndex, vectors: np.ndarray, rows: np.ndarray, k: int, block: int
) -> tuple[np.ndarray, np.ndarray]:
    """``index.search`` for ``vectors[rows]``, block by block, with exact scores (an
    index over quantised vectors gets its hits re-scored and re-ordered).

    No input validation: ``1 <= k <= index.ntotal``.
    """
    scores = np.empty((len(rows), k), np.float32)
    ids = np.empty((len(rows), k), np.int64)
    quantised = getattr(index, "kind", "") == "hnsw-sq"
    for start in range(0, len(rows), block):
        sel = rows[start : start + block]
        if len(sel) and sel[-1] - sel[0] == len(sel) - 1:  # contiguous: a slice, no copy
            q = np.asarray(vectors[sel[0] : sel[-1] + 1], dtype=np.float32)
        else:
            q = np.asarray(vectors[sel], dtype=np.float32)
        s, i = index.search(q, k)
        if quantised:
            s, i = exact_scores(q, vectors, i)
        scores[start : start + len(sel)], ids[start : start + len(sel)] = s, i
    return scores, ids


def exact_scores(
    q: np.ndarray, vectors: np.ndarray, ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Inner products of ``q[r]`` with ``vectors[ids[r, c]]``, best first per row (-inf
    and id -1 stay last). No input validation."""
    out = np.full(ids.shape, -np.inf, dtype=np.float32)
    for c in range(ids.shape[1]):  # one column at a time: the gathered block stays small
        ok = ids[:, c] >= 0
        rows = np.asarray(vectors[ids[ok, c]], dtype=np.float32)
        out[ok, c] = np.einsum("ij,ij->i", q[ok], rows)
    order = np.argsort(-out, axis=1, kind="stable")
    return np.take_along_axis(out, order, 1), np.take_along_axis(ids, order, 1)
