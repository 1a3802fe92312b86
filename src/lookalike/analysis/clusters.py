"""k-medoids on cosine distances (the choice of k is in :mod:`lookalike.analysis.k_scans`).

Two engines behind one function, :func:`k_medoids`:

- **full**: FasterPAM (the ``kmedoids`` package) on the N x N cosine-distance matrix,
  float32, for collections up to ``max_full`` images (30k: a 3.6 GB matrix);
- **sampled** (CLARA-style) above that: FasterPAM on random samples of ``sample_size``
  images, each sample seeded with the best medoids so far and judged by the total
  deviation over *all* images; then alternating refinement on all images (assign to the
  nearest medoid, move each medoid to its cluster's best member). The matrix is never
  larger than ``sample_size`` x ``sample_size``.

The refinement is exact and linear in N because the vectors are unit rows: the summed
cosine distance of x_i to the members of a cluster C is ``|C| - x_i . sum(C)``, so the
best member is the argmax of one matrix-vector product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lookalike._validation import check_int
from lookalike.analysis._display import html_table, text_table

__all__ = ["Clusters", "cluster_neighborhood", "k_medoids"]

BLOCK = 8192  # rows scored together when assigning to medoids


@dataclass(frozen=True)
class Clusters:
    """A k-medoids clustering of a collection's vectors.

    Attributes
    ----------
    labels : ndarray of shape (n_images,)
        Cluster of each row, ``0 .. k-1``.
    medoids : ndarray of shape (k,)
        Row of each cluster's medoid (a real member).
    total_deviation : float
        Sum over all rows of the cosine distance to their medoid (what k-medoids
        minimises).
    method : {"fasterpam", "clara"}
    random_state : int or None
    ids : ndarray of shape (n_images,), optional
        Image ids of the rows, when known.
    """

    labels: np.ndarray
    medoids: np.ndarray
    total_deviation: float
    method: str
    random_state: int | None = None
    ids: np.ndarray | None = None

    @property
    def n_clusters(self) -> int:
        return len(self.medoids)

    @property
    def sizes(self) -> np.ndarray:
        """Images per cluster, shape (k,)."""
        return np.bincount(self.labels, minlength=self.n_clusters)

    @property
    def medoid_ids(self) -> list[str]:
        if self.ids is None:
            raise ValueError("These clusters carry no image ids; use .medoids (rows).")
        return [str(self.ids[m]) for m in self.medoids]

    @property
    def is_medoid(self) -> np.ndarray:
        flags = np.zeros(len(self.labels), dtype=bool)
        flags[self.medoids] = True
        return flags

    def members(self, cluster: int) -> np.ndarray:
        """Rows of ``cluster``."""
        return np.flatnonzero(self.labels == cluster)

    def to_frame(self):
        """A pandas DataFrame: id (or row), cluster, is_medoid — one row per image."""
        import pandas as pd

        key = self.ids if self.ids is not None else np.arange(len(self.labels))
        return pd.DataFrame(
            {"id": key, "cluster": self.labels, "is_medoid": self.is_medoid},
        )

    def summary(self):
        """A DataFrame with one row per cluster: cluster, size, medoid (id or row)."""
        import pandas as pd

        medoid = self.medoid_ids if self.ids is not None else self.medoids
        return pd.DataFrame(
            {"cluster": np.arange(self.n_clusters), "size": self.sizes, "medoid": medoid}
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Labels, medoids, total deviation and method as named arrays (for ``np.savez``)."""
        return {
            "labels": self.labels,
            "medoids": self.medoids,
            "total_deviation": np.array(self.total_deviation),
            "method": np.array(self.method),
        }

    @classmethod
    def from_arrays(
        cls, a: dict[str, np.ndarray], *, random_state: int | None = None, ids=None
    ) -> Clusters:
        """The clustering saved by :meth:`to_arrays`, for the rows ``ids``."""
        deviation = float(a["total_deviation"])
        return cls(a["labels"], a["medoids"], deviation, str(a["method"]), random_state, ids)

    def _rows(self) -> list[tuple]:
        order = np.argsort(-self.sizes, kind="stable")
        medoid = self.medoid_ids if self.ids is not None else self.medoids.tolist()
        return [(int(c), int(self.sizes[c]), medoid[c]) for c in order]

    def _title(self) -> str:
        return (
            f"{self.n_clusters} clusters of {len(self.labels)} images ({self.method}, "
            f"total deviation {self.total_deviation:.2f})"
        )

    def __repr__(self) -> str:
        return text_table(
            self._title(), ("cluster", "size", "medoid"), self._rows(), more="clusters"
        )

    def _repr_html_(self) -> str:
        return html_table(
            self._title(), ("cluster", "size", "medoid"), self._rows(), more="clusters"
        )

    def __str__(self) -> str:
        sizes = ", ".join(str(s) for s in self.sizes)
        return (
            f"{self.n_clusters} clusters of {len(self.labels)} images ({self.method}, "
            f"total deviation {self.total_deviation:.2f}); sizes: {sizes}"
        )


def k_medoids(
    vectors: np.ndarray,
    n_clusters: int,
    *,
    random_state: int | None = None,
    max_full: int = 30_000,
    sample_size: int = 10_000,
    n_samples: int = 5,
) -> Clusters:
    """k-medoids clustering of unit ``vectors`` on cosine distance.

    Parameters
    ----------
    vectors : ndarray of shape (n_images, dim)
        L2-normalised rows (cosine distance is ``1 - x . y``).
    n_clusters : int
        ``1 <= n_clusters <= n_images``.
    random_state : int, optional
        Seed of FasterPAM's initialisation and of the samples; the same seed gives the
        same clusters.
    max_full : int, default=30_000
        Above this many rows the sampled (CLARA-style) scheme runs instead of FasterPAM
        on the full N x N matrix.
    sample_size : int, default=10_000
        Rows per sample in the sampled scheme (its matrix is ``sample_size`` x ``sample_size``
        float32).
    n_samples : int, default=5
        Samples drawn in the sampled scheme.

    Returns
    -------
    Clusters

    Raises
    ------
    ValueError
        ``n_clusters`` outside ``[1, n_images]``, or no rows.

    Examples
    --------
    >>> x = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.14, 0.99], [0.1, 0.995]])
    >>> x = x / np.linalg.norm(x, axis=1, keepdims=True)
    >>> c = k_medoids(x, 2, random_state=0)
    >>> c.labels.tolist() in ([0, 0, 1, 1, 1], [1, 1, 0, 0, 0])
    True
    >>> sorted(c.medoids.tolist())
    [0, 4]
    """
    x = _as_unit_rows(vectors)
    n = len(x)
    if n == 0:
        raise ValueError("Cannot cluster an empty collection (no vectors).")
    k = check_int(n_clusters, "n_clusters", "k_medoids", low=1)
    if k > n:
        raise ValueError(f"n_clusters={k} should be <= n_images={n}.")
    check_int(max_full, "max_full", "k_medoids", low=1)
    check_int(sample_size, "sample_size", "k_medoids", low=2)
    check_int(n_samples, "n_samples", "k_medoids", low=1)
    if k == n:
        return _result(x, np.arange(n), "fasterpam", random_state)
    if n <= max_full:
        medoids = _fasterpam(_cosine_distances(x), k, random_state)
        return _result(x, medoids, "fasterpam", random_state)
    medoids = _clara(x, k, random_state, max(sample_size, 2 * k), n_samples)
    return _result(x, medoids, "clara", random_state)


# -- private engine: no input validation below this line ------------------------------


def _as_unit_rows(vectors: np.ndarray) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"vectors should be a 2-D array; got shape {x.shape}.")
    return x


def _cosine_distances(x: np.ndarray) -> np.ndarray:
    """The full float32 matrix ``1 - x x^T`` (clipped at 0, zero diagonal), built in row
    blocks so that the only N x N array is the result."""
    n = len(x)
    d = np.empty((n, n), dtype=np.float32)
    for start in range(0, n, BLOCK):
        block = d[start : start + BLOCK]
        np.matmul(x[start : start + BLOCK], x.T, out=block)
        np.subtract(1.0, block, out=block)
        np.maximum(block, 0.0, out=block)
    np.fill_diagonal(d, 0.0)
    return d


def _fasterpam(distances: np.ndarray, k: int | np.ndarray, random_state: int | None) -> np.ndarray:
    """Medoid rows found by FasterPAM on a square distance matrix."""
    import kmedoids

    seed = random_state if isinstance(k, int) else None  # given medoids need no seed
    result = kmedoids.fasterpam(distances, k, max_iter=100, init="random", random_state=seed)
    return np.sort(np.asarray(result.medoids, dtype=np.int64))


def _assign(x: np.ndarray, medoids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(labels, distance to the medoid) of every row, blockwise."""
    m = x[medoids]
    labels = np.empty(len(x), dtype=np.int64)
    dist = np.empty(len(x), dtype=np.float64)
    for start in range(0, len(x), BLOCK):
        sim = x[start : start + BLOCK] @ m.T
        best = sim.argmax(axis=1)
        labels[start : start + BLOCK] = best
        dist[start : start + BLOCK] = np.maximum(1.0 - sim[np.arange(len(sim)), best], 0.0)
    labels[medoids] = np.arange(len(medoids))  # a medoid is in its own cluster (ties)
    dist[medoids] = 0.0
    return labels, dist


def _result(x: np.ndarray, medoids: np.ndarray, method: str, seed: int | None) -> Clusters:
    labels, dist = _assign(x, medoids)
    return Clusters(labels, np.asarray(medoids, dtype=np.int64), float(dist.sum()), method, seed)


def _clara(x: np.ndarray, k: int, seed: int | None, sample_size: int, n_samples: int) -> np.ndarray:
    """CLARA with FasterPAM: the best medoids over samples, then refined on all rows."""
    n = len(x)
    rng = np.random.default_rng(seed)
    best, best_cost = None, np.inf
    for _ in range(n_samples):
        sample = rng.choice(n, min(n, sample_size), replace=False)
        if best is not None:  # carry the best medoids so far into the sample, as CLARA does
            rest = np.setdiff1d(sample, best, assume_unique=True)[: len(sample) - k]
            sample = np.concatenate([best, rest])
            init = np.arange(k)
        else:
            init = k
        medoids = sample[_fasterpam(_cosine_distances(x[sample]), init, int(rng.integers(2**31)))]
        cost = _assign(x, medoids)[1].sum()
        if cost < best_cost:
            best, best_cost = np.sort(medoids), cost
    return _alternate(x, best)


def _alternate(x: np.ndarray, medoids: np.ndarray, max_iter: int = 20) -> np.ndarray:
    """Voronoi iteration on all rows (never increases the total deviation): each medoid
    moves to the member minimising the summed cosine distance within its cluster."""
    medoids = medoids.copy()
    for _ in range(max_iter):
        labels, _ = _assign(x, medoids)
        moved = medoids.copy()
        for c in range(len(medoids)):
            members = np.flatnonzero(labels == c)
            total = x[members].sum(axis=0, dtype=np.float64)
            moved[c] = members[np.argmax(x[members] @ total.astype(np.float32))]
        if np.array_equal(np.sort(moved), np.sort(medoids)):
            break
        medoids = moved
    return np.sort(medoids)


def cluster_neighborhood(
    vectors: np.ndarray, clusters: Clusters, row: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` members of ``row``'s cluster most similar to it (itself first).

    Returns
    -------
    rows : ndarray of shape (<=n,), scores : ndarray of shape (<=n,)
        Cosine similarity to ``row``, best first.

    Examples
    --------
    >>> x = np.array([[1, 0], [0.8, 0.6], [0.6, 0.8], [0, 1.0]])
    >>> c = Clusters(np.array([0, 0, 0, 1]), np.array([1, 3]), 0.0, "fasterpam")
    >>> cluster_neighborhood(x, c, 1, 2)[0].tolist()
    [1, 2]
    """
    members = clusters.members(int(clusters.labels[row]))
    scores = np.asarray(vectors[members], dtype=np.float32) @ np.asarray(vectors[row])
    scores[members == row] = np.inf  # the centre first, even among exact copies
    order = np.argsort(-scores, kind="stable")[:n]
    out = scores[order]
    out[members[order] == row] = 1.0
    return members[order], out
