"""Drawings of paths: a strip of images with the similarity of each step, what
``Collection.show_path`` and ``lookalike path --out`` show."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from PIL import Image

from lookalike.figures.grid import image_grid

__all__ = ["path_strip"]


def path_strip(
    images: Sequence[Image.Image],
    ids: Sequence[str],
    similarities: Sequence[float],
    *,
    bridges: Sequence[int] = (),
    title: str | None = None,
    max_cols: int = 8,
) -> Figure:
    """The images of a path in a row (wrapped after ``max_cols``), the ends framed in
    red; under each image its step, name (``ids``: names or ids) and similarity to the
    previous image."""
    captions = []
    for i, image_id in enumerate(ids):
        text = f"{i}. {image_id}"
        if i > 0:
            text += f"\nsim {similarities[i - 1]:.3f}" + (" (bridge)" if i in bridges else "")
        else:
            text += "\nstart"
        captions.append(text)
    ncols = min(len(images), max_cols)
    return image_grid(
        images, captions, ncols=ncols, highlight=[0, len(images) - 1], title=title, cell_inches=2
    )
