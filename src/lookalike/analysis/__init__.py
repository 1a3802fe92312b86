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
from lookalike.analysis.maps import (
    Projection,
    atlas_cells,
    equalize,
    project,
    snap_to_grid,
    unit_square,
)
from lookalike.analysis.neighbors import Neighbor, Neighbors, top_k

__all__ = [
    "Clusters",
    "KScan",
    "ModelComparison",
    "Neighbor",
    "Neighbors",
    "Projection",
    "atlas_cells",
    "cluster_neighborhood",
    "equalize",
    "find_elbow",
    "k_medoids",
    "knn_rows",
    "project",
    "scan_k",
    "snap_to_grid",
    "top_k",
    "topk_overlap",
    "unit_square",
]
