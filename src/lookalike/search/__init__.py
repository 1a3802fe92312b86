"""Search: one :class:`KnnIndex` interface (faiss's): exact blockwise NumPy and FAISS.

faiss is imported only when a :class:`FaissIndex` is built."""

from lookalike.search._auto import EXACT_MAX, FaissIVFIndex, build_index, range_recall
from lookalike.search._base import METRICS, KnnIndex
from lookalike.search._faiss import FaissIndex
from lookalike.search._flat import FlatIndex
from lookalike.search._pairs import pairs_above

__all__ = [
    "EXACT_MAX",
    "METRICS",
    "FaissIVFIndex",
    "FaissIndex",
    "FlatIndex",
    "KnnIndex",
    "build_index",
    "pairs_above",
    "range_recall",
]
