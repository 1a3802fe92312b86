"""Choosing k: k-medoids for every k of a range (inertia, distortion, silhouette per k)
and the elbow of the inertia curve by the kneedle rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lookalike._validation import check_int
from lookalike.analysis._display import html_table, text_table
from lookalike.analysis.clusters import (
    _as_unit_rows,
    _assign,
    _cosine_distances,
    _fasterpam,
    k_medoids,
)

__all__ = ["KScan", "find_elbow", "scan_k"]


@dataclass(frozen=True)
class KScan:
    """k-medoids over a range of k: the curves to choose k by, and the suggested elbow.

    Attributes
    ----------
    ks : ndarray of shape (n_ks,)
    inertia : ndarray of shape (n_ks,)
        Total deviation (summed cosine distance to the medoid) at each k.
    distortion : ndarray of shape (n_ks,)
        Mean squared cosine distance to the medoid at each k.
    silhouette : ndarray of shape (n_ks,)
        Mean silhouette (cosine) at each k, on a sample of at most
        ``silhouette_sample`` images; NaN where undefined (k = 1 or k = n).
    elbow : int or None
        The kneedle elbow of the inertia curve (:func:`find_elbow`).
    """

    ks: np.ndarray
    inertia: np.ndarray
    distortion: np.ndarray
    silhouette: np.ndarray
    elbow: int | None

    def to_frame(self):
        """A pandas DataFrame: k, inertia, distortion, silhouette — one row per k."""
        import pandas as pd

        return pd.DataFrame(
            {
                "k": self.ks,
                "inertia": self.inertia,
                "distortion": self.distortion,
                "silhouette": self.silhouette,
            }
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The curves as named arrays (for ``np.savez``)."""
        names = ("ks", "inertia", "distortion", "silhouette")
        return {name: getattr(self, name) for name in names}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> KScan:
        """The scan saved by :meth:`to_arrays`, its elbow found again."""
        curves = (a["ks"], a["inertia"], a["distortion"], a["silhouette"])
        return cls(*curves, find_elbow(a["ks"], a["inertia"]))

    def _rows(self) -> list[tuple]:
        return [
            (int(k), float(i), float(s), "elbow" if k == self.elbow else "")
            for k, i, s in zip(self.ks, self.inertia, self.silhouette, strict=True)
        ]

    def _title(self) -> str:
        span = f"k = {self.ks.min()}..{self.ks.max()}" if len(self.ks) else "no k"
        return f"k-medoids scan, {span}: suggested k (elbow) = {self.elbow}"

    def __repr__(self) -> str:
        rows = self._rows()
        at = next((n for n, r in enumerate(rows) if r[3]), 0)
        window = rows[max(0, at - 2) : at + 3]  # the rows around the elbow
        return text_table(
            self._title(),
            ("k", "inertia", "silhouette", ""),
            window,
            max_rows=len(window),
            total=len(rows),
            more="values of k",
        )

    def _repr_html_(self) -> str:
        return html_table(
            self._title(), ("k", "inertia", "silhouette", ""), self._rows(), max_rows=100
        )

    def __str__(self) -> str:
        lines = ["    k      inertia  distortion  silhouette"]
        for k, i, d, s in zip(self.ks, self.inertia, self.distortion, self.silhouette, strict=True):
            mark = "  <- elbow" if k == self.elbow else ""
            lines.append(f"{k:>5}  {i:>11.3f}  {d:>10.5f}  {s:>10.4f}{mark}")
        lines.append(f"suggested k (kneedle elbow of inertia): {self.elbow}")
        return "\n".join(lines)


def scan_k(
    vectors: np.ndarray,
    ks: Sequence[int],
    *,
    random_state: int | None = None,
    max_full: int = 30_000,
    silhouette_sample: int = 5_000,
) -> KScan:
    """Cluster with each k in ``ks`` and measure inertia, distortion and silhouette.

    Below ``max_full`` rows the distance matrix is computed once and shared by every k.

    Parameters
    ----------
    vectors : ndarray of shape (n_images, dim)
    ks : sequence of int
        At least three distinct values in ``[1, n_images]`` (the elbow needs a curve).
    random_state : int, optional
    max_full : int, default=30_000
    silhouette_sample : int, default=5_000
        The silhouette is computed on a random sample of this many images (it needs
        their pairwise distances).

    Returns
    -------
    KScan

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> centres = np.eye(4)
    >>> x = np.repeat(centres, 10, axis=0) + 0.05 * rng.standard_normal((40, 4))
    >>> scan = scan_k(x / np.linalg.norm(x, axis=1, keepdims=True), range(1, 9), random_state=0)
    >>> scan.elbow
    4
    """
    x = _as_unit_rows(vectors)
    n = len(x)
    if n == 0:
        raise ValueError("Cannot cluster an empty collection (no vectors).")
    ks = sorted({check_int(k, "ks", "scan_k", low=1) for k in ks})
    if len(ks) < 3:
        raise ValueError(f"ks should hold at least 3 distinct values; got {ks}.")
    if ks[-1] > n:
        raise ValueError(f"max(ks)={ks[-1]} should be <= n_images={n}.")
    distances = _cosine_distances(x) if n <= max_full else None
    inertia, distortion, silhouette = [], [], []
    rng = np.random.default_rng(random_state)
    sample = rng.choice(n, min(n, silhouette_sample), replace=False)
    for k in ks:
        if distances is None:
            medoids = k_medoids(x, k, random_state=random_state, max_full=max_full).medoids
        else:
            medoids = np.arange(n) if k == n else _fasterpam(distances, k, random_state)
        labels, d = _assign(x, medoids)
        inertia.append(float(d.sum()))
        distortion.append(float((d**2).mean()))
        silhouette.append(_silhouette(x[sample], labels[sample], random_state))
    ks_arr = np.array(ks)
    return KScan(
        ks_arr,
        np.array(inertia),
        np.array(distortion),
        np.array(silhouette),
        find_elbow(ks_arr, np.array(inertia)),
    )


def find_elbow(ks: Sequence[float], values: Sequence[float]) -> int | None:
    """The elbow of a decreasing, convex curve by the kneedle rule.

    Kneedle (Satopaa et al., 2011, offline form): scale k and the values to [0, 1];
    the elbow is the k where the curve lies furthest below the straight line from its
    first to its last point. We implement this one-liner rather than call ``kneed``,
    whose online variant with its sensitivity threshold returns no knee on the short,
    slightly noisy curves a scan gives.

    Parameters
    ----------
    ks : sequence of numbers, increasing
    values : sequence of numbers, same length (e.g. inertia per k)

    Returns
    -------
    int or None
        The elbow's k, or None when no point lies below the line (no elbow).

    Examples
    --------
    >>> find_elbow([1, 2, 3, 4, 5, 6, 7, 8], [100, 60, 30, 12, 10, 8, 7, 6])
    4
    >>> find_elbow([1, 2, 3], [1, 2, 3]) is None
    True
    """
    k = np.asarray(ks, dtype=float)
    v = np.asarray(values, dtype=float)
    if len(k) != len(v) or len(k) < 3:
        raise ValueError(f"ks and values should have the same length >= 3; got {len(k)}, {len(v)}.")
    if v[0] == v[-1] or k[0] == k[-1]:
        return None
    kn = (k - k[0]) / (k[-1] - k[0])
    vn = (v - v[-1]) / (v[0] - v[-1])  # 1 at the first k, 0 at the last
    below = (1 - kn) - vn  # distance under the chord from (0, 1) to (1, 0)
    best = int(np.argmax(below))
    return int(ks[best]) if below[best] > 1e-12 else None


def _silhouette(x: np.ndarray, labels: np.ndarray, seed: int | None) -> float:
    n_labels = len(np.unique(labels))
    if n_labels < 2 or n_labels >= len(x):
        return float("nan")
    from sklearn.metrics import silhouette_score

    return float(silhouette_score(x, labels, metric="cosine", random_state=seed))
