"""Near-duplicate pairs: every pair of rows above a cosine threshold, never an N x N
matrix (the exact self-join of ``search.pairs_above``, or candidates from an index
re-scored exactly)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lookalike._mmap import read_block
from lookalike.analysis.duplicate_scores import pair_scores
from lookalike.search import KnnIndex, pairs_above

__all__ = ["Pairs", "near_duplicate_pairs"]


class Pairs(NamedTuple):
    """Pairs of rows ``i < j`` with their cosine ``score``, best first."""

    i: np.ndarray  # int64
    j: np.ndarray  # int64
    score: np.ndarray  # float32

    def __len__(self) -> int:  # type: ignore[override]
        return len(self.score)


def _empty_pairs() -> Pairs:
    return Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))


def _sorted_pairs(i: np.ndarray, j: np.ndarray, s: np.ndarray) -> Pairs:
    order = np.lexsort((j, i, -s))  # best first, ties by (i, j)
    return Pairs(i[order].astype(np.int64), j[order].astype(np.int64), s[order].astype(np.float32))


def near_duplicate_pairs(
    vectors: np.ndarray,
    *,
    threshold: float,
    index: KnnIndex | None = None,
    candidate_threshold: float | None = None,
    block: int = 2048,
    db_block: int = 16384,
    bound_dims: int | None = None,
) -> Pairs:
    """Every pair of rows whose cosine similarity is ``>= threshold``.

    Parameters
    ----------
    vectors : ndarray of shape (n, dim)
        Unit rows (a memory map is read block by block).
    threshold : float
        Cosine similarity in [-1, 1].
    index : KnnIndex, optional
        Without it the search is exact: blockwise matrix products over the upper
        triangle, keeping only the pairs above the threshold (extra memory about
        ``4 * block * db_block`` bytes, 128 MiB at the defaults), with an exact bound
        that skips the pairs that cannot reach it (``search.pairs_above``). With it, candidates
        come from ``index.range_search`` at ``candidate_threshold`` (an approximate index
        may score coarsely) and every candidate is re-scored exactly on ``vectors``.
    candidate_threshold : float, optional
        Range-search threshold for ``index`` (default: ``threshold``).
    block, db_block : int
        Query rows and database rows scored together.
    bound_dims : int, optional
        Dimensions of the exact search's pruning bound (``0``: score every pair in
        full; default: chosen on a sample).

    Returns
    -------
    Pairs
        ``i < j``, sorted by score, best first.

    Examples
    --------
    >>> x = np.array([[1, 0], [0.96, 0.28], [0, 1], [0.28, 0.96]], dtype=np.float32)
    >>> p = near_duplicate_pairs(x, threshold=0.9)
    >>> p.i.tolist(), p.j.tolist(), [round(float(v), 2) for v in p.score]
    ([0, 2], [1, 3], [0.96, 0.96])
    """
    if index is None:
        i, j, s = pairs_above(
            vectors, threshold, block=block, db_block=db_block, bound_dims=bound_dims
        )
        return _sorted_pairs(i, j, s)
    return _pairs_from_index(vectors, index, threshold, candidate_threshold, block)


def _pairs_from_index(
    x: np.ndarray, index: KnnIndex, t: float, t_cand: float | None, block: int
) -> Pairs:
    """Candidates by range search (both directions, merged), re-scored exactly."""
    n = len(x)
    keys = []
    for qs in range(0, n, block):
        q = read_block(x, qs, qs + block)
        lims, _, ids = index.range_search(q, t if t_cand is None else t_cand)
        rows = np.repeat(np.arange(qs, qs + len(q)), np.diff(lims))
        ok = (ids >= 0) & (ids != rows)
        a, b = np.minimum(rows[ok], ids[ok]), np.maximum(rows[ok], ids[ok])
        keys.append(np.unique(a * n + b))
    if not keys:
        return _empty_pairs()
    key = np.unique(np.concatenate(keys))
    i, j = key // n, key % n
    s = pair_scores(x, i, j)
    keep = s >= t
    return _sorted_pairs(i[keep], j[keep], s[keep])

