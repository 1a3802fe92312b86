"""Analysis: pure functions over vectors and graphs (no file or network I/O)."""

from lookalike.analysis.clusters import (
    Clusters,
    KScan,
    cluster_neighborhood,
    find_elbow,
    k_medoids,
    scan_k,
)
from lookalike.analysis.compare import ModelComparison, knn_rows, topk_overlap
from lookalike.analysis.graphs import (
    GraphStats,
    KnnGraph,
    build_knn_graph,
    connect_components,
    expand_seed,
    graph_stats,
    knn_graph,
)
from lookalike.analysis.maps import (
    Projection,
    atlas_cells,
    equalize,
    project,
    snap_to_grid,
    unit_square,
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
    "Clusters",
    "GraphStats",
    "ImagePath",
    "KScan",
    "KnnGraph",
    "ModelComparison",
    "Neighbor",
    "Neighbors",
    "Projection",
    "atlas_cells",
    "build_knn_graph",
    "cluster_neighborhood",
    "connect_components",
    "equalize",
    "expand_seed",
    "fewest_steps_path",
    "find_elbow",
    "find_path",
    "graph_stats",
    "k_medoids",
    "knn_graph",
    "knn_rows",
    "minimax_path",
    "path_distances",
    "project",
    "scan_k",
    "shortest_path",
    "snap_to_grid",
    "top_k",
    "topk_overlap",
    "unit_square",
]
