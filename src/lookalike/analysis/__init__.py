"""Analysis: pure functions over vectors and graphs (no file or network I/O)."""

from lookalike.analysis.neighbors import Neighbor, Neighbors, top_k

__all__ = ["Neighbor", "Neighbors", "top_k"]
