"""Paths on small hand-made and random graphs, checked against brute force."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from scipy import sparse

from lookalike.analysis import fewest_steps_path, find_path, minimax_path, shortest_path
from lookalike.analysis.knn_graphs import spanning_tree
from lookalike.analysis.paths import ImagePath, path_distances
from lookalike.errors import NoPath


def random_graph(seed: int, n: int = 9, p: float = 0.35) -> tuple[sparse.csr_matrix, nx.Graph]:
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(n, p, seed=seed)
    for a, b in g.edges:
        g.edges[a, b]["weight"] = float(rng.integers(1, 60)) / 10  # ties happen
    m = nx.to_scipy_sparse_array(g, nodelist=range(n), weight="weight", format="csr")
    return sparse.csr_matrix(m), g


def simple_paths(g: nx.Graph, s: int, t: int, max_steps: int | None = None):
    return list(nx.all_simple_paths(g, s, t, cutoff=max_steps))


def worst(g: nx.Graph, path) -> float:
    return max(g.edges[a, b]["weight"] for a, b in itertools.pairwise(path))


def total(g: nx.Graph, path) -> float:
    return sum(g.edges[a, b]["weight"] for a, b in itertools.pairwise(path))


def is_path(g: nx.Graph, rows, s: int, t: int) -> bool:
    rows = list(rows)
    return (
        rows[0] == s
        and rows[-1] == t
        and all(g.has_edge(a, b) for a, b in itertools.pairwise(rows))
    )


@pytest.mark.parametrize("seed", range(12))
def test_minimax_paths_are_truly_minimax_by_brute_force(seed):
    m, g = random_graph(seed)
    tree = spanning_tree(m) if nx.is_connected(g) else None
    for s, t in itertools.combinations(range(m.shape[0]), 2):
        paths = simple_paths(g, s, t)
        if not paths:
            with pytest.raises(NoPath, match="different components"):
                minimax_path(m, s, t)
            continue
        best = min(worst(g, p) for p in paths)
        for kw in ({}, {"tree": tree} if tree is not None else {}):
            rows = minimax_path(m, s, t, **kw)
            assert is_path(g, rows, s, t)
            assert worst(g, rows) == pytest.approx(best)
            # among the minimax paths, the fewest steps
            fewest = min(len(p) for p in paths if worst(g, p) <= best + 1e-12)
            assert len(rows) == fewest


@pytest.mark.parametrize("seed", range(8))
def test_step_limited_paths_by_brute_force(seed):
    m, g = random_graph(seed, p=0.45)
    for s, t in itertools.combinations(range(m.shape[0]), 2):
        for steps in (1, 2, 3):
            paths = simple_paths(g, s, t, max_steps=steps)
            if not paths:
                if simple_paths(g, s, t):
                    with pytest.raises(NoPath, match=f"in at most {steps} steps?: the fewest is"):
                        minimax_path(m, s, t, steps=steps)
                continue
            rows = minimax_path(m, s, t, steps=steps)
            assert is_path(g, rows, s, t) and len(rows) - 1 <= steps
            assert worst(g, rows) == pytest.approx(min(worst(g, p) for p in paths))
            rows = shortest_path(m, s, t, steps=steps)
            assert is_path(g, rows, s, t) and len(rows) - 1 <= steps
            assert total(g, rows) == pytest.approx(min(total(g, p) for p in paths))


@pytest.mark.parametrize("seed", range(8))
def test_shortest_and_fewest_match_networkx(seed):
    m, g = random_graph(seed, n=14, p=0.25)
    for s, t in itertools.combinations(range(m.shape[0]), 2):
        if not nx.has_path(g, s, t):
            with pytest.raises(NoPath, match="different components"):
                shortest_path(m, s, t)
            with pytest.raises(NoPath, match="different components"):
                fewest_steps_path(m, s, t)
            continue
        rows = shortest_path(m, s, t)
        assert is_path(g, rows, s, t)
        assert total(g, rows) == pytest.approx(nx.dijkstra_path_length(g, s, t))
        rows = fewest_steps_path(m, s, t)
        assert is_path(g, rows, s, t)
        assert len(rows) - 1 == nx.shortest_path_length(g, s, t)


def test_path_distances_and_the_result_table():
    m = sparse.csr_matrix(np.array([[0, 0.1, 0.9], [0.1, 0, 0.3], [0.9, 0.3, 0]]))
    rows = find_path(m, 0, 2, method="smooth")
    assert rows.tolist() == [0, 1, 2]
    assert path_distances(m, rows).tolist() == pytest.approx([0.1, 0.3])
    p = ImagePath(("a", "b", "c"), (0.9, 0.7), "smooth", ("x.jpg", "y.jpg", "z.jpg"))
    frame = p.to_frame()
    assert list(frame.columns) == ["step", "id", "path", "similarity"]
    assert frame["similarity"].tolist()[1:] == [0.9, 0.7]
    assert p.steps == 2 and p.worst == 0.7 and p.total_distance == pytest.approx(0.4)
    assert "smooth path, 2 steps" in str(p)


def test_bad_input():
    m = sparse.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
    with pytest.raises(ValueError, match="same node"):
        shortest_path(m, 1, 1)
    with pytest.raises(ValueError, match="'target' parameter of minimax_path"):
        minimax_path(m, 0, 2)
    with pytest.raises(ValueError, match="'method' parameter of find_path"):
        find_path(m, 0, 1, method="scenic")
    with pytest.raises(ValueError, match="'steps' cannot be used with method='fewest'"):
        find_path(m, 0, 1, method="fewest", steps=2)
    with pytest.raises(ValueError, match=r"'steps' parameter of shortest_path .* \[1, 100\]"):
        shortest_path(m, 0, 1, steps=0)
