"""Seed expansion, the whole-collection kNN graph, connection of islands, metrics."""

from __future__ import annotations

import itertools
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csgraph

from lookalike.analysis import (
    connect_components,
    expand_seed,
    graph_stats,
    knn_adjacency,
    knn_graph,
)
from lookalike.analysis.seed_graphs import MAX_DEPTH
from lookalike.search import FlatIndex


def clustered(n_clusters=12, per=15, dim=16, spread=0.05, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_clusters, dim))
    x = np.repeat(centres, per, axis=0) + spread * rng.normal(size=(n_clusters * per, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def tree_fn(calls: Counter):
    """Every node has k brand-new neighbours: the graph is a k-ary tree."""

    def fn(node: str, k: int):
        calls[node] += 1
        return [(f"{node}.{i}", 1.0 - i / 100) for i in range(k)]

    return fn


@pytest.mark.parametrize(("depth", "k"), [(0, 3), (1, 4), (2, 3), (3, 5)])
def test_expansion_node_count_for_a_known_depth_and_k(depth, k):
    calls = Counter()
    g = expand_seed(tree_fn(calls), "s", depth=depth, k=k)
    assert g.number_of_nodes() == sum(k**d for d in range(depth + 1))
    assert g.number_of_edges() == g.number_of_nodes() - 1
    assert g.graph["fetched"] == sum(k**d for d in range(depth)) == sum(calls.values())
    assert max(dict(g.nodes(data="depth")).values()) == depth
    assert all(c == 1 for c in calls.values())


def test_expansion_never_fetches_a_node_twice_and_keeps_similarities():
    x = clustered(n_clusters=3, per=8)
    index = FlatIndex.from_vectors(x)
    calls = Counter()

    def fn(node: str, k: int):
        calls[node] += 1
        scores, ids = index.search(x[int(node)][None], k + 1)
        return [
            (str(i), float(s)) for s, i in zip(scores[0], ids[0], strict=False) if i != int(node)
        ][:k]

    g = expand_seed(fn, "0", depth=4, k=3)
    assert max(calls.values()) == 1
    assert set(calls) == {n for n, d in g.nodes(data="depth") if d < 4}
    for a, b, sim in g.edges(data="similarity"):
        assert sim == pytest.approx(float(x[int(a)] @ x[int(b)]), abs=1e-5)


def test_expansion_bad_input_and_caps():
    fn = tree_fn(Counter())
    with pytest.raises(ValueError, match=r"'depth' parameter of expand_seed .* Got -1"):
        expand_seed(fn, "s", depth=-1, k=2)
    with pytest.raises(ValueError, match="'k' parameter of expand_seed"):
        expand_seed(fn, "s", depth=1, k=0)
    with pytest.warns(UserWarning, match=f"depth=1000 is capped at {MAX_DEPTH}"):
        g = expand_seed(fn, "s", depth=1000, k=1)
    assert g.graph["depth"] == MAX_DEPTH and g.number_of_nodes() == MAX_DEPTH + 1
    with pytest.warns(UserWarning, match="stopped growing at max_nodes=20"):
        g = expand_seed(fn, "s", depth=5, k=4, max_nodes=20)
    assert g.number_of_nodes() == 20


@pytest.mark.parametrize("mutual", [False, True])
def test_knn_graph_is_symmetric_with_the_right_degrees(mutual):
    x = clustered()
    g = knn_adjacency(FlatIndex.from_vectors(x), x, k=4, mutual=mutual)
    assert (g != g.T).nnz == 0
    assert g.diagonal().sum() == 0
    degrees = np.diff(g.indptr)
    if mutual:
        assert degrees.max() <= 4
        union = knn_adjacency(FlatIndex.from_vectors(x), x, k=4)
        assert (g.multiply(union) != 0).nnz == g.nnz  # mutual edges are union edges
    else:
        assert degrees.min() >= 4
    sims = 1 - g.data
    assert sims.max() <= 1 and sims.min() > -1


def brute_force_island_mst(x, labels):
    n_islands = labels.max() + 1
    s = x @ x.T
    dist = np.full((n_islands, n_islands), np.inf)
    for a, b in itertools.combinations(range(n_islands), 2):
        dist[a, b] = dist[b, a] = 1 - s[np.ix_(labels == a, labels == b)].max()
    g = nx.Graph()
    g.add_weighted_edges_from(
        (a, b, dist[a, b]) for a, b in itertools.combinations(range(n_islands), 2)
    )
    return nx.minimum_spanning_tree(g).size(weight="weight")


@pytest.mark.parametrize(
    ("probe", "max_candidates"),
    [(64, 10**6), (2, 10**6), (64, 0)],  # exact candidates; few; representatives only
)
def test_connection_makes_every_pair_reachable_with_the_islands_mst(probe, max_candidates):
    x = clustered(n_clusters=10, per=6, spread=0.02)
    index = FlatIndex.from_vectors(x)
    knn = knn_adjacency(index, x, k=2, mutual=True)
    n_islands, labels = csgraph.connected_components(knn, directed=False)
    assert n_islands >= 10
    bridges, dist, n = connect_components(
        knn, x, index=index, probe=probe, max_candidates=max_candidates
    )
    assert n == n_islands and len(bridges) == n_islands - 1
    exact = brute_force_island_mst(x, labels)
    if probe > 6 and max_candidates:  # islands of 6 images: candidates hold closest pairs
        assert dist.sum() == pytest.approx(exact, rel=1e-4)
    else:
        assert dist.sum() >= exact - 1e-5
    linked = knn.copy().tolil()
    for (a, b), d in zip(bridges, dist, strict=True):
        linked[a, b] = linked[b, a] = d
    assert csgraph.connected_components(linked.tocsr(), directed=False)[0] == 1
    g = knn_graph(x, [f"i{i}" for i in range(len(x))], k=2, mutual=True, index=index)
    assert csgraph.connected_components(g.connected, directed=False)[0] == 1
    assert len(g.bridges) == n_islands - 1 and "bridge edge(s)" in str(g)
    reach = csgraph.shortest_path(g.connected, unweighted=True, directed=False)
    assert np.isfinite(reach).all()  # every pair has a path


def test_knn_graph_round_trips_through_arrays_and_networkx():
    x = clustered(n_clusters=4, per=5)
    index = FlatIndex.from_vectors(x)
    g = knn_graph(x, [f"i{i}" for i in range(len(x))], k=3, model="m", index=index)
    back = type(g).from_arrays(g.to_arrays())
    assert (back.knn != g.knn).nnz == 0 and back.ids.tolist() == g.ids.tolist()
    assert back.tree()["parent"].tolist() == g.tree()["parent"].tolist()
    nxg = g.to_networkx()
    assert nxg.number_of_nodes() == len(x) and nx.is_connected(nxg)
    assert sum(nxg.edges[e]["bridge"] for e in nxg.edges) == len(g.bridges)


def test_graph_stats_against_hand_computed_values():
    # triangle 0-1-2, pendant 2-3, and a separate edge 4-5
    g = nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (4, 5)])
    s = graph_stats(g)
    assert (s.nodes, s.edges, s.components, s.largest_component) == (6, 5, 2, 4)
    assert s.density == pytest.approx(5 / 15)
    assert s.degree_histogram == [0, 3, 2, 1]
    assert s.clustering == pytest.approx((1 + 1 + 1 / 3) / 6)
    assert s.diameter == 2 and s.diameter_exact
    assert s.mean_degree == pytest.approx(10 / 6)
    path = graph_stats(nx.path_graph(30), exact_diameter_below=10)
    assert path.diameter == 29 and not path.diameter_exact  # 2-sweep is exact on a path
    assert "diameter (steps, largest component): 29 (lower bound)" in str(path)
    assert graph_stats(nx.Graph()).nodes == 0


def test_a_quantised_index_gives_exact_edge_weights():
    from lookalike.analysis.knn_graphs import knn_graph
    from lookalike.models import l2_normalize
    from lookalike.search import FaissIndex, choose_index

    x = l2_normalize(np.random.default_rng(3).normal(size=(600, 32)))
    index = FaissIndex(32, kind="hnsw-sq")
    index.add(x)
    g = knn_graph(x, [str(i) for i in range(600)], k=5, index=index)
    rows, cols = g.knn.nonzero()
    exact = np.maximum(1.0 - np.einsum("ij,ij->i", x[rows], x[cols]), 1e-6)
    np.testing.assert_allclose(np.asarray(g.knn[rows, cols]).ravel(), exact, atol=1e-5)
    exact = choose_index(x, task="graph")  # 600 vectors: exact FAISS search
    flat = knn_graph(x, [str(i) for i in range(600)], k=5, index=exact)
    overlap = (g.knn.astype(bool).multiply(flat.knn.astype(bool))).nnz / flat.knn.nnz
    assert overlap > 0.9
