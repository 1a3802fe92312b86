"""Every image's ``k`` most similar other images, from one blockwise self-search (the
table the server's catalogue API answers "similar images" from)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NeighborTable", "neighbor_table", "top_k_table"]


@dataclass(frozen=True)
class NeighborTable:
    """``rows[i]`` (positions in ``ids``) and ``scores[i]`` of image ``i``'s most similar
    other images, best first; missing hits are ``-1``."""

    ids: np.ndarray
    scores: np.ndarray
    rows: np.ndarray


def top_k_table(scores: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop each row's own id (and missing ``-1`` hits) from a self-search of
    ``k + 1`` neighbours; keep the best ``k``. No input validation.

    Returns ``(scores, rows)`` of shape (n, k); missing hits are ``-1``.

    >>> rows = np.array([[0, 1, 2], [0, 1, 2], [2, 1, -1]])
    >>> scores = np.array([[1, .9, .5], [1, 1, .5], [1, .5, -np.inf]], dtype=np.float32)
    >>> top_k_table(scores, rows, 2)[1].tolist()
    [[1, 2], [0, 2], [1, -1]]
    """
    n = len(rows)
    keep = (rows >= 0) & (rows != np.arange(n)[:, None])
    order = np.argsort(~keep, axis=1, kind="stable")[:, :k]
    out_rows = np.take_along_axis(rows, order, axis=1)
    out_scores = np.take_along_axis(scores, order, axis=1)
    out_rows[~np.take_along_axis(keep, order, axis=1)] = -1
    return out_scores, out_rows


def neighbor_table(
    index, vectors: np.ndarray, ids: np.ndarray, k: int, *, block: int = 8192
) -> NeighborTable:
    """Search ``index`` (a ``KnnIndex`` over ``vectors``) for each vector's ``k + 1``
    nearest and keep the ``k`` that are not itself; queries are read ``block`` rows at
    a time (a lazy view, such as float16 rows read as float32, stays one)."""
    want = min(k + 1, len(vectors))
    parts = [
        index.search(np.asarray(vectors[s : s + block], dtype=np.float32), want)
        for s in range(0, len(vectors), block)
    ]
    scores = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, want), np.float32)
    rows = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, want), np.int64)
    scores, rows = top_k_table(scores, rows, k)
    return NeighborTable(ids, scores, rows)
