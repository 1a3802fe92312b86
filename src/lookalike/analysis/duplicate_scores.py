"""Duplicate scores: the views of a collection's vectors whose cosine is a duplicate
score ("centre": :class:`TwoViewVectors`, "root": :class:`RootVectors`, "cosine": the
vectors as they are), and the scores of given pairs of rows."""

from __future__ import annotations

import numpy as np

from lookalike._mmap import read_rows

__all__ = [
    "DEFAULT_THRESHOLD",
    "SCORINGS",
    "RootVectors",
    "TwoViewVectors",
    "pair_scores",
    "scored_vectors",
]

DEFAULT_THRESHOLD = 0.78  # of "centre" scores: tuned by bench/duplicates_transfer.py
SCORINGS = ("centre", "root", "cosine")


class RootVectors:
    """A read-only view of unit ``vectors`` whose rows are power-normalised on access:
    ``sign(x) * sqrt(|x|)``, re-normalised (as RootSIFT does for SIFT). Their cosine,
    the "root" score, separates copies from other pictures better than the plain cosine
    of pooled CNN features (docs/duplicates.md). Rows are computed block by block, so a
    memory map stays one.

    >>> v = RootVectors(np.array([[0.6, 0.8], [1.0, 0.0]], dtype=np.float32))
    >>> [round(float(a), 3) for a in v[0]]
    [0.655, 0.756]
    """

    def __init__(self, vectors: np.ndarray) -> None:
        self.base = vectors
        self.shape = vectors.shape
        self.dtype = np.dtype(np.float32)
        self.ndim = 2

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, key) -> np.ndarray:
        x = np.asarray(self.base[key], dtype=np.float32)
        x = np.sign(x) * np.sqrt(np.abs(x))
        norms = np.linalg.norm(x, axis=-1, keepdims=True)
        return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self[:]


class TwoViewVectors:
    """A read-only view of two aligned sets of unit vectors, the whole pictures and their
    centre views, whose row ``i`` is ``[root(whole[i]), root(centre[i])] / sqrt(2)``
    (root: :class:`RootVectors`), of shape ``(n, 2 * dim)``.

    The cosine of two rows is the mean of the root scores of the two whole pictures and
    of their two centre views: the "centre" score. Rows are computed block by block, so
    memory maps stay ones and every exact or approximate search works on it unchanged.

    >>> whole = np.array([[1, 0], [0, 1]], dtype=np.float32)
    >>> centre = np.array([[1, 0], [1, 0]], dtype=np.float32)
    >>> v = TwoViewVectors(whole, centre)
    >>> v.shape, round(float(v[0] @ v[1]), 6)  # the mean of 0 (whole) and 1 (centre)
    ((2, 4), 0.5)

    ``root=False`` takes the two as they are (plain cosines): for vectors reduced by PCA,
    whose signed, centred coordinates a power normalisation would only distort.
    """

    def __init__(self, whole: np.ndarray, centre: np.ndarray, *, root: bool = True) -> None:
        if centre.shape != whole.shape:
            raise ValueError(
                f"The centre-view vectors have shape {centre.shape}; the whole-picture "
                f"vectors have shape {whole.shape}: they must be aligned row by row."
            )
        if root:
            whole, centre = RootVectors(whole), RootVectors(centre)
        self.whole, self.centre = whole, centre
        self.parts = (self.whole, self.centre)  # what _mmap.release_pages releases
        self.shape = (whole.shape[0], 2 * whole.shape[1])
        self.dtype = np.dtype(np.float32)
        self.ndim = 2

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key) -> np.ndarray:
        both = np.concatenate(
            [np.asarray(self.whole[key], np.float32), np.asarray(self.centre[key], np.float32)],
            axis=-1,
        )
        return both * np.float32(np.sqrt(0.5))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self[:]


def scored_vectors(
    vectors: np.ndarray,
    scoring: str = "centre",
    centre: np.ndarray | None = None,
    *,
    root: bool = True,
):
    """``vectors`` as seen by a scoring, whose cosine is the duplicate score:
    ``"centre"`` (:class:`TwoViewVectors` of ``vectors`` and their ``centre`` views,
    aligned row by row), ``"root"`` (:class:`RootVectors`) or ``"cosine"`` (as they are).
    ``root=False`` leaves out the power normalisation (vectors reduced by PCA): "root"
    is then the plain cosine, "centre" the mean of the two plain cosines.

    Raises
    ------
    ValueError
        ``scoring="centre"`` without ``centre``.
    """
    if scoring == "centre":
        if centre is None:
            raise ValueError(
                "scoring='centre' needs the centre-view vectors ('centre'); "
                "without them use scoring='root'."
            )
        return TwoViewVectors(vectors, centre, root=root)
    return RootVectors(vectors) if scoring == "root" and root else vectors


def pair_scores(vectors: np.ndarray, i: np.ndarray, j: np.ndarray, *, chunk: int = 16384):
    """Cosine similarity of rows ``i[k]`` and ``j[k]`` for every k, in chunks.

    >>> x = np.array([[1, 0], [0.6, 0.8]], dtype=np.float32)
    >>> [round(float(v), 2) for v in pair_scores(x, np.array([0]), np.array([1]))]
    [0.6]
    """
    out = np.empty(len(i), dtype=np.float32)
    for s in range(0, len(i), chunk):
        a = read_rows(vectors, i[s : s + chunk])
        b = read_rows(vectors, j[s : s + chunk])
        out[s : s + chunk] = np.einsum("ij,ij->i", a, b)
    return out

