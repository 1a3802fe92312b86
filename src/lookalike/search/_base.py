"""The one kNN interface (after faiss): ``add``, ``search``, ``range_search``."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

__all__ = ["METRICS", "KnnIndex", "as_float32_rows"]

METRICS = ("cosine", "l2")


def as_float32_rows(x: np.ndarray, dim: int | None = None, *, name: str = "x") -> np.ndarray:
    """``x`` as a C-contiguous float32 2-D array, checked against ``dim``."""
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (n, dim); got shape {arr.shape}.")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} has dim={arr.shape[1]}, the index has dim={dim}.")
    return np.ascontiguousarray(arr)


class KnnIndex(ABC):
    """A k-nearest-neighbour index over vectors.

    With ``metric="cosine"`` the vectors are expected L2-normalised (every lookalike
    Backbone guarantees it) and scores are inner products: larger is more similar.
    With ``metric="l2"`` distances are squared Euclidean: smaller is more similar.

    Attributes
    ----------
    dim : int
    ntotal : int
        Number of vectors added.
    metric : {"cosine", "l2"}
    """

    def __init__(self, dim: int, *, metric: str = "cosine") -> None:
        if metric not in METRICS:
            raise ValueError(
                f"The 'metric' parameter of {type(self).__name__} must be one of "
                f"{', '.join(map(repr, METRICS))}. Got {metric!r} instead."
            )
        self.dim = int(dim)
        self.metric = metric

    @property
    @abstractmethod
    def ntotal(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None:
        """Append ``vectors`` (n, dim); they get ids ``ntotal .. ntotal + n - 1``."""
        self._add(as_float32_rows(vectors, self.dim, name="vectors"))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best hits per query.

        Returns
        -------
        scores : ndarray of shape (n_queries, k), float32
            Similarities (cosine) or squared distances (l2), best first.
        ids : ndarray of shape (n_queries, k), int64
            Row ids; ``-1`` where there are fewer than ``k`` vectors.
        """
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"The 'k' parameter of search must be an int >= 1. Got {k!r}.")
        return self._search(as_float32_rows(queries, self.dim, name="queries"), k)

    def range_search(
        self, queries: np.ndarray, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every hit better than ``threshold`` (score >= t for cosine, distance <= t for l2).

        Returns
        -------
        lims : ndarray of shape (n_queries + 1,), int64
            Hits of query ``i`` are ``scores[lims[i]:lims[i+1]]`` (faiss layout).
        scores : ndarray of shape (lims[-1],), float32
        ids : ndarray of shape (lims[-1],), int64
        """
        return self._range_search(as_float32_rows(queries, self.dim, name="queries"), threshold)

    @abstractmethod
    def _add(self, vectors: np.ndarray) -> None: ...

    @abstractmethod
    def _search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    @abstractmethod
    def _range_search(
        self, queries: np.ndarray, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(dim={self.dim}, ntotal={self.ntotal}, metric={self.metric!r})"
