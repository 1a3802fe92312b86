"""lookalike: find, map and connect visually similar images in a collection."""

__version__ = "0.1.0"
