"""Figures: matplotlib drawings; every function returns a Figure."""

from lookalike.figures.grid import image_grid
from lookalike.figures.pairs import pair_figure, threshold_bands

__all__ = ["image_grid", "pair_figure", "threshold_bands"]
