"""Comparing two models on one collection: how many of each image's k nearest neighbours
both models agree on."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lookalike._validation import check_int
from lookalike.analysis._display import html_table, text_table
from lookalike.search import exact_search

__all__ = ["ModelComparison", "compare_models", "knn_rows", "topk_overlap"]


@dataclass(frozen=True)
class ModelComparison:
    """The overlap of two models' top-k neighbour lists, image by image.

    Attributes
    ----------
    k : int
    overlap : ndarray of shape (n_images,)
        How many of the image's k neighbours both models share (0 .. k).
    neighbors_a, neighbors_b : ndarray of shape (n_images, k)
        Rows of the k neighbours under each model, best first.
    model_a, model_b : str
    ids : ndarray of shape (n_images,), optional
    """

    k: int
    overlap: np.ndarray
    neighbors_a: np.ndarray
    neighbors_b: np.ndarray
    model_a: str = "A"
    model_b: str = "B"
    ids: np.ndarray | None = None

    @property
    def table(self):
        """DataFrame, one row per possible overlap k, k-1, ..., 0: shared, images, percent
        (the images column sums to the number of images)."""
        import pandas as pd

        counts = np.bincount(self.overlap, minlength=self.k + 1)[::-1]
        n = max(len(self.overlap), 1)
        return pd.DataFrame(
            {
                "shared": np.arange(self.k, -1, -1),
                "images": counts,
                "percent": np.round(100.0 * counts / n, 1),
            }
        )

    @property
    def mean_overlap(self) -> float:
        """Mean fraction of shared neighbours, in [0, 1]."""
        return float(self.overlap.mean() / self.k) if len(self.overlap) else float("nan")

    def per_image(self):
        """DataFrame: id, shared, then both neighbour lists (space-separated ids)."""
        import pandas as pd

        key = self.ids if self.ids is not None else np.arange(len(self.overlap))
        names = np.asarray(key).astype(str)
        return pd.DataFrame(
            {
                "id": key,
                "shared": self.overlap,
                f"neighbors_{self.model_a}": [" ".join(names[r]) for r in self.neighbors_a],
                f"neighbors_{self.model_b}": [" ".join(names[r]) for r in self.neighbors_b],
            }
        )

    def to_frame(self):
        """One row per image (see :meth:`per_image`); ``.table`` has the counts."""
        return self.per_image()

    def _title(self) -> str:
        return (
            f"Top-{self.k} neighbours shared by {self.model_a} and {self.model_b} "
            f"({len(self.overlap)} images, mean {100 * self.mean_overlap:.1f}%)"
        )

    def _rows(self) -> list[tuple]:
        return [
            (f"{r.shared} of {self.k}", int(r.images), f"{r.percent:.1f}%")
            for r in self.table.itertuples(index=False)
        ]

    def __repr__(self) -> str:
        rows = self._rows()
        return text_table(self._title(), ("shared", "images", "percent"), rows, max_rows=len(rows))

    def _repr_html_(self) -> str:
        return html_table(self._title(), ("shared", "images", "percent"), self._rows())

    def __str__(self) -> str:
        lines = [
            f"Top-{self.k} neighbours shared by {self.model_a} and {self.model_b} "
            f"({len(self.overlap)} images, mean {100 * self.mean_overlap:.1f}%):",
            "shared   images  percent",
        ]
        for row in self.table.itertuples(index=False):
            lines.append(f"{row.shared:>3} of {self.k:<3} {row.images:>6}  {row.percent:>6.1f}%")
        return "\n".join(lines)


def topk_overlap(
    vectors_a: np.ndarray,
    vectors_b: np.ndarray,
    *,
    k: int = 4,
    model_a: str = "A",
    model_b: str = "B",
) -> ModelComparison:
    """For every image, how many of its ``k`` nearest neighbours (itself excluded) two
    embeddings of the same images share.

    Parameters
    ----------
    vectors_a : ndarray of shape (n_images, dim_a)
    vectors_b : ndarray of shape (n_images, dim_b)
        Row ``i`` of both is the same image; the dimensions may differ.
    k : int, default=4
        ``1 <= k < n_images``.
    model_a, model_b : str
        Names used in the table and the per-image columns.

    Returns
    -------
    ModelComparison

    Examples
    --------
    >>> a = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    >>> b = np.array([[1, 0], [0.1, 0.9], [0, 1], [0.9, 0.1]])
    >>> cmp = topk_overlap(a / np.linalg.norm(a, axis=1, keepdims=True),
    ...                    b / np.linalg.norm(b, axis=1, keepdims=True), k=1)
    >>> cmp.overlap.tolist(), cmp.table["images"].tolist()
    ([0, 0, 0, 0], [0, 4])
    """
    a = np.asarray(vectors_a, dtype=np.float32)
    b = np.asarray(vectors_b, dtype=np.float32)
    if a.ndim != 2 or b.ndim != 2 or len(a) != len(b):
        raise ValueError(
            f"vectors_a and vectors_b should be 2-D with one row per image each; got shapes "
            f"{a.shape} and {b.shape}."
        )
    n = len(a)
    if n < 2:
        raise ValueError(f"Comparing neighbours needs at least 2 images; got n_images={n}.")
    k = check_int(k, "k", "topk_overlap", low=1)
    if k >= n:
        raise ValueError(f"k={k} should be < n_images={n} (an image is not its own neighbour).")
    na, nb = knn_rows(a, k), knn_rows(b, k)
    overlap = np.empty(n, dtype=np.int64)
    for start in range(0, n, 4096):
        sa, sb = na[start : start + 4096], nb[start : start + 4096]
        overlap[start : start + 4096] = (sa[:, :, None] == sb[:, None, :]).any(axis=2).sum(axis=1)
    return ModelComparison(k, overlap, na, nb, model_a, model_b)


def compare_models(
    ids_a: np.ndarray,
    vectors_a: np.ndarray,
    ids_b: np.ndarray,
    vectors_b: np.ndarray,
    *,
    k: int = 4,
    model_a: str = "A",
    model_b: str = "B",
) -> ModelComparison:
    """:func:`topk_overlap` over the images that both embeddings hold, matched by id, in
    the order of ``ids_a``; the result carries their ids.

    Examples
    --------
    >>> a, b = np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32)
    >>> cmp = compare_models(np.array(["x", "y", "z"]), a, np.array(["z", "y", "w"]), b, k=1)
    >>> cmp.ids.tolist(), cmp.overlap.tolist()
    (['y', 'z'], [1, 1])
    """
    pos_b = {image_id: row for row, image_id in enumerate(ids_b)}
    rows_a = np.array([i for i, image_id in enumerate(ids_a) if image_id in pos_b], np.int64)
    rows_b = np.array([pos_b[image_id] for image_id in ids_a[rows_a]], dtype=np.int64)
    result = topk_overlap(
        vectors_a[rows_a], vectors_b[rows_b], k=k, model_a=model_a, model_b=model_b
    )
    return replace(result, ids=ids_a[rows_a])


def knn_rows(vectors: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` nearest rows of every row, itself excluded, best first (exact, blockwise).

    No input validation: ``1 <= k < len(vectors)``.

    >>> knn_rows(np.array([[1, 0], [0.8, 0.6], [0, 1.0]]), 1).tolist()
    [[1], [0], [1]]
    """
    x = np.asarray(vectors, dtype=np.float32)
    _, ids = exact_search(x, x, k + 1)
    own = ids == np.arange(len(x))[:, None]
    # Drop each row's own id; when ties hid it beyond k+1, drop the last hit instead.
    own[~own.any(axis=1), -1] = True
    return ids[~own].reshape(len(x), k)
