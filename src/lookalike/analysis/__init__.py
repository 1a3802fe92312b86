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
from lookalike.analysis.neighbors import Neighbor, Neighbors, top_k

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_THRESHOLD",
    "KEEP_POLICIES",
    "SCORINGS",
    "Calibration",
    "DedupPlan",
    "Duplicates",
    "Neighbor",
    "Neighbors",
    "Pairs",
    "RootVectors",
    "calibrate",
    "exact_duplicate_sets",
    "exact_duplicates",
    "find_duplicates",
    "group_pairs",
    "near_duplicate_pairs",
    "pair_scores",
    "plan_dedup",
    "sample_band_pairs",
    "scored_vectors",
    "top_k",
]
