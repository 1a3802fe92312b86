"""Similarity graphs grown from a seed image (breadth-first over any neighbours
function): the networkx graphs ``Collection.graph(seed)`` and ``lookalike graph`` hand to
users, with ``similarity`` on their edges.

The kNN graph of a whole collection is in :mod:`lookalike.analysis.knn_graphs`, graph
measures in :mod:`lookalike.analysis.graph_statistics`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping

import networkx as nx

from lookalike._validation import check_int

__all__ = ["MAX_DEPTH", "expand_seed", "seed_graph"]

MAX_DEPTH = 10  # k ** depth explodes long before: deeper requests are capped, with a note

NeighborsFn = Callable[[str, int], Iterable[tuple[str, float]]]


# -- growing a graph from a seed ---------------------------------------------------------
def expand_seed(
    neighbors_fn: NeighborsFn,
    seed: str,
    *,
    depth: int = 2,
    k: int = 5,
    max_nodes: int = 10_000,
) -> nx.Graph:
    """Grow the graph of images similar to ``seed``, breadth-first, ``depth`` levels.

    Each node of levels ``0 .. depth - 1`` is linked to its ``k`` most similar images,
    fetched once with ``neighbors_fn``; nodes already in the graph are linked again but
    never fetched again. The same function runs over a local collection or a remote
    catalogue: only ``neighbors_fn`` changes.

    Parameters
    ----------
    neighbors_fn : callable ``(id: str, k: int) -> iterable of (id, similarity)``
        The ``k`` most similar images to ``id``, best first (``id`` itself is skipped
        if returned).
    seed : str
    depth : int, default=2
        Levels of expansion; more than ``MAX_DEPTH`` is capped with a warning.
    k : int, default=5
    max_nodes : int, default=10000
        Stop adding nodes beyond this many (with a warning).

    Returns
    -------
    networkx.Graph
        Node attribute ``depth`` (0 for the seed); edge attribute ``similarity``; graph
        attributes ``seed``, ``k``, ``depth`` and ``fetched`` (calls of ``neighbors_fn``).

    Examples
    --------
    >>> table = {"a": [("b", 0.9), ("c", 0.8)], "b": [("a", 0.9), ("c", 0.7)],
    ...          "c": [("a", 0.8), ("d", 0.6)], "d": [("c", 0.6), ("b", 0.5)]}
    >>> g = expand_seed(lambda i, k: table[i][:k], "a", depth=2, k=2)
    >>> sorted(g.nodes(data="depth"))
    [('a', 0), ('b', 1), ('c', 1), ('d', 2)]
    >>> g.graph["fetched"], g.edges["b", "c"]["similarity"]
    (3, 0.7)
    """
    depth = check_int(depth, "depth", "expand_seed", low=0)
    k = check_int(k, "k", "expand_seed", low=1, high=1000)
    max_nodes = check_int(max_nodes, "max_nodes", "expand_seed", low=1)
    if depth > MAX_DEPTH:
        warnings.warn(f"depth={depth} is capped at {MAX_DEPTH}.", UserWarning, stacklevel=2)
        depth = MAX_DEPTH
    seed = str(seed)
    g = nx.Graph(seed=seed, k=k, depth=depth)
    g.add_node(seed, depth=0)
    frontier, fetched, full = [seed], 0, False
    for level in range(1, depth + 1):
        following = []
        for node in frontier:
            fetched += 1
            for other, score in list(neighbors_fn(node, k))[:k]:
                other = str(other)
                if other == node:
                    continue
                if other not in g:
                    if g.number_of_nodes() >= max_nodes:
                        full = True
                        continue
                    g.add_node(other, depth=level)
                    following.append(other)
                if not g.has_edge(node, other):
                    g.add_edge(node, other, similarity=float(score))
        frontier = following
        if not frontier:
            break
    g.graph["fetched"] = fetched
    if full:
        warnings.warn(
            f"The graph stopped growing at max_nodes={max_nodes} nodes.", UserWarning, stacklevel=2
        )
    return g


def seed_graph(
    neighbors_fn: NeighborsFn,
    seed: str,
    *,
    depth: int = 2,
    k: int = 5,
    max_nodes: int = 10_000,
    paths: Mapping[str, str] | Callable[[str], str] | None = None,
) -> nx.Graph:
    """:func:`expand_seed`, each node given a ``path`` attribute: the graph that
    ``Collection.graph(seed)`` and ``lookalike graph --remote`` hand to users.

    Parameters
    ----------
    neighbors_fn, seed, depth, k, max_nodes
        As in :func:`expand_seed`.
    paths : mapping or callable ``(id) -> str``, optional
        Where each image is: its file, or its URL on a remote server. A node missing
        from the mapping (or with no paths at all) gets its id.

    Examples
    --------
    >>> table = {"a": [("b", 0.9)], "b": [("a", 0.9)]}
    >>> g = seed_graph(lambda i, k: table[i][:k], "a", depth=1, k=1, paths={"a": "a.jpg"})
    >>> sorted(g.nodes(data="path"))
    [('a', 'a.jpg'), ('b', 'b')]
    """
    g = expand_seed(neighbors_fn, seed, depth=depth, k=k, max_nodes=max_nodes)
    for node, attrs in g.nodes(data=True):
        if paths is None:
            attrs["path"] = node
        elif callable(paths):
            attrs["path"] = paths(node)
        else:
            attrs["path"] = paths.get(node, node)
    return g
