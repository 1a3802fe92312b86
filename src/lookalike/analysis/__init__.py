"""Analysis: pure functions over vectors and graphs (no file or network I/O)."""

from lookalike.analysis.bands import DEFAULT_BANDS, sample_band_pairs
from lookalike.analysis.calibration import Calibration, calibrate
from lookalike.analysis.clusters import Clusters, cluster_neighborhood, k_medoids
from lookalike.analysis.compare import (
    ModelComparison,
    compare_models,
    knn_rows,
    topk_overlap,
)
from lookalike.analysis.dedup import KEEP_POLICIES, DedupPlan, plan_dedup
from lookalike.analysis.duplicate_pairs import Pairs, near_duplicate_pairs
from lookalike.analysis.duplicate_scores import (
    DEFAULT_THRESHOLD,
    SCORINGS,
    RootVectors,
    TwoViewVectors,
    pair_scores,
    scored_vectors,
)
from lookalike.analysis.duplicate_sets import exact_duplicate_sets, exact_duplicates, group_pairs
from lookalike.analysis.duplicates import Duplicates, near_duplicates
from lookalike.analysis.graph_statistics import GraphStats, graph_stats
from lookalike.analysis.k_scans import KScan, find_elbow, scan_k
from lookalike.analysis.knn_graphs import (
    KnnGraph,
    connect_components,
    knn_adjacency,
    knn_graph,
)
from lookalike.analysis.maps import (
    ASSIGN_MAX,
    Projection,
    assign_cells,
    atlas_cells,
    equalize,
    map_coords,
    snap_to_grid,
    unit_square,
)
from lookalike.analysis.neighbors import (
    Neighbor,
    Neighbors,
    NeighborTable,
    all_neighbors,
    top_k,
    top_k_table,
)
from lookalike.analysis.paths import (
    ImagePath,
    fewest_steps_path,
    find_path,
    minimax_path,
    path_distances,
    shortest_path,
)
from lookalike.analysis.seed_graphs import expand_seed, seed_graph
from lookalike.analysis.thresholds import (
    ThresholdEstimate,
    auto_threshold,
    neighbour_scores,
)

__all__ = [
    "ASSIGN_MAX",
    "DEFAULT_BANDS",
    "DEFAULT_THRESHOLD",
    "KEEP_POLICIES",
    "SCORINGS",
    "Calibration",
    "Clusters",
    "DedupPlan",
    "Duplicates",
    "GraphStats",
    "ImagePath",
    "KScan",
    "KnnGraph",
    "ModelComparison",
    "Neighbor",
    "NeighborTable",
    "Neighbors",
    "Pairs",
    "Projection",
    "RootVectors",
    "ThresholdEstimate",
    "TwoViewVectors",
    "all_neighbors",
    "assign_cells",
    "atlas_cells",
    "auto_threshold",
    "calibrate",
    "cluster_neighborhood",
    "compare_models",
    "connect_components",
    "equalize",
    "exact_duplicate_sets",
    "exact_duplicates",
    "expand_seed",
    "fewest_steps_path",
    "find_elbow",
    "find_path",
    "graph_stats",
    "group_pairs",
    "k_medoids",
    "knn_adjacency",
    "knn_graph",
    "knn_rows",
    "map_coords",
    "minimax_path",
    "near_duplicate_pairs",
    "near_duplicates",
    "neighbour_scores",
    "pair_scores",
    "path_distances",
    "plan_dedup",
    "sample_band_pairs",
    "scan_k",
    "scored_vectors",
    "seed_graph",
    "shortest_path",
    "snap_to_grid",
    "top_k",
    "top_k_table",
    "topk_overlap",
    "unit_square",
]
