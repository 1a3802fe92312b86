"""Pairs sampled per similarity band (0.5-0.6, ..., 0.95-1.0): what a threshold means,
shown with real pairs, so that a person can choose it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lookalike.analysis.duplicate_pairs import Pairs
from lookalike.search import KnnIndex

__all__ = ["DEFAULT_BANDS", "sample_band_pairs"]

DEFAULT_BANDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def sample_band_pairs(
    index: KnnIndex,
    vectors: np.ndarray,
    bands: Sequence[float] = DEFAULT_BANDS,
    *,
    per_band: int = 4,
    max_queries: int = 2000,
    block: int = 512,
    seed: int = 0,
) -> list[tuple[float, float, Pairs]]:
    """Up to ``per_band`` random pairs ``i < j`` whose score lies in each band
    ``[bands[k], bands[k + 1])`` (the last band ends at 1.0 inclusive).

    Pairs come from a range search in ``index`` (an exact index over ``vectors``) of
    ``max_queries`` random rows, ``block`` at a time (exhaustive when the collection is
    no larger than ``max_queries``).

    Returns
    -------
    list of (low, high, Pairs)

    Examples
    --------
    >>> from lookalike.search import FlatIndex
    >>> x = np.array([[1, 0], [0.96, 0.28], [0.6, 0.8], [0, 1]], dtype=np.float32)
    >>> [(lo, len(p)) for lo, hi, p in sample_band_pairs(FlatIndex.from_vectors(x), x, (0.5, 0.9))]
    [(0.5, 3), (0.9, 1)]
    """
    n = len(vectors)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, min(n, max_queries), replace=False))
    edges = np.asarray([*bands, np.inf], dtype=np.float64)
    found: list[list[np.ndarray]] = [[] for _ in bands]
    for s in range(0, len(rows), block):
        q_rows = rows[s : s + block]
        lims, scores, ids = index.range_search(
            np.asarray(vectors[q_rows], dtype=np.float32), float(edges[0])
        )
        gi, gj = np.repeat(q_rows, np.diff(lims)), ids
        keep = gi < gj if len(rows) == n else gi != gj
        gi, gj, sc = gi[keep], gj[keep], scores[keep]
        band = np.searchsorted(edges, sc, side="right") - 1
        for k in range(len(bands)):
            sel = band == k
            if sel.any():
                found[k].append(
                    np.stack([np.minimum(gi[sel], gj[sel]), np.maximum(gi[sel], gj[sel])], axis=1)
                )
    out = []
    for k, lo in enumerate(bands):
        hi = float(edges[k + 1]) if k + 1 < len(bands) else 1.0
        if found[k]:
            ij = np.unique(np.concatenate(found[k]), axis=0)
            ij = ij[rng.choice(len(ij), min(per_band, len(ij)), replace=False)]
        else:
            ij = np.zeros((0, 2), np.int64)
        i, j = ij[:, 0].astype(np.int64), ij[:, 1].astype(np.int64)
        sc = (
            np.einsum(
                "ij,ij->i", np.asarray(vectors[i], np.float32), np.asarray(vectors[j], np.float32)
            )
            if len(i)
            else np.zeros(0, np.float32)
        )
        order = np.argsort(-sc, kind="stable")
        out.append((float(lo), hi, Pairs(i[order], j[order], sc[order].astype(np.float32))))
    return out
