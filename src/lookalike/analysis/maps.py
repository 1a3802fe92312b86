"""2-D maps of a collection: PCA, t-SNE and UMAP projections, and the grid snapping that
keeps an image atlas legible at 10k+ images."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lookalike._validation import check_choice, check_int
from lookalike.analysis._display import html_table, text_table

__all__ = [
    "ASSIGN_MAX",
    "METHODS",
    "Projection",
    "assign_cells",
    "atlas_cells",
    "equalize",
    "map_coords",
    "snap_to_grid",
    "unit_square",
]

METHODS = ("pca", "tsne", "umap")
ASSIGN_MAX = 1600
"""Up to this many images an atlas shows every one (:func:`assign_cells`); above it,
one image per cell (:func:`snap_to_grid`)."""


@dataclass(frozen=True)
class Projection:
    """2-D coordinates of a collection's images.

    Attributes
    ----------
    coords : ndarray of shape (n_images, 2)
    method : {"pca", "tsne", "umap"}
    model : str
    ids : ndarray of shape (n_images,)
    """

    coords: np.ndarray
    method: str
    model: str
    ids: np.ndarray

    def __len__(self) -> int:
        return len(self.coords)

    def to_frame(self):
        """A pandas DataFrame with columns id, x, y."""
        import pandas as pd

        return pd.DataFrame({"id": self.ids, "x": self.coords[:, 0], "y": self.coords[:, 1]})

    def unit_coords(self) -> np.ndarray:
        """The coordinates in [0, 1] x [0, 1], as the map figures place them
        (:func:`unit_square`)."""
        return unit_square(self.coords)

    def _title(self) -> str:
        return f"{self.method.upper()} map of {len(self)} images ({self.model})"

    def _rows(self) -> list[tuple]:
        return [
            (str(i), float(x), float(y)) for i, (x, y) in zip(self.ids, self.coords, strict=True)
        ]

    def __repr__(self) -> str:
        return text_table(self._title(), ("id", "x", "y"), self._rows(), max_rows=3, more="images")

    def _repr_html_(self) -> str:
        return html_table(self._title(), ("id", "x", "y"), self._rows(), more="images")


def map_coords(
    vectors: np.ndarray, *, method: str = "umap", random_state: int | None = None
) -> np.ndarray:
    """Project unit ``vectors`` to two dimensions.

    Parameters
    ----------
    vectors : ndarray of shape (n_images, dim)
    method : {"pca", "tsne", "umap"}, default="umap"
        ``"pca"``: scikit-learn PCA. ``"tsne"``: scikit-learn t-SNE (Barnes-Hut) on the
        first 50 principal components, perplexity ``min(30, (n - 1) / 3)``. ``"umap"``:
        umap-learn on cosine distance, ``n_neighbors = min(15, n - 1)``.
    random_state : int, optional
        Seed; the same seed gives the same map.

    Returns
    -------
    ndarray of shape (n_images, 2), float32

    Examples
    --------
    >>> x = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.1], [0, 0, 1.0]])
    >>> map_coords(x, method="pca", random_state=0).shape
    (5, 2)
    """
    method = check_choice(method, "method", "map_coords", METHODS)
    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"Cannot map an empty collection (vectors of shape {x.shape}).")
    n = len(x)
    if n < 3:  # nothing to learn: a line through the images
        return np.column_stack([np.arange(n), np.zeros(n)]).astype(np.float32)
    if method == "pca":
        from sklearn.decomposition import PCA

        out = PCA(n_components=2, random_state=random_state).fit_transform(x)
    elif method == "tsne":
        from sklearn.manifold import TSNE

        out = TSNE(
            n_components=2,
            perplexity=min(30.0, (n - 1) / 3),
            init="pca",
            random_state=random_state,
        ).fit_transform(_pca(x, 50, random_state))
    else:
        out = _umap(x, random_state)
    return np.asarray(out, dtype=np.float32)


def unit_square(coords: np.ndarray) -> np.ndarray:
    """Scale ``coords`` into [0, 1] x [0, 1], keeping the aspect ratio (centred).

    >>> unit_square(np.array([[0, 0], [4, 2], [2, 1]])).tolist()
    [[0.0, 0.25], [1.0, 0.75], [0.5, 0.5]]
    """
    c = np.asarray(coords, dtype=np.float64)
    lo, hi = c.min(axis=0), c.max(axis=0)
    span = float((hi - lo).max()) or 1.0
    return (c - lo) / span + (1 - (hi - lo) / span) / 2


def snap_to_grid(
    coords: np.ndarray, *, cells: int, prefer: Sequence[int] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """One image per cell of a ``cells x cells`` grid laid over the map: the image
    nearest each occupied cell's centre. This is what keeps an atlas of 10k+ images
    legible: at most ``cells * cells`` thumbnails, none overlapping.

    Parameters
    ----------
    coords : ndarray of shape (n_images, 2)
    cells : int
    prefer : sequence of int, default=()
        Rows that win their cell whatever their distance to its centre (e.g. a
        highlighted image and its neighbours); earlier ones win over later ones.

    Returns
    -------
    rows : ndarray of shape (n_shown,)
        The rows shown, one per occupied cell.
    cell_xy : ndarray of shape (n_shown, 2)
        Their cells' (column, row) in ``0 .. cells-1``, origin bottom left.

    Examples
    --------
    >>> coords = np.array([[0, 0], [0.1, 0.1], [1, 1], [0.9, 1]])
    >>> rows, cell_xy = snap_to_grid(coords, cells=2)
    >>> rows.tolist(), cell_xy.tolist()  # rows 1 and 3 are nearer the centres (.25, .75)
    ([1, 3], [[0, 0], [1, 1]])
    """
    cells = check_int(cells, "cells", "snap_to_grid", low=1, high=1000)
    u = unit_square(coords)
    ij = np.minimum((u * cells).astype(np.int64), cells - 1)
    off_centre = ((u * cells - ij - 0.5) ** 2).sum(axis=1)
    prefer = np.asarray(prefer, dtype=np.int64)
    off_centre[prefer[::-1]] = -2.0 - np.arange(len(prefer))  # prefer[0] lowest of all
    cell_id = ij[:, 1] * cells + ij[:, 0]
    order = np.lexsort((off_centre, cell_id))
    first = np.ones(len(order), dtype=bool)
    first[1:] = cell_id[order][1:] != cell_id[order][:-1]
    rows = order[first]
    return rows, ij[rows]


def assign_cells(coords: np.ndarray, *, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Every image in a cell of its own, as near its place on the map as can be: the
    assignment of images to cells of a ``cells x cells`` grid with the least summed
    squared distance (the Hungarian algorithm). Unlike :func:`snap_to_grid`, no image
    is hidden, and images at the same place (exact copies) sit side by side.

    Needs ``cells * cells >= n_images``; meant for up to :data:`ASSIGN_MAX` images
    (the cost matrix is ``n_images x cells**2``).

    Returns
    -------
    rows : ndarray of shape (n_images,)
    cell_xy : ndarray of shape (n_images, 2)
        Each image's cell (column, row), origin bottom left.

    Examples
    --------
    >>> rows, cell_xy = assign_cells(np.array([[0, 0], [0, 0], [1, 1]]), cells=2)
    >>> len({tuple(xy) for xy in cell_xy.tolist()}), cell_xy[2].tolist()  # copies apart
    (3, [1, 1])
    """
    from scipy.optimize import linear_sum_assignment

    cells = check_int(cells, "cells", "assign_cells", low=1, high=1000)
    u = unit_square(coords)
    if cells * cells < len(u):
        raise ValueError(f"cells={cells} gives {cells * cells} cells for {len(u)} images.")
    grid = np.stack(np.meshgrid(np.arange(cells), np.arange(cells)), -1).reshape(-1, 2) + 0.5
    cost = ((u[:, None, :] * cells - grid[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    return rows.astype(np.int64), (grid[cols] - 0.5).astype(np.int64)


def equalize(coords: np.ndarray) -> np.ndarray:
    """Replace each axis by its rank in [0, 1] (ties share a rank): the order of the
    images along x and along y is kept, but dense clumps and far outliers no longer
    leave most of an atlas empty. Identical images stay on one spot.

    >>> equalize(np.array([[0.0, 5], [1, 5], [100, 0]])).tolist()
    [[0.0, 0.75], [0.5, 0.75], [1.0, 0.0]]
    """
    from scipy.stats import rankdata

    c = np.asarray(coords, dtype=np.float64)
    if len(c) < 2:
        return np.zeros_like(c)
    return (rankdata(c, axis=0) - 1) / (len(c) - 1)


def atlas_cells(n_images: int) -> int:
    """A grid side for an atlas of ``n_images``: about 1.5 cells per image along each
    side for small collections (few collisions), at most 40 (1,600 thumbnails) for
    large ones.

    >>> atlas_cells(9), atlas_cells(100), atlas_cells(20_000)
    (6, 15, 40)
    """
    return int(min(40, max(6, np.ceil(1.5 * np.sqrt(max(n_images, 1))))))


def _pca(x: np.ndarray, n_components: int, seed: int | None) -> np.ndarray:
    if x.shape[1] <= n_components:
        return x
    from sklearn.decomposition import PCA

    return PCA(n_components=min(n_components, len(x)), random_state=seed).fit_transform(x)


def _umap(x: np.ndarray, seed: int | None) -> np.ndarray:
    import warnings

    import umap

    n = len(x)
    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=min(15, n - 1),
        metric="cosine",
        init="spectral" if n > 16 else "random",
        random_state=seed,
        n_jobs=1 if seed is not None else -1,
    )
    with warnings.catch_warnings():  # "n_jobs overridden by setting random_state": we know
        warnings.simplefilter("ignore", UserWarning)
        return reducer.fit_transform(x)
