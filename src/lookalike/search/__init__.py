"""Search: one :class:`KnnIndex` interface (faiss's): exact blockwise NumPy and FAISS,
and the one policy that chooses an index by size and task (:func:`choose_index`).

faiss is imported only when a :class:`FaissIndex` is built."""

from lookalike.search._auto import FaissIVFIndex, ivf_settings, range_recall
from lookalike.search._base import METRICS, KnnIndex
from lookalike.search._faiss import FaissIndex
from lookalike.search._flat import FlatIndex, exact_search
from lookalike.search._pairs import pairs_above
from lookalike.search._policy import (
    EXACT_MAX,
    GRAPH_EXACT_MAX,
    TASKS,
    choose_index,
)

__all__ = [
    "EXACT_MAX",
    "GRAPH_EXACT_MAX",
    "METRICS",
    "TASKS",
    "FaissIVFIndex",
    "FaissIndex",
    "FlatIndex",
    "KnnIndex",
    "choose_index",
    "exact_search",
    "ivf_settings",
    "pairs_above",
    "range_recall",
]
