"""Figures: matplotlib drawings; every function returns a Figure."""

from lookalike.figures.clusters import elbow_figure
from lookalike.figures.duplicates import pair_figure, threshold_bands
from lookalike.figures.graph import draw_graph
from lookalike.figures.grid import image_grid
from lookalike.figures.map import map_atlas, map_figure, map_points
from lookalike.figures.path import path_strip

__all__ = [
    "draw_graph",
    "elbow_figure",
    "image_grid",
    "map_atlas",
    "map_figure",
    "map_points",
    "pair_figure",
    "path_strip",
    "threshold_bands",
]
