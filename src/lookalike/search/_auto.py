"""A compressed FAISS IVF index for large collections (its settings by size), and the
recall of any index's range search on a sample. The policy that picks it is in
``_policy.py``."""

from __future__ import annotations

import numpy as np

from lookalike._mmap import read_rows, release_pages
from lookalike.search._base import KnnIndex, as_float32_rows
from lookalike.search._faiss import FaissIndex
from lookalike.search._flat import FlatIndex
from lookalike.search._pairs import top_axes

__all__ = ["FaissIVFIndex", "ivf_settings", "range_recall"]


class FaissIVFIndex(FaissIndex):
    """FAISS IVF over centred, PCA-reduced, re-normalised, 8-bit quantised vectors
    (cosine only).

    About ``pca`` bytes per vector (256 MB per million at ``pca=256``); scores are
    approximate cosines in the reduced space, so callers that need exact scores
    re-score the hits on the original vectors (as ``near_duplicate_pairs`` does).

    Parameters
    ----------
    dim : int
    pca : int, default=256
        Dimensions kept (no reduction when ``pca >= dim``).
    nlist : int, optional
        IVF cells (default ``sqrt(n)``, at least 1, at most ``n // 39``).
    nprobe : int, default=24
    train_size : int, default=100_000
        Vectors sampled from the first ``add`` to train PCA and the coarse quantiser.
    """

    def __init__(
        self,
        dim: int,
        *,
        pca: int = 256,
        nlist: int | None = None,
        nprobe: int = 24,  # planted-pair recall at 1M: 0.992 at 16, 0.997 at 24
        train_size: int = 100_000,
        threads: int | None = None,
    ) -> None:
        super().__init__(dim, metric="cosine", kind="flat", threads=threads)
        self.kind = "ivf"
        self.pca, self.nlist, self.nprobe, self.train_size = pca, nlist, nprobe, train_size
        self._index = None
        self._mean: np.ndarray | None = None
        self._axes: np.ndarray | None = None

    def train(self, vectors, n_total: int | None = None) -> None:
        """Learn PCA and the IVF cells from a random sample of ``vectors`` (any array-like
        with row slicing), for an index that will hold ``n_total`` vectors."""
        import faiss

        n = len(vectors)
        n_total = n_total or n
        nlist = self.nlist or max(1, min(n_total // 39, int(np.sqrt(n_total))))
        rng = np.random.default_rng(0)
        take = np.sort(rng.choice(n, min(n, max(self.train_size, 39 * nlist)), replace=False))
        sample = read_rows(vectors, take)
        self._fit_pca(sample[:: max(1, len(sample) // 20_000)])
        index = faiss.index_factory(
            self._reduced_dim, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT
        )
        index.train(self._reduce(sample))
        index.nprobe = self.nprobe
        self._index, self.nlist = index, nlist

    def _add(self, vectors: np.ndarray) -> None:
        if self._index is None:
            self.train(vectors)
        for s in range(0, len(vectors), 65536):
            self._index.add(self._reduce(vectors[s : s + 65536]))
            release_pages(vectors)

    def _fit_pca(self, sample: np.ndarray) -> None:
        """Principal axes of ``sample`` (NumPy: faster here than faiss's PCAMatrix)."""
        self._mean = sample.mean(axis=0)
        if self.pca >= self.dim:
            self._axes = None
            return
        centred = sample - self._mean
        axes = top_axes((centred.T @ centred).astype(np.float64), self.pca)
        self._axes = np.ascontiguousarray(axes, dtype=np.float32)

    @property
    def _reduced_dim(self) -> int:
        return self.dim if self._axes is None else self.pca

    def _reduce(self, x: np.ndarray) -> np.ndarray:
        """Centre, project on the principal axes, re-normalise. No input validation."""
        x = np.asarray(x, dtype=np.float32) - self._mean
        if self._axes is not None:
            x = x @ self._axes
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return np.ascontiguousarray(np.divide(x, norms, out=np.zeros_like(x), where=norms > 0))

    def _search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.ntotal == 0:
            return super()._search(queries, k)
        scores, ids = self._index.search(self._reduce(queries), k)
        return scores.astype(np.float32), ids.astype(np.int64)

    def _range_search(self, queries, threshold):
        if self.ntotal == 0:
            return super()._range_search(queries, threshold)
        lims, scores, ids = self._index.range_search(self._reduce(queries), float(threshold))
        lims = lims.astype(np.int64)
        rows = np.repeat(np.arange(len(queries)), np.diff(lims))
        order = np.lexsort((ids, -scores, rows))  # by query, best first
        return lims, scores[order].astype(np.float32), ids[order].astype(np.int64)


def ivf_settings(n: int) -> dict[str, int]:
    """IVF cells and PCA dimensions for ``n`` vectors, as measured in
    ``bench/duplicates_scale.py``: about ``4 sqrt(n)`` cells (at most 4096), and 128 PCA
    dimensions from 500k vectors on, which halves the scan at a million.

    >>> ivf_settings(1_000_000), ivf_settings(100)
    ({'nlist': 4000, 'pca': 128}, {'nlist': 2, 'pca': 256})
    """
    nlist = max(1, min(4096, 4 * int(np.sqrt(n)), n // 39))  # faiss: 39 points a cell
    return {"nlist": nlist, "pca": 256 if n < 500_000 else 128}


def range_recall(
    index: KnnIndex,
    vectors: np.ndarray,
    threshold: float,
    *,
    candidate_threshold: float | None = None,
    sample: int = 1000,
    seed: int = 0,
) -> float:
    """Recall of ``index.range_search`` (then exact re-scoring) against exact search,
    over the pairs ``(q, j)``, ``score >= threshold``, of ``sample`` random rows ``q``.

    Returns 1.0 when the sample holds no pair above the threshold.

    >>> x = np.eye(4, dtype=np.float32)
    >>> range_recall(FlatIndex.from_vectors(x), x, 0.5)
    1.0
    """
    n = len(vectors)
    rows = np.sort(np.random.default_rng(seed).choice(n, min(n, sample), replace=False))
    q = as_float32_rows(np.asarray(vectors[rows]), vectors.shape[1])
    exact = FlatIndex.from_vectors(vectors, stream=True)  # one scan: keep one block resident
    truth_lims, _, truth_ids = exact.range_search(q, threshold)
    t_cand = threshold if candidate_threshold is None else candidate_threshold
    lims, _, ids = index.range_search(q, t_cand)
    found = total = 0
    for k, r in enumerate(rows):
        truth = set(truth_ids[truth_lims[k] : truth_lims[k + 1]].tolist()) - {int(r)}
        if not truth:
            continue
        cand = np.array(sorted(set(ids[lims[k] : lims[k + 1]].tolist()) & truth), dtype=np.int64)
        total += len(truth)
        if len(cand):
            s = np.asarray(vectors[cand], dtype=np.float32) @ q[k]
            found += int(np.sum(s >= threshold))
    return found / total if total else 1.0
