"""The kNN graph of a whole collection: build it, connect its islands, keep its
minimum spanning tree for bottleneck paths.

Edge weights are cosine distances ``1 - similarity`` (floored at ``MIN_DISTANCE`` so
that identical images still have an edge); :meth:`KnnGraph.to_networkx` hands users
graphs with ``similarity`` on their edges.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from lookalike._validation import check_int
from lookalike.analysis.paths import ImagePath, find_path, path_distances
from lookalike.errors import ImageNotFound
from lookalike.search import FaissIndex, FlatIndex, KnnIndex

__all__ = [
    "EXACT_BELOW",
    "MIN_DISTANCE",
    "KnnGraph",
    "build_knn_graph",
    "connect_components",
    "default_index",
    "knn_graph",
    "spanning_tree",
]

MIN_DISTANCE = 1e-6
EXACT_BELOW = 50_000  # exact blockwise kNN up to this many vectors, HNSW above


def default_index(vectors: np.ndarray) -> KnnIndex:
    """Exact FAISS search below ``EXACT_BELOW`` vectors, FAISS HNSW above, over 8-bit
    vectors (a quarter of the float32 memory: 1.3 GB instead of 5.1 GB at 1M x 1280; the
    scores are recomputed exactly by :func:`_search_rows`)."""
    if len(vectors) < EXACT_BELOW:
        index = FaissIndex(vectors.shape[1], kind="flat")
    else:
        index = FaissIndex(vectors.shape[1], kind="hnsw-sq", hnsw_m=16, ef_search=48)
        index.faiss_index.hnsw.efConstruction = 48
    for start in range(0, len(vectors), 65536):
        index.add(np.asarray(vectors[start : start + 65536], dtype=np.float32))
    return index


def _search_rows(
    index: KnnIndex, vectors: np.ndarray, rows: np.ndarray, k: int, block: int
) -> tuple[np.ndarray, np.ndarray]:
    """``index.search`` for ``vectors[rows]``, block by block, with exact scores (an
    index over quantised vectors gets its hits re-scored and re-ordered); no input
    validation."""
    scores = np.empty((len(rows), k), np.float32)
    ids = np.empty((len(rows), k), np.int64)
    quantised = getattr(index, "kind", "") == "hnsw-sq"
    for start in range(0, len(rows), block):
        sel = rows[start : start + block]
        if len(sel) and sel[-1] - sel[0] == len(sel) - 1:  # contiguous: a slice, no copy
            q = np.asarray(vectors[sel[0] : sel[-1] + 1], dtype=np.float32)
        else:
            q = np.asarray(vectors[sel], dtype=np.float32)
        s, i = index.search(q, k)
        if quantised:
            s, i = _exact_scores(q, vectors, i)
        scores[start : start + len(sel)], ids[start : start + len(sel)] = s, i
    return scores, ids


def _exact_scores(
    q: np.ndarray, vectors: np.ndarray, ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Inner products of ``q[r]`` with ``vectors[ids[r, c]]``, best first per row (-inf
    and id -1 stay last); no input validation."""
    out = np.full(ids.shape, -np.inf, dtype=np.float32)
    for c in range(ids.shape[1]):  # one column at a time: the gathered block stays small
        ok = ids[:, c] >= 0
        rows = np.asarray(vectors[ids[ok, c]], dtype=np.float32)
        out[ok, c] = np.einsum("ij,ij->i", q[ok], rows)
    order = np.argsort(-out, axis=1, kind="stable")
    return np.take_along_axis(out, order, 1), np.take_along_axis(ids, order, 1)


def knn_graph(
    index: KnnIndex,
    vectors: np.ndarray,
    *,
    k: int = 10,
    mutual: bool = False,
    block: int = 8192,
) -> sparse.csr_matrix:
    """The symmetric kNN graph of ``vectors``: an edge joins two rows when either is
    among the other's ``k`` nearest (both, with ``mutual=True``).

    Parameters
    ----------
    index : KnnIndex
        Holds ``vectors`` (row ``i`` is id ``i``), cosine metric.
    vectors : ndarray of shape (n, dim)
        Unit rows (may be a memory map); searched ``block`` rows at a time.
    k : int, default=10
    mutual : bool, default=False

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n, n)
        Symmetric; values are cosine distances ``max(1 - similarity, MIN_DISTANCE)``.

    Examples
    --------
    >>> x = np.array([[1, 0], [0.8, 0.6], [0, 1], [-1, 0]], dtype=np.float32)
    >>> g = knn_graph(FlatIndex.from_vectors(x), x, k=1)
    >>> g.toarray().astype(float).round(2).tolist()
    [[0.0, 0.2, 0.0, 0.0], [0.2, 0.0, 0.4, 0.0], [0.0, 0.4, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]]
    """
    n = len(vectors)
    k = check_int(k, "k", "knn_graph", low=1)
    if n < 2:
        return sparse.csr_matrix((n, n), dtype=np.float32)
    scores, ids = _search_rows(index, vectors, np.arange(n), min(k + 1, n), block)
    return _graph_from_lists(scores, ids, k, mutual)


def _graph_from_lists(
    scores: np.ndarray, ids: np.ndarray, k: int, mutual: bool
) -> sparse.csr_matrix:
    """The kNN graph from each row's search results (``k + 1`` or more columns, best
    first, the row itself among them or not). No input validation."""
    n = len(ids)
    rows = np.arange(n)[:, None]
    keep = (ids >= 0) & (ids != rows)
    keep &= np.cumsum(keep, axis=1) <= k  # the query itself may be missing or not first
    r = np.broadcast_to(rows, ids.shape)[keep]
    dist = np.maximum(1.0 - scores[keep], MIN_DISTANCE).astype(np.float32)
    a = sparse.csr_matrix((dist, (r, ids[keep])), shape=(n, n))
    a = a.minimum(a.T) if mutual else a.maximum(a.T)
    a = a.tocsr()
    a.eliminate_zeros()
    return a


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
    >>> x = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.14, 0.99]], dtype=np.float32)
    >>> index = FlatIndex.from_vectors(x)
    >>> bridges, dist, n = connect_components(knn_graph(index, x, k=1), x, index=index)
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
        found = _search_rows(index, vectors, outside, min(probe, len(vectors)), 8192)
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
        scores, ids = FlatIndex.from_vectors(rep_vectors).search(rep_vectors, m)
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


@dataclass(frozen=True)
class KnnGraph:
    """The kNN graph of a collection, with the bridges that join its islands.

    Attributes
    ----------
    ids : ndarray of shape (n,)
        Image id of each row.
    knn : scipy.sparse.csr_matrix of shape (n, n)
        Symmetric kNN edges weighted by cosine distance.
    bridges : ndarray of shape (n_islands - 1, 2)
        Extra edges (row pairs) that make the graph connected.
    bridge_distances : ndarray of shape (n_islands - 1,)
    n_islands : int
        Connected components of ``knn`` alone.
    k, mutual, model
        How it was built.
    """

    ids: np.ndarray
    knn: sparse.csr_matrix
    bridges: np.ndarray
    bridge_distances: np.ndarray
    n_islands: int
    k: int
    mutual: bool = False
    model: str = ""
    _tree: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def __str__(self) -> str:
        kind = "mutual " if self.mutual else ""
        text = (
            f"{kind}kNN graph (k={self.k}, {self.model}): {len(self)} images, "
            f"{self.knn.nnz // 2} edges, {self.n_islands} island(s)"
        )
        if len(self.bridges):
            text += f"; {len(self.bridges)} bridge edge(s) of the islands' spanning tree added"
        return text

    @cached_property
    def connected(self) -> sparse.csr_matrix:
        """``knn`` plus the bridges, both ways: one component."""
        n = len(self.ids)
        b = self.bridges
        extra = sparse.csr_matrix(
            (
                np.concatenate([self.bridge_distances] * 2).astype(np.float32),
                (np.concatenate([b[:, 0], b[:, 1]]), np.concatenate([b[:, 1], b[:, 0]])),
            ),
            shape=(n, n),
        )
        out = self.knn.maximum(extra).tocsr().astype(np.float32)
        out.sort_indices()
        return out

    @cached_property
    def bridge_set(self) -> frozenset[tuple[int, int]]:
        return frozenset((int(min(a, b)), int(max(a, b))) for a, b in self.bridges)

    @cached_property
    def positions(self) -> dict[str, int]:
        """image id -> row."""
        return {str(image_id): row for row, image_id in enumerate(self.ids)}

    def path(
        self, source: str, target: str, *, method: str = "shortest", steps: int | None = None
    ) -> ImagePath:
        """The path between two image ids over :attr:`connected` (see
        :func:`lookalike.analysis.find_path`), with the similarity of each step."""
        missing = [i for i in (source, target) if i not in self.positions]
        if missing:
            raise ImageNotFound(f"Image {missing[0]!r} is not in the graph.")
        a, b = self.positions[source], self.positions[target]
        tree = self.tree() if method == "smooth" else None
        rows = find_path(
            self.connected, a, b, method=method, steps=steps, tree=tree, names=self.ids
        )
        sims = 1.0 - path_distances(self.connected, rows)
        pairs = itertools.pairwise(rows.tolist())
        bridges = tuple(
            i
            for i, (u, v) in enumerate(pairs, start=1)
            if (min(u, v), max(u, v)) in self.bridge_set
        )
        return ImagePath(
            tuple(str(self.ids[r]) for r in rows),
            tuple(round(float(x), 6) for x in sims),
            method,
            bridges=bridges,
            model=self.model,
        )

    def tree(self) -> dict[str, np.ndarray]:
        """The minimum spanning tree of :attr:`connected`, rooted at row 0, as arrays
        ``parent``, ``depth`` and ``weight`` (of the edge to the parent)."""
        if not self._tree:
            self._tree.update(spanning_tree(self.connected))
        return self._tree

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Everything as named arrays (for ``np.savez``)."""
        t = self.tree()
        return {
            "ids": self.ids.astype(str),
            "indptr": self.knn.indptr,
            "indices": self.knn.indices,
            "data": self.knn.data,
            "bridges": self.bridges,
            "bridge_distances": self.bridge_distances,
            "meta": np.array([self.n_islands, self.k, int(self.mutual)], np.int64),
            "model": np.array(self.model),
            **{f"tree_{name}": arr for name, arr in t.items()},
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> KnnGraph:
        n = len(a["ids"])
        knn = sparse.csr_matrix((a["data"], a["indices"], a["indptr"]), shape=(n, n))
        tree = {name[5:]: a[name] for name in a if name.startswith("tree_")}
        n_islands, k, mutual = (int(v) for v in a["meta"])
        return cls(
            np.asarray(a["ids"], dtype=object),
            knn,
            np.asarray(a["bridges"], np.int64).reshape(-1, 2),
            np.asarray(a["bridge_distances"], np.float32),
            n_islands,
            k,
            bool(mutual),
            str(a["model"]),
            tree,
        )

    def to_networkx(self, *, connected: bool = True, attrs: dict | None = None) -> nx.Graph:
        """A networkx Graph with image ids as nodes and ``similarity`` on edges
        (``bridge=True`` on the edges added to connect the islands)."""
        g = nx.Graph(k=self.k, mutual=self.mutual, model=self.model, islands=self.n_islands)
        g.add_nodes_from((str(i), dict(attrs.get(str(i), {})) if attrs else {}) for i in self.ids)
        m = sparse.triu(self.connected if connected else self.knn, k=1).tocoo()
        bridges = self.bridge_set
        g.add_edges_from(
            (
                str(self.ids[a]),
                str(self.ids[b]),
                {"similarity": round(1.0 - float(d), 6), "bridge": (int(a), int(b)) in bridges},
            )
            for a, b, d in zip(m.row, m.col, m.data, strict=True)
        )
        return g


def spanning_tree(graph: sparse.csr_matrix) -> dict[str, np.ndarray]:
    """Minimum spanning tree of a connected symmetric graph, rooted at row 0.

    Returns arrays ``parent`` (-1 at the root), ``depth`` and ``weight``; a path between
    two rows in this tree is a minimax (bottleneck) path of ``graph``.
    """
    n = graph.shape[0]
    mst = csgraph.minimum_spanning_tree(graph)
    mst = (mst + mst.T).tocsr()
    order, parent = csgraph.breadth_first_order(mst, 0, directed=False)
    parent = parent.astype(np.int64)
    parent[parent < 0] = -1
    depth = np.zeros(n, np.int32)
    weight = np.zeros(n, graph.dtype)
    for v in order[1:]:  # breadth-first order: parents come first
        depth[v] = depth[parent[v]] + 1
    has = parent >= 0
    weight[has] = np.asarray(mst[np.flatnonzero(has), parent[has]]).ravel()
    return {"parent": parent, "depth": depth, "weight": weight}


def build_knn_graph(
    vectors: np.ndarray,
    ids: Sequence[str],
    *,
    k: int = 10,
    mutual: bool = False,
    model: str = "",
    index: KnnIndex | None = None,
    probe: int = 16,
) -> KnnGraph:
    """The kNN graph of ``vectors`` (see :func:`knn_graph`) made connected (see
    :func:`connect_components`), with its minimum spanning tree for bottleneck paths.

    Parameters
    ----------
    vectors : ndarray of shape (n, dim)
    ids : sequence of str of length n
    k : int, default=10
    mutual : bool, default=False
    index : KnnIndex, optional
        Over ``vectors``; default :func:`default_index`.
    probe : int, default=16
        Neighbours fetched per image (at least ``k + 1``); those beyond the ``k``
        nearest are candidate bridges between islands.
    """
    k = check_int(k, "k", "build_knn_graph", low=1)
    index = index if index is not None else default_index(vectors)
    n = len(vectors)
    # One search serves both the graph (k) and the candidate bridges (probe).
    lists = _search_rows(index, vectors, np.arange(n), min(max(k + 1, probe), n), 8192)
    knn = _graph_from_lists(*lists, k, mutual)
    bridges, distances, n_islands = connect_components(knn, vectors, index=index, candidates=lists)
    graph = KnnGraph(
        np.asarray(ids, dtype=object), knn, bridges, distances, n_islands, k, mutual, model
    )
    graph.tree()
    return graph
