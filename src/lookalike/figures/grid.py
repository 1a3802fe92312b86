"""Grids of images with captions (neighbours, pairs, representatives)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.figure import Figure
from PIL import Image

__all__ = ["image_grid"]


def image_grid(
    images: Sequence[Image.Image],
    captions: Sequence[str],
    *,
    ncols: int = 5,
    highlight: Sequence[int] = (),
    title: str | None = None,
    cell_inches: float = 2.4,
) -> Figure:
    """A grid of ``images`` with a caption under each; ``highlight`` frames some in red.

    Returns a :class:`matplotlib.figure.Figure` (displayed by Jupyter, or
    ``fig.savefig(path)``); no global pyplot state is touched.
    """
    n = max(len(images), 1)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(cell_inches * ncols, cell_inches * nrows + (0.4 if title else 0)))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(images):
            ax.set_axis_off()
            continue
        ax.imshow(images[i])
        ax.set_xlabel(captions[i], fontsize=8)
        color, width = ("red", 3) if i in highlight else ("0.8", 0.8)
        for spine in ax.spines.values():
            spine.set_edgecolor(color)
            spine.set_linewidth(width)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
