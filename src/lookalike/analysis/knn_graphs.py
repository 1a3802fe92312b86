"""The kNN graph of a whole collection: build it, connect its islands, keep its
minimum spanning tree for bottleneck paths.

Edge weights are cosine distances ``1 - similarity`` (floored at ``MIN_DISTANCE`` so
that identical images still have an edge); :meth:`KnnGraph.to_networkx` hands users
graphs with ``similarity`` on their edges. The search behind the graph is in
:mod:`lookalike.analysis.knn_search`, the bridges between its islands in
:mod:`lookalike.analysis.islands`; both are re-exported here.
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
from lookalike.analysis.islands import connect_components
from lookalike.analysis.knn_search import MIN_DISTANCE, search_rows
from lookalike.analysis.paths import ImagePath, find_path, path_distances
from lookalike.errors import ImageNotFound
from lookalike.search import KnnIndex

__all__ = [
    "MIN_DISTANCE",
    "KnnGraph",
    "connect_components",
    "knn_adjacency",
    "knn_graph",
    "spanning_tree",
]


def knn_adjacency(
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
    >>> from lookalike.search import FlatIndex
    >>> x = np.array([[1, 0], [0.8, 0.6], [0, 1], [-1, 0]], dtype=np.float32)
    >>> g = knn_adjacency(FlatIndex.from_vectors(x), x, k=1)
    >>> g.toarray().astype(float).round(2).tolist()
    [[0.0, 0.2, 0.0, 0.0], [0.2, 0.0, 0.4, 0.0], [0.0, 0.4, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]]
    """
    n = len(vectors)
    k = check_int(k, "k", "knn_adjacency", low=1)
    if n < 2:
        return sparse.csr_matrix((n, n), dtype=np.float32)
    scores, ids = search_rows(index, vectors, np.arange(n), min(k + 1, n), block)
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

    def __repr__(self) -> str:
        return f"<{self}>"

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


def knn_graph(
    vectors: np.ndarray,
    ids: Sequence[str],
    *,
    k: int = 10,
    mutual: bool = False,
    model: str = "",
    index: KnnIndex,
    probe: int = 16,
) -> KnnGraph:
    """The kNN graph of ``vectors`` (see :func:`knn_adjacency`) made connected (see
    :func:`connect_components`), with its minimum spanning tree for bottleneck paths.

    Parameters
    ----------
    vectors : ndarray of shape (n, dim)
    ids : sequence of str of length n
    k : int, default=10
    mutual : bool, default=False
    index : KnnIndex
        Over ``vectors`` (row ``i`` is id ``i``), cosine metric; the caller chooses it
        (``search.choose_index(vectors, task="graph")``).
    probe : int, default=16
        Neighbours fetched per image (at least ``k + 1``); those beyond the ``k``
        nearest are candidate bridges between islands.
    """
    k = check_int(k, "k", "knn_graph", low=1)
    n = len(vectors)
    # One search serves both the graph (k) and the candidate bridges (probe).
    lists = search_rows(index, vectors, np.arange(n), min(max(k + 1, probe), n), 8192)
    knn = _graph_from_lists(*lists, k, mutual)
    bridges, distances, n_islands = connect_components(knn, vectors, index=index, candidates=lists)
    graph = KnnGraph(
        np.asarray(ids, dtype=object), knn, bridges, distances, n_islands, k, mutual, model
    )
    graph.tree()
    return graph
