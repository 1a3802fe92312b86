"""FAISS behind the same :class:`KnnIndex` interface (exact flat, IVF or HNSW)."""

from __future__ import annotations

import os

import numpy as np

from lookalike.search._base import KnnIndex

__all__ = ["FaissIndex"]

KINDS = ("flat", "ivf", "hnsw", "hnsw-sq")


class FaissIndex(KnnIndex):
    """A faiss index: ``kind="flat"`` is exact; ``"ivf"``, ``"hnsw"`` and ``"hnsw-sq"``
    (HNSW over 8-bit scalar-quantised vectors: a quarter of the memory, approximate
    scores) are approximate.

    Parameters
    ----------
    dim : int
    metric : {"cosine", "l2"}, default="cosine"
        Cosine is the inner product of unit vectors.
    kind : {"flat", "ivf", "hnsw", "hnsw-sq"}, default="flat"
    nlist : int, optional
        IVF cells (default ~ 4 * sqrt(n) at the first ``add``); trained on the first add.
    nprobe : int, default=16
        IVF cells visited per query.
    hnsw_m : int, default=32
    ef_search : int, default=128
    threads : int, optional
        OpenMP threads (default: the cores available).

    Examples
    --------
    >>> x = np.eye(4, dtype=np.float32)
    >>> index = FaissIndex(4)
    >>> index.add(x)
    >>> index.search(x[:1], 2)[1].tolist()
    [[0, 1]]
    """

    def __init__(
        self,
        dim: int,
        *,
        metric: str = "cosine",
        kind: str = "flat",
        nlist: int | None = None,
        nprobe: int = 16,
        hnsw_m: int = 32,
        ef_search: int = 128,
        threads: int | None = None,
    ) -> None:
        super().__init__(dim, metric=metric)
        if kind not in KINDS:
            raise ValueError(
                f"The 'kind' parameter of FaissIndex must be one of "
                f"{', '.join(map(repr, KINDS))}. Got {kind!r} instead."
            )
        import faiss

        faiss.omp_set_num_threads(threads or os.cpu_count() or 1)
        self.kind = kind
        self.nlist, self.nprobe = nlist, nprobe
        self.hnsw_m, self.ef_search = hnsw_m, ef_search
        self._faiss_metric = faiss.METRIC_INNER_PRODUCT if metric == "cosine" else faiss.METRIC_L2
        self._index = None
        if kind == "flat":
            self._index = faiss.IndexFlat(dim, self._faiss_metric)
        elif kind == "hnsw":
            self._index = faiss.IndexHNSWFlat(dim, hnsw_m, self._faiss_metric)
            self._index.hnsw.efSearch = ef_search
        elif kind == "hnsw-sq":  # trained (the quantiser's ranges) on the first add
            qt = faiss.ScalarQuantizer.QT_8bit
            self._index = faiss.IndexHNSWSQ(dim, qt, hnsw_m, self._faiss_metric)
            self._index.hnsw.efSearch = ef_search

    @property
    def faiss_index(self):
        """The underlying faiss object (``None`` for IVF before the first add)."""
        return self._index

    @property
    def ntotal(self) -> int:
        return 0 if self._index is None else int(self._index.ntotal)

    def _add(self, vectors: np.ndarray) -> None:
        if self.kind == "hnsw-sq" and not self._index.is_trained:
            self._index.train(vectors)
        if self._index is None:  # IVF: train the coarse quantiser on the first batch
            import faiss

            nlist = self.nlist or max(1, min(len(vectors) // 39, int(4 * np.sqrt(len(vectors)))))
            quantizer = faiss.IndexFlat(self.dim, self._faiss_metric)
            index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, self._faiss_metric)
            rng = np.random.default_rng(0)
            sample = vectors[rng.choice(len(vectors), min(len(vectors), nlist * 64), replace=False)]
            index.train(sample)
            index.nprobe = self.nprobe
            self._index, self.nlist = index, nlist
        self._index.add(vectors)

    def _search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.ntotal == 0:
            empty = np.inf if self.metric == "l2" else -np.inf
            return np.full((len(queries), k), empty, np.float32), np.full((len(queries), k), -1)
        scores, ids = self._index.search(queries, k)
        return scores.astype(np.float32), ids.astype(np.int64)

    def _range_search(
        self, queries: np.ndarray, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self.kind.startswith("hnsw"):
            raise NotImplementedError("faiss HNSW has no range search; use kind='ivf' or 'flat'.")
        if self.ntotal == 0:
            return (
                np.zeros(len(queries) + 1, np.int64),
                np.zeros(0, np.float32),
                np.zeros(0, np.int64),
            )
        # faiss keeps scores > t for inner product and distances < t for L2; nudge the
        # threshold so that both include equality, as FlatIndex does.
        t = np.nextafter(
            np.float32(threshold), np.float32(-np.inf if self.metric == "cosine" else np.inf)
        )
        lims, scores, ids = self._index.range_search(queries, float(t))
        out_s, out_i = scores.astype(np.float32), ids.astype(np.int64)
        # Sort each query's hits best first (faiss returns them in index order).
        for q in range(len(queries)):
            a, b = lims[q], lims[q + 1]
            order = np.argsort(
                -out_s[a:b] if self.metric == "cosine" else out_s[a:b], kind="stable"
            )
            out_s[a:b], out_i[a:b] = out_s[a:b][order], out_i[a:b][order]
        return lims.astype(np.int64), out_s, out_i
