"""Figures: matplotlib drawings; every function returns a Figure."""

from lookalike.figures.grid import image_grid

__all__ = ["image_grid"]
