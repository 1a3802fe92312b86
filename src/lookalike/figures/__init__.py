"""Figures: matplotlib drawings; every function returns a Figure."""

from lookalike.figures.clusters import elbow_figure
from lookalike.figures.graphs import draw_graph, path_strip
from lookalike.figures.grid import image_grid
from lookalike.figures.maps import map_atlas, map_figure, map_points
from lookalike.figures.pairs import pair_figure, threshold_bands

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
