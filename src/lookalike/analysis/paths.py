"""Paths between two images over a similarity graph ("X degrees of separation").

Three kinds, over a symmetric sparse graph whose weights are cosine distances:

- ``shortest``: least total distance (bidirectional Dijkstra);
- ``fewest``: fewest steps (bidirectional breadth-first search);
- ``smooth``: the minimax (bottleneck) path, whose largest single step is as small as
  possible; among those, one with the fewest steps.

``steps=N`` asks for a path of at most N steps (``shortest`` and ``smooth``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from lookalike._validation import check_choice, check_int
from lookalike.analysis._display import html_table, name_of, text_table
from lookalike.errors import NoPath

__all__ = [
    "MAX_STEPS",
    "METHODS",
    "ImagePath",
    "fewest_steps_path",
    "find_path",
    "minimax_path",
    "path_distances",
    "shortest_path",
]

METHODS = ("shortest", "fewest", "smooth")
MAX_STEPS = 100


def _kernels():
    """The compiled kernels, imported (and numba with them) on first use."""
    from lookalike.analysis import _graph_kernels

    return _graph_kernels


def _check(graph: sparse.csr_matrix, source: int, target: int, where: str) -> None:
    n = graph.shape[0]
    check_int(source, "source", where, low=0, high=n - 1)
    check_int(target, "target", where, low=0, high=n - 1)
    if source == target:
        raise ValueError(f"source and target are the same node ({source}): there is no path.")


def _name(names: Sequence[str] | None, row: int) -> str:
    return repr(str(names[row])) if names is not None else str(row)


def _no_path(source: int, target: int, names: Sequence[str] | None) -> NoPath:
    return NoPath(
        f"No path from {_name(names, source)} to {_name(names, target)}: they are in "
        "different components of the graph (connect them with connect_components)."
    )


def _csr(graph: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not sparse.isspmatrix_csr(graph) and not isinstance(graph, sparse.csr_array):
        graph = sparse.csr_matrix(graph)
    return graph.indptr, graph.indices, graph.data


def shortest_path(
    graph: sparse.csr_matrix,
    source: int,
    target: int,
    *,
    steps: int | None = None,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """The path of least total weight from ``source`` to ``target``.

    Parameters
    ----------
    graph : scipy.sparse.csr_matrix of shape (n, n)
        Symmetric, positive weights (distances).
    source, target : int
        Rows.
    steps : int, optional
        At most this many steps (a hop-limited Bellman-Ford instead of Dijkstra).
    names : sequence of str, optional
        Node names for the error messages.

    Returns
    -------
    ndarray of shape (n_steps + 1,)
        Rows from ``source`` to ``target``.

    Raises
    ------
    NoPath

    Examples
    --------
    >>> g = sparse.csr_matrix(np.array([[0, 1, 5], [1, 0, 1], [5, 1, 0]], float))
    >>> shortest_path(g, 0, 2).tolist(), shortest_path(g, 0, 2, steps=1).tolist()
    ([0, 1, 2], [0, 2])
    """
    _check(graph, source, target, "shortest_path")
    indptr, indices, data = _csr(graph)
    if steps is None:
        rows = _kernels().bidirectional_dijkstra(indptr, indices, data, source, target)
    else:
        steps = check_int(steps, "steps", "shortest_path", low=1, high=MAX_STEPS)
        rows = _kernels().hop_limited_shortest(indptr, indices, data, source, target, steps)
        if not len(rows):
            _raise_too_few_steps(graph, source, target, steps, names)
    if not len(rows):
        raise _no_path(source, target, names)
    return rows


def fewest_steps_path(
    graph: sparse.csr_matrix,
    source: int,
    target: int,
    *,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """A path with the fewest steps from ``source`` to ``target`` (weights ignored).

    Examples
    --------
    >>> g = sparse.csr_matrix(np.array([[0, 1, 5], [1, 0, 1], [5, 1, 0]], float))
    >>> fewest_steps_path(g, 0, 2).tolist()
    [0, 2]
    """
    _check(graph, source, target, "fewest_steps_path")
    rows = _kernels().bidirectional_bfs(*_csr(graph), source, target, np.inf)
    if not len(rows):
        raise _no_path(source, target, names)
    return rows


def minimax_path(
    graph: sparse.csr_matrix,
    source: int,
    target: int,
    *,
    steps: int | None = None,
    tree: dict[str, np.ndarray] | None = None,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """The smooth path: its largest step is as small as on any path (minimax, or
    bottleneck, path); among such paths, one with the fewest steps.

    Parameters
    ----------
    graph : scipy.sparse.csr_matrix of shape (n, n)
    source, target : int
    steps : int, optional
        At most this many steps: the largest step is then as small as on any path of at
        most ``steps`` steps.
    tree : dict, optional
        The graph's minimum spanning tree (``parent``, ``depth``, ``weight`` arrays, see
        :func:`lookalike.analysis.knn_graphs.spanning_tree`): gives the bottleneck at once;
        without it, a binary search over the edge weights finds it.

    Examples
    --------
    >>> g = sparse.csr_matrix(np.array([[0, 1, 5], [1, 0, 1], [5, 1, 0]], float))
    >>> minimax_path(g, 0, 2).tolist(), minimax_path(g, 0, 2, steps=1).tolist()
    ([0, 1, 2], [0, 2])
    """
    _check(graph, source, target, "minimax_path")
    if steps is not None:
        steps = check_int(steps, "steps", "minimax_path", low=1, high=MAX_STEPS)
    indptr, indices, data = _csr(graph)
    kernels = _kernels()

    def hops(limit: float) -> np.ndarray:
        return kernels.bidirectional_bfs(indptr, indices, data, source, target, limit)

    if tree is not None:
        bottleneck = kernels.tree_bottleneck(
            tree["parent"], tree["depth"], tree["weight"], source, target
        )
        if bottleneck < 0:
            raise _no_path(source, target, names)
    else:
        if not len(hops(np.inf)):
            raise _no_path(source, target, names)
        weights = np.unique(data)
        bottleneck = weights[_first_index(weights, 0, lambda w: len(hops(w)) > 0)]
    rows = hops(bottleneck)
    if steps is None or len(rows) - 1 <= steps:
        return rows
    if len(hops(np.inf)) - 1 > steps:
        _raise_too_few_steps(graph, source, target, steps, names)
    weights = np.unique(data)
    lo = int(np.searchsorted(weights, bottleneck))
    best = _first_index(weights, lo, lambda w: 0 < len(hops(w)) - 1 <= steps)
    return hops(weights[best])


def _first_index(weights: np.ndarray, lo: int, ok) -> int:
    """The smallest ``i >= lo`` with ``ok(weights[i])`` (``ok`` is monotone and true at
    the last index). No input validation."""
    hi = len(weights) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(weights[mid]):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _raise_too_few_steps(graph, source, target, steps, names) -> None:
    fewest = fewest_steps_path(graph, source, target, names=names)
    raise NoPath(
        f"No path from {_name(names, source)} to {_name(names, target)} in at most "
        f"{steps} step{'s' if steps != 1 else ''}: the fewest is {len(fewest) - 1}."
    )


def find_path(
    graph: sparse.csr_matrix,
    source: int,
    target: int,
    *,
    method: str = "shortest",
    steps: int | None = None,
    tree: dict[str, np.ndarray] | None = None,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """:func:`shortest_path`, :func:`fewest_steps_path` or :func:`minimax_path` by
    ``method`` name ("shortest", "fewest", "smooth")."""
    method = check_choice(method, "method", "find_path", METHODS)
    if method == "fewest":
        if steps is not None:
            raise ValueError("'steps' cannot be used with method='fewest' (it is the fewest).")
        return fewest_steps_path(graph, source, target, names=names)
    if method == "smooth":
        return minimax_path(graph, source, target, steps=steps, tree=tree, names=names)
    return shortest_path(graph, source, target, steps=steps, names=names)


def path_distances(graph: sparse.csr_matrix, rows: Sequence[int]) -> np.ndarray:
    """The weight of each step of the path ``rows``.

    >>> g = sparse.csr_matrix(np.array([[0, 1, 5], [1, 0, 2], [5, 2, 0]], float))
    >>> path_distances(g, [0, 1, 2]).tolist()
    [1.0, 2.0]
    """
    rows = np.asarray(rows)
    return np.asarray(graph[rows[:-1], rows[1:]], dtype=np.float64).ravel()


@dataclass(frozen=True)
class ImagePath:
    """A chain of images from ``ids[0]`` to ``ids[-1]``; step ``i`` goes from
    ``ids[i-1]`` to ``ids[i]`` with cosine similarity ``similarities[i-1]``.

    ``bridges`` lists the steps that use an edge added to join two islands of the kNN
    graph (not among either image's k nearest).
    """

    ids: tuple[str, ...]
    similarities: tuple[float, ...]
    method: str
    uris: tuple[str, ...] = ()
    bridges: tuple[int, ...] = ()
    model: str = ""

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    @property
    def steps(self) -> int:
        return len(self.ids) - 1

    @property
    def worst(self) -> float:
        """The similarity of the largest jump."""
        return min(self.similarities) if self.similarities else 1.0

    @property
    def total_distance(self) -> float:
        return float(sum(1.0 - s for s in self.similarities))

    def to_frame(self):
        """A DataFrame with columns step, id, path, similarity (to the previous image)."""
        import pandas as pd

        uris = self.uris or ("",) * len(self.ids)
        sims = (float("nan"), *self.similarities)
        return pd.DataFrame(
            {"step": range(len(self.ids)), "id": self.ids, "path": uris, "similarity": sims}
        )

    def __str__(self) -> str:
        uris = self.uris or ("",) * len(self.ids)
        head = (
            f"{self.method} path, {self.steps} steps, worst step {self.worst:.4f}, "
            f"total distance {self.total_distance:.4f}"
        )
        lines = [head, "step  similarity  id            path"]
        for i, (image_id, uri) in enumerate(zip(self.ids, uris, strict=True)):
            sim = "" if i == 0 else f"{self.similarities[i - 1]:.4f}"
            mark = " (bridge)" if i in self.bridges else ""
            lines.append(f"{i:>4}  {sim:>10}  {image_id:<12}  {uri}{mark}")
        return "\n".join(lines)

    def _title(self) -> str:
        return (
            f"{self.method} path, {self.steps} steps, worst step {self.worst:.4f} "
            f"({self.model or 'model'})"
        )

    def _rows(self) -> list[tuple]:
        uris = self.uris or ("",) * len(self.ids)
        return [
            (
                i,
                self.similarities[i - 1] if i else float("nan"),
                name_of(uri, image_id),
                "bridge" if i in self.bridges else "",
            )
            for i, (image_id, uri) in enumerate(zip(self.ids, uris, strict=True))
        ]

    def __repr__(self) -> str:
        rows = self._rows()
        if len(rows) > 6:  # the ends matter most: first 3, last 2
            middle = ("...", "", f"{len(rows) - 5} more steps", "")
            rows = [*rows[:3], middle, *rows[-2:]]
        return text_table(
            self._title(), ("step", "similarity", "image", ""), rows, max_rows=len(rows)
        )

    def _repr_html_(self) -> str:
        return html_table(
            self._title(),
            ("step", "similarity", "image", ""),
            self._rows(),
            max_rows=100,
            titles=list(self.uris) if self.uris else None,
        )
