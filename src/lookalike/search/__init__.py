"""Search: one :class:`KnnIndex` interface (faiss's), exact blockwise NumPy first."""

from lookalike.search._base import METRICS, KnnIndex
from lookalike.search._flat import FlatIndex

__all__ = ["METRICS", "FlatIndex", "KnnIndex"]
