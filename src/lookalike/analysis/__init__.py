"""Analysis: pure functions over vectors and graphs (no file or network I/O)."""

from lookalike.analysis.bands import DEFAULT_BANDS, sample_band_pairs
from lookalike.analysis.calibration import Calibration, calibrate
from lookalike.analysis.dedup import KEEP_POLICIES, DedupPlan, plan_dedup
from lookalike.analysis.duplicates import (
    DEFAULT_THRESHOLD,
    SCORINGS,
    Duplicates,
    Pairs,
    RootVectors,
    exact_duplicate_sets,
    exact_duplicates,
    find_duplicates,
    group_pairs,
    near_duplicate_pairs,
    pair_scores,
    scored_vectors,
)
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
    "DEFAULT_BANDS",
    "DEFAULT_THRESHOLD",
    "KEEP_POLICIES",
    "SCORINGS",
    "Calibration",
    "DedupPlan",
    "Duplicates",
    "GraphStats",
    "ImagePath",
    "KnnGraph",
    "Neighbor",
    "Neighbors",
    "Pairs",
    "RootVectors",
    "build_knn_graph",
    "calibrate",
    "connect_components",
    "exact_duplicate_sets",
    "exact_duplicates",
    "expand_seed",
    "fewest_steps_path",
    "find_duplicates",
    "find_path",
    "graph_stats",
    "group_pairs",
    "knn_graph",
    "minimax_path",
    "near_duplicate_pairs",
    "pair_scores",
    "path_distances",
    "plan_dedup",
    "sample_band_pairs",
    "scored_vectors",
    "shortest_path",
    "top_k",
]
