"""Figures: matplotlib drawings; every function returns a Figure."""

from lookalike.figures.clusters import elbow_figure
from lookalike.figures.grid import image_grid
from lookalike.figures.maps import map_atlas, map_points

__all__ = ["elbow_figure", "image_grid", "map_atlas", "map_points"]
