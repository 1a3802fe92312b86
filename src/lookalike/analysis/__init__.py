"""Analysis: pure functions over vectors and graphs (no file or network I/O)."""

from lookalike.analysis.graphs import (
    GraphStats,
    KnnGraph,
    build_knn_graph,
    connect_components,
    expand_seed,
    graph_stats,
    knn_graph,
)
from lookalike.analysis.neighbors import Neighbor, Neighbors, top_k
from lookalike.analysis.paths import (
    ImagePath,
    fewest_steps_path,
    find_path,
    minimax_path,
    path_distances,
    shortest_path,
)

__all__ = [
    "GraphStats",
    "ImagePath",
    "KnnGraph",
    "Neighbor",
    "Neighbors",
    "build_knn_graph",
    "connect_components",
    "expand_seed",
    "fewest_steps_path",
    "find_path",
    "graph_stats",
    "knn_graph",
    "minimax_path",
    "path_distances",
    "shortest_path",
    "top_k",
]
