"""Figures: matplotlib drawings; every function returns a Figure."""

from lookalike.figures.graphs import draw_graph, path_strip
from lookalike.figures.grid import image_grid
from lookalike.figures.pairs import pair_figure, threshold_bands

__all__ = ["draw_graph", "image_grid", "pair_figure", "path_strip", "threshold_bands"]
