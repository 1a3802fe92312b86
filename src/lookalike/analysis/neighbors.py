"""Nearest neighbours: the top-k of a query among a collection's vectors, and every
image's k nearest other images (:func:`all_neighbors`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from lookalike.analysis._display import html_table, name_of, text_table
from lookalike.search import KnnIndex

__all__ = ["Neighbor", "NeighborTable", "Neighbors", "all_neighbors", "top_k", "top_k_table"]


def top_k(
    index: KnnIndex, query: np.ndarray, k: int, *, exclude: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar rows of ``index`` to one ``query`` vector.

    Parameters
    ----------
    index : KnnIndex
    query : ndarray of shape (dim,)
    k : int
    exclude : int, optional
        A row never returned (the query's own row when it is in the index).

    Returns
    -------
    scores : ndarray of shape (<=k,), ids : ndarray of shape (<=k,)
        Best first; fewer than ``k`` when the index is small.

    Examples
    --------
    >>> from lookalike.search import FlatIndex
    >>> x = np.array([[1, 0], [0.8, 0.6], [0, 1], [-1, 0]], dtype=np.float32)
    >>> index = FlatIndex.from_vectors(x)
    >>> scores, ids = top_k(index, x[0], 2, exclude=0)
    >>> ids.tolist(), [round(float(s), 2) for s in scores]
    ([1, 2], [0.8, 0.0])
    """
    want = min(k + (exclude is not None), index.ntotal)
    scores, ids = index.search(query[None, :], want)
    scores, ids = scores[0], ids[0]
    keep = (ids >= 0) & (ids != (-2 if exclude is None else exclude))
    return scores[keep][:k], ids[keep][:k]


@dataclass(frozen=True)
class Neighbor:
    """One hit: its rank (1 = most similar), image id, cosine similarity and uri;
    ``copy`` is "file" or "pixels" when it is an exact copy of the query, else ""."""

    rank: int
    id: str
    score: float
    uri: str
    copy: str = ""


@dataclass(frozen=True)
class Neighbors(Sequence[Neighbor]):
    """The neighbours of a query, best first; prints as a table, converts to a DataFrame."""

    query: str
    model: str
    hits: tuple[Neighbor, ...]
    query_uri: str = ""

    def __getitem__(self, i):  # type: ignore[override]
        return self.hits[i]

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Neighbor]:
        return iter(self.hits)

    @property
    def ids(self) -> list[str]:
        return [h.id for h in self.hits]

    @property
    def scores(self) -> list[float]:
        return [h.score for h in self.hits]

    def to_frame(self):
        """A pandas DataFrame with columns rank, id, score, uri, copy ("file"/"pixels"
        for exact copies of the query)."""
        import pandas as pd

        return pd.DataFrame(
            [(h.rank, h.id, h.score, h.uri, h.copy) for h in self.hits],
            columns=["rank", "id", "score", "uri", "copy"],
        )

    def _title(self) -> str:
        query = name_of(self.query_uri, self.query) if self.query_uri else self.query
        return f"Neighbours of {query} ({self.model}, {len(self.hits)} hits)"

    def _rows(self) -> list[tuple]:
        return [
            (h.rank, h.score, name_of(h.uri, h.id), f"exact copy ({h.copy})" if h.copy else "")
            for h in self.hits
        ]

    def __str__(self) -> str:
        lines = [f"Neighbours of {self.query} ({self.model}):", "rank  score   id            uri"]
        lines += [
            f"{h.rank:>4}  {h.score:.4f}  {h.id:<12}  {h.uri}"
            + (f"  (exact copy: same {h.copy})" if h.copy else "")
            for h in self.hits
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return text_table(self._title(), ("rank", "score", "image", ""), self._rows(), more="hits")

    def _repr_html_(self) -> str:
        return html_table(
            self._title(),
            ("rank", "score", "image", ""),
            self._rows(),
            more="hits",
            titles=[h.uri for h in self.hits],
        )


@dataclass(frozen=True)
class NeighborTable:
    """``rows[i]`` (positions in ``ids``) and ``scores[i]`` of image ``i``'s most similar
    other images, best first; missing hits are ``-1``."""

    ids: np.ndarray
    scores: np.ndarray
    rows: np.ndarray


def top_k_table(scores: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop each row's own id (and missing ``-1`` hits) from a self-search of
    ``k + 1`` neighbours; keep the best ``k``. No input validation.

    Returns ``(scores, rows)`` of shape (n, k); missing hits are ``-1``.

    >>> rows = np.array([[0, 1, 2], [0, 1, 2], [2, 1, -1]])
    >>> scores = np.array([[1, .9, .5], [1, 1, .5], [1, .5, -np.inf]], dtype=np.float32)
    >>> top_k_table(scores, rows, 2)[1].tolist()
    [[1, 2], [0, 2], [1, -1]]
    """
    n = len(rows)
    keep = (rows >= 0) & (rows != np.arange(n)[:, None])
    order = np.argsort(~keep, axis=1, kind="stable")[:, :k]
    out_rows = np.take_along_axis(rows, order, axis=1)
    out_scores = np.take_along_axis(scores, order, axis=1)
    out_rows[~np.take_along_axis(keep, order, axis=1)] = -1
    return out_scores, out_rows


def all_neighbors(
    index: KnnIndex, vectors: np.ndarray, ids: np.ndarray, k: int, *, block: int = 8192
) -> NeighborTable:
    """Every image's ``k`` most similar other images (the table the server's catalogue
    API answers "similar images" from): one blockwise self-search of ``index`` (a
    ``KnnIndex`` over ``vectors``) for each vector's ``k + 1`` nearest, keeping the ``k``
    that are not itself. Queries are read ``block`` rows at a time (a lazy view, such as
    float16 rows read as float32, stays one)."""
    want = min(k + 1, len(vectors))
    parts = [
        index.search(np.asarray(vectors[s : s + block], dtype=np.float32), want)
        for s in range(0, len(vectors), block)
    ]
    scores = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, want), np.float32)
    rows = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, want), np.int64)
    scores, rows = top_k_table(scores, rows, k)
    return NeighborTable(ids, scores, rows)
