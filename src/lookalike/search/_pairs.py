"""Exact self-join: every pair of rows whose inner product is ``>= t``, block by block,
with an exact bound that skips most of the work.

No library does this: FAISS range search over a flat index scores every pair in full
(and returns each pair twice), and scikit-learn's ``radius_neighbors`` builds the full
distance rows. Here the pairs come from blockwise matrix products over the upper
triangle, so extra memory is bounded by the block whatever N is, and a cheap exact
upper bound on each score prunes the pairs that cannot reach the threshold:

    <x, y> = <Px, Py> + <Rx, Ry>  <=  <Px, Py> + |Rx| |Ry|

where ``P`` projects on the top ``k`` principal axes of the rows and ``R = I - P``
(Cauchy-Schwarz on the residuals). Appending ``|Rx|`` to ``Px`` turns the bound into
one ``(k + 1)``-dimensional matrix product. Every pair the bound lets through is
scored exactly on the full rows, so the result is the same as the full product's: the
bound only decides how much work is skipped. The bound itself costs ``(k + 1) / dim``
of the full arithmetic (a fifth at ``k = 256``, ``dim = 1280``); how many pairs survive
it depends on the data and is measured on a sample first, with the plain product as
the fallback (see ``bench/duplicates_bound.py``: on real embeddings it is).
"""

from __future__ import annotations

import numpy as np

from lookalike._mmap import read_block, read_rows, release_pages

__all__ = ["pairs_above", "top_axes"]

_BOUND_DIMS = (64, 128, 256)  # the sizes of projection tried for the bound
# A pair re-scored alone (two gathered rows) costs about this many dims of a blocked
# product: measured on real embeddings (6000 crops of 60 photos, bench notes in
# docs/duplicates.md), where a bound that let 0.3% of the pairs through was 2x slower.
_RESCORE_COST = 256
_SLACK = 1e-4  # float32 rounding of the bound and of the residual norms is far below
_MIN_ROWS = 8192  # below this the plain product is over in moments


def top_axes(second_moment: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` leading eigenvectors of a symmetric ``(d, d)`` matrix, as orthonormal
    float64 columns (two steps of subspace iteration: a full ``eigh`` takes seconds at
    d = 1280, and near-leading axes serve PCA and the bound as well).

    >>> m = np.diag([1.0, 5.0, 3.0])
    >>> np.abs(top_axes(m, 2)).round(6).T.tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    from threadpoolctl import threadpool_limits

    d = len(second_moment)
    q = np.random.default_rng(0).standard_normal((d, min(d, k + 16)))
    # One thread: LAPACK's threads on a problem this small are slower (20 ms against
    # 0.4-1.5 s per QR, measured while other processes kept both cores busy).
    with threadpool_limits(limits=1):
        for _ in range(2):
            q, _ = np.linalg.qr(second_moment @ q)
        w, v = np.linalg.eigh(q.T @ second_moment @ q)
    return q @ v[:, np.argsort(-w)[:k]]


def pairs_above(
    x,
    threshold: float,
    *,
    block: int = 2048,
    db_block: int = 16384,
    bound_dims: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair ``i < j`` of rows of ``x`` with ``x[i] @ x[j] >= threshold``.

    Parameters
    ----------
    x : array-like of shape (n, dim)
        Rows, read block by block (a memory map stays one; its pages are released
        after each block).
    threshold : float
    block, db_block : int
        Rows of the query and database blocks scored together (extra memory is about
        ``4 * block * db_block`` bytes).
    bound_dims : int, optional
        Dimensions of the projection behind the pruning bound; ``0`` scores every
        pair in full. By default the cheapest of 64, 128 and 256 (or none) is chosen
        from the share of pairs of a 2048-row sample its bound lets through.

    Returns
    -------
    i, j : ndarray of int64
    scores : ndarray of float32
        In no particular order.

    Examples
    --------
    >>> x = np.array([[1, 0], [0.96, 0.28], [0, 1]], dtype=np.float32)
    >>> i, j, s = pairs_above(x, 0.9)
    >>> i.tolist(), j.tolist(), [round(float(v), 2) for v in s]
    ([0], [1], [0.96])
    """
    dim = x.shape[1]
    axes = None
    if bound_dims is None:
        bound_dims, axes = _choose_bound(x, threshold)
    if bound_dims <= 0 or bound_dims >= dim:
        parts = _join(x, x, threshold, block, db_block)
    else:
        axes = _axes(x, bound_dims) if axes is None else axes[:, :bound_dims]
        bound = _bound_rows(x, axes)
        parts = _join(bound, x, threshold - _SLACK, block, db_block, t=threshold)
    i, j, s = (np.concatenate(p) for p in parts) if parts[0] else _no_pairs()
    return i.astype(np.int64), j.astype(np.int64), s.astype(np.float32)


def _no_pairs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


def _join(a, x, t_a: float, block: int, db_block: int, t: float | None = None):
    """Upper-triangle blocks of ``a @ a.T`` kept at ``>= t_a``; when ``a`` is a bound
    (``t`` given), the survivors are re-scored on ``x`` and kept at ``>= t``."""
    n = len(x)
    out_i, out_j, out_s = [], [], []
    for qs in range(0, n, block):
        qa = np.asarray(a[qs : qs + block], dtype=np.float32)
        qx = qa if t is None else read_block(x, qs, qs + block)
        for ds in range(qs, n, db_block):
            da = np.asarray(a[ds : ds + db_block], dtype=np.float32)
            if t is None:
                release_pages(x)
            s = qa @ da.T
            if ds == qs:  # every row meets itself: not a pair, and it would slow _hits
                diag = np.arange(len(qa))
                s[diag, diag] = -np.inf
            rows, cols = _hits(s, t_a)
            keep = cols + ds > rows + qs  # the diagonal block holds (i, i) and (j, i) too
            rows, cols = rows[keep], cols[keep]
            if t is None:
                scores = s[rows, cols]
            elif len(rows) * _RESCORE_COST > s.size:  # a dense block: score it in full
                dx = read_block(x, ds, ds + db_block)
                scores = (qx @ dx.T)[rows, cols]
            else:
                scores = _rescore(qx, x, rows, cols + ds)
            if t is not None:
                ok = scores >= t
                rows, cols, scores = rows[ok], cols[ok], scores[ok]
            out_i.append(rows + qs)
            out_j.append(cols + ds)
            out_s.append(scores)
    return out_i, out_j, out_s


def _hits(s: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero(s >= t)``, faster when hits are rare: only rows with a hit are
    scanned for their columns."""
    mask = s >= t
    rows = np.flatnonzero(mask.any(axis=1))
    r, cols = np.nonzero(mask[rows])
    return rows[r], cols


def _rescore(qx: np.ndarray, x, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Exact scores of ``qx[rows]`` with rows ``cols`` of ``x`` (each fetched once)."""
    if len(rows) == 0:
        return np.zeros(0, np.float32)
    wanted, where = np.unique(cols, return_inverse=True)
    dx = read_rows(x, wanted)
    return np.einsum("ij,ij->i", qx[rows], dx[where])


def _axes(x, k: int, sample: int = 2048) -> np.ndarray:
    """Top ``k`` axes of the (uncentred) second moment of a sample of rows: the shared
    mean direction of image embeddings is the first of them."""
    n = len(x)
    take = np.sort(np.random.default_rng(0).choice(n, min(n, sample), replace=False))
    s = read_rows(x, take)
    return top_axes((s.T @ s).astype(np.float64), k).astype(np.float32)


def _bound_rows(x, axes: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """``[x P, |x R|]`` for every row: ``(n, k + 1)`` float32 (``k`` = axes)."""
    k = axes.shape[1]
    out = np.empty((len(x), k + 1), dtype=np.float32)
    for s in range(0, len(x), chunk):
        rows = read_block(x, s, s + chunk)
        proj = rows @ axes
        out[s : s + len(rows), :k] = proj
        out[s : s + len(rows), k] = np.linalg.norm(rows - proj @ axes.T, axis=1)
    return out


def _share(a: np.ndarray, t: float) -> float:
    """The share of pairs ``i != j`` of rows of ``a`` with ``a[i] @ a[j] >= t`` (counted
    on the whole product, less the diagonal)."""
    n = len(a)
    hits = np.count_nonzero(a @ a.T >= t) - np.count_nonzero((a * a).sum(1) >= t)
    return hits / max(1, n * (n - 1))


def _choose_bound(x, t: float) -> tuple[int, np.ndarray | None]:
    """(projection size, axes) with the least estimated work, or (0, None) for the
    plain product: when ``x`` is small, or when the pairs of a sample that reach ``t``
    are already too many for any bound to pay (then no axes are computed)."""
    n, dim = x.shape
    if n < _MIN_ROWS or dim <= 2 * _BOUND_DIMS[0]:
        return 0, None
    rows = np.sort(np.random.default_rng(1).choice(n, min(n, 2048), replace=False))
    s = read_rows(x, rows)
    if _share(s, t) * _RESCORE_COST * dim + _BOUND_DIMS[0] >= 0.8 * dim:
        return 0, None
    axes = _axes(x, max(_BOUND_DIMS))
    return _choose_bound_dims(s, t, axes), axes


def _choose_bound_dims(s: np.ndarray, t: float, axes: np.ndarray) -> int:
    """The projection size (a prefix of ``axes``) with the least estimated work per
    pair, measured on the pairs of the sample rows ``s`` (0: no bound, the plain
    product)."""
    dim = s.shape[1]
    best, best_cost = 0, float(dim)
    for k in _BOUND_DIMS:
        if 2 * k >= dim:
            break
        b = _bound_rows(s, axes[:, :k])
        cost = k + 1 + _share(b, t - _SLACK) * _RESCORE_COST * dim
        if cost < best_cost:
            best, best_cost = k, cost
    return best if best_cost < 0.8 * dim else 0
