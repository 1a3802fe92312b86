"""Figures: matplotlib drawings; every function returns a Figure."""

from lookalike.figures.graphs import draw_graph, path_strip
from lookalike.figures.grid import image_grid

__all__ = ["draw_graph", "image_grid", "path_strip"]
