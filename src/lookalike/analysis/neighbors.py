"""Nearest neighbours: the top-k of a query among a collection's vectors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from lookalike.analysis._display import html_table, name_of, text_table
from lookalike.search import KnnIndex

__all__ = ["Neighbor", "Neighbors", "top_k"]


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
