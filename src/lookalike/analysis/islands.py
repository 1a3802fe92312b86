"""Joining the islands of a graph: the bridges (a minimum spanning tree of the
islands) that make a kNN graph one connected component, so that a path exists between
any two images.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from lookalike.analysis.knn_search import MIN_DISTANCE, search_rows
from lookalike.search import KnnIndex, exact_search

__all__ = ["connect_components"]


def connect_components(
    graph: sparse.csr_matrix,
    vectors: np.ndarray,
    *,
    index: KnnIndex,
    probe: int = 32,
    max_candidates: int = 1_000_000,
    candidates: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Edges that join the islands of ``graph`` into one component: a minimum spanning
    tree of the islands.

    Two steps. (1) Every image outside the largest island asks ``index`` for its
    ``probe`` nearest vectors (skipped when that is more than ``max_candidates``
    pairs); Kruskal's algorithm joins the islands by the closest cross-island pairs
    found (for islands smaller than ``probe`` these are the exact closest pairs).
    (2) Groups still apart are joined through representatives (the member nearest to
    each group's mean): a spanning tree over the representatives, round after round,
    until one group is left.

    Parameters
    ----------
    graph : scipy.sparse.csr_matrix of shape (n, n)
    vectors : ndarray of shape (n, dim)
    index : KnnIndex
        Over ``vectors``.
    probe : int, default=32
    max_candidates : int, default=1000000
    candidates : (scores, ids), optional
        Search results of every row already at hand (``(n, m)`` arrays): used instead
        of searching again.

    Returns
    -------
    bridges : ndarray of shape (n_islands - 1, 2), int64
        Row pairs to link.
    distances : ndarray of shape (n_islands - 1,), float32
        Their cosine distances.
    n_islands : int
        Connected components of ``graph`` before the bridges.

    Examples
    --------
    >>> from lookalike.analysis.knn_graphs import knn_adjacency
    >>> from lookalike.search import FlatIndex
    >>> x = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.14, 0.99]], dtype=np.float32)
    >>> index = FlatIndex.from_vectors(x)
    >>> bridges, dist, n = connect_components(knn_adjacency(index, x, k=1), x, index=index)
    >>> n, bridges.tolist(), dist.astype(float).round(2).tolist()
    (2, [[3, 1]], [0.72])
    """
    n_islands, labels = csgraph.connected_components(graph, directed=False)
    empty = (np.zeros((0, 2), np.int64), np.zeros(0, np.float32), int(n_islands))
    if n_islands <= 1:
        return empty
    giant = int(np.argmax(np.bincount(labels)))
    outside = np.flatnonzero(labels != giant)
    bridges: list[tuple[int, int, float]] = []
    found = None
    if candidates is not None:
        found = candidates[0][outside], candidates[1][outside]
    elif len(outside) * min(probe, len(vectors)) <= max_candidates:
        found = search_rows(index, vectors, outside, min(probe, len(vectors)), 8192)
    if found is not None:
        scores, ids = found
        src = np.repeat(outside, ids.shape[1])
        dist = np.maximum(1.0 - scores.ravel(), MIN_DISTANCE)
        bridges = _kruskal(labels, src, ids.ravel(), dist)
    bridges += _join_groups(labels, bridges, vectors)
    if not bridges:
        return empty
    pairs = np.array([(a, b) for a, b, _ in bridges], np.int64)
    return pairs, np.array([d for _, _, d in bridges], np.float32), int(n_islands)


def _kruskal(
    labels: np.ndarray, src: np.ndarray, dst: np.ndarray, dist: np.ndarray
) -> list[tuple[int, int, float]]:
    """A minimum spanning forest of the groups ``labels`` over candidate row pairs
    (``dst < 0`` ignored): one (src, dst, distance) per tree edge. No input validation."""
    ok = dst >= 0
    src, dst, dist = src[ok], dst[ok], dist[ok]
    ok = labels[src] != labels[dst]
    src, dst, dist = src[ok], dst[ok], dist[ok]
    if not len(src):
        return []
    n_groups = int(labels.max()) + 1
    la = np.minimum(labels[src], labels[dst])
    lb = np.maximum(labels[src], labels[dst])
    order = np.lexsort((dist, lb, la))  # the closest pair first for each pair of groups
    first = np.ones(len(order), bool)
    first[1:] = (la[order][1:] != la[order][:-1]) | (lb[order][1:] != lb[order][:-1])
    best = order[first]
    group_graph = sparse.csr_matrix(
        (dist[best].astype(np.float64), (la[best], lb[best])), shape=(n_groups, n_groups)
    )
    tree = csgraph.minimum_spanning_tree(group_graph).tocoo()
    edge_of = {(int(a), int(b)): int(e) for a, b, e in zip(la[best], lb[best], best, strict=True)}
    chosen = [edge_of[(int(a), int(b))] for a, b in zip(tree.row, tree.col, strict=True)]
    return [(int(src[e]), int(dst[e]), float(dist[e])) for e in chosen]


def _join_groups(
    labels: np.ndarray, bridges: Sequence[tuple[int, int, float]], vectors: np.ndarray
) -> list[tuple[int, int, float]]:
    """Bridges for the groups that ``labels`` + ``bridges`` leave apart, through one
    representative per group (the member nearest to its mean), round after round.
    No input validation."""
    n_islands = int(labels.max()) + 1
    a = np.array([labels[s] for s, _, _ in bridges], np.int64)
    b = np.array([labels[t] for _, t, _ in bridges], np.int64)
    links = sparse.csr_matrix((np.ones(len(a)), (a, b)), shape=(n_islands, n_islands))
    _, merged = csgraph.connected_components(links, directed=False)
    group = merged[labels]
    added: list[tuple[int, int, float]] = []
    while (n_groups := int(group.max()) + 1) > 1:
        reps = _representatives(group, n_groups, vectors)
        rep_vectors = np.asarray(vectors[reps], dtype=np.float32)
        m = min(n_groups, 16)
        scores, ids = exact_search(rep_vectors, rep_vectors, m)
        local = np.arange(n_groups)
        found = _kruskal(local, np.repeat(local, m), ids.ravel(), 1.0 - scores.ravel())
        for ga, gb, d in found:
            added.append((int(reps[ga]), int(reps[gb]), max(float(d), MIN_DISTANCE)))
        ga = np.array([e[0] for e in found], np.int64)
        gb = np.array([e[1] for e in found], np.int64)
        links = sparse.csr_matrix((np.ones(len(ga)), (ga, gb)), shape=(n_groups, n_groups))
        _, merged = csgraph.connected_components(links, directed=False)
        group = merged[group]
    return added


def _representatives(group: np.ndarray, n_groups: int, vectors: np.ndarray) -> np.ndarray:
    """For each group, the row of its member most similar to the group's mean (one
    pass over ``vectors`` in blocks). No input validation."""
    dim = vectors.shape[1]
    sums = np.zeros((n_groups, dim), np.float64)
    block = 65536
    for start in range(0, len(vectors), block):
        x = np.asarray(vectors[start : start + block], dtype=np.float32)
        g = group[start : start + len(x)]
        member = sparse.csr_matrix(
            (np.ones(len(x), np.float32), (g, np.arange(len(x)))), shape=(n_groups, len(x))
        )
        sums += member @ x
    means = (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(
        np.float32
    )
    score = np.empty(len(vectors), np.float32)
    for start in range(0, len(vectors), block):
        x = np.asarray(vectors[start : start + block], dtype=np.float32)
        g = group[start : start + len(x)]
        score[start : start + len(x)] = np.einsum("ij,ij->i", x, means[g])
    order = np.lexsort((-score, group))
    first = np.ones(len(order), bool)
    first[1:] = group[order][1:] != group[order][:-1]
    return order[first]
