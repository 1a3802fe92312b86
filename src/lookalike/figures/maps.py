"""Maps of a collection: points coloured by cluster, or an image atlas (thumbnails
snapped to a grid so that 10k+ images stay legible)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from lookalike.analysis import Projection, atlas_cells, equalize, snap_to_grid, unit_square

__all__ = ["map_atlas", "map_figure", "map_points"]


def map_figure(
    proj: Projection,
    thumbnail: Callable[[str], Image.Image],
    *,
    atlas: bool = True,
    cells: int | None = None,
    spread: bool = True,
    labels: np.ndarray | None = None,
    highlight: int | None = None,
    neighbors: Sequence[int] = (),
    title: str | None = None,
) -> Figure:
    """The map ``proj`` as points (:func:`map_points`) or, with ``atlas``, as an image
    atlas (:func:`map_atlas`): thumbnails (``thumbnail(id)``) snapped to a ``cells x
    cells`` grid (default :func:`~lookalike.analysis.atlas_cells`), preferring the
    ``highlight`` row and its ``neighbors``; ``spread`` lays the map out by rank along
    each axis first (:func:`~lookalike.analysis.equalize`)."""
    if not atlas:
        return map_points(
            proj.coords, labels=labels, highlight=highlight, neighbors=neighbors, title=title
        )
    cells = atlas_cells(len(proj)) if cells is None else cells
    coords = equalize(proj.coords) if spread else proj.coords
    prefer = ([] if highlight is None else [highlight]) + list(neighbors)
    rows, cell_xy = snap_to_grid(coords, cells=cells, prefer=prefer)
    thumbs = [thumbnail(proj.ids[r]) for r in rows]
    return map_atlas(
        coords,
        rows,
        cell_xy,
        thumbs,
        cells=cells,
        labels=labels,
        highlight=highlight,
        neighbors=neighbors,
        title=title,
    )


def map_points(
    coords: np.ndarray,
    *,
    labels: np.ndarray | None = None,
    highlight: int | None = None,
    neighbors: Sequence[int] = (),
    title: str | None = None,
    size: float = 9.0,
) -> Figure:
    """A scatter of ``coords``, coloured by ``labels`` (clusters) when given; the
    ``highlight`` row drawn black and its ``neighbors`` red, on top."""
    u = unit_square(coords)
    fig = Figure(figsize=(size, size))
    ax = fig.add_subplot()
    dot = float(np.clip(3000 / max(len(u), 1), 2, 40))
    if labels is None:
        ax.scatter(u[:, 0], u[:, 1], s=dot, color="0.55", linewidths=0)
    else:
        ax.scatter(u[:, 0], u[:, 1], s=dot, c=_colors(labels), linewidths=0)
    _draw_highlight(ax, u, highlight, neighbors)
    _finish(ax, title)
    return fig


def map_atlas(
    coords: np.ndarray,
    rows: np.ndarray,
    cell_xy: np.ndarray,
    images: Sequence[Image.Image],
    *,
    cells: int,
    labels: np.ndarray | None = None,
    highlight: int | None = None,
    neighbors: Sequence[int] = (),
    title: str | None = None,
    size: float = 12.0,
    cell_px: int = 64,
) -> Figure:
    """An image atlas: ``images[i]`` (the thumbnail of row ``rows[i]``) drawn in grid
    cell ``cell_xy[i]`` of a ``cells x cells`` grid over the map (see
    :func:`lookalike.analysis.snap_to_grid`); every image is also a small point
    underneath, so empty-looking regions still show their density.

    The thumbnails are pasted into one mosaic and drawn with a single ``imshow``, so
    the figure stays fast with thousands of cells.
    """
    u = unit_square(coords)
    canvas = Image.new("RGBA", (cells * cell_px, cells * cell_px), (255, 255, 255, 0))
    inner = cell_px - 2
    for (cx, cy), im in zip(cell_xy, images, strict=True):
        thumb = im.convert("RGB")
        thumb.thumbnail((inner, inner))
        left = int(cx) * cell_px + (cell_px - thumb.width) // 2
        top = (cells - 1 - int(cy)) * cell_px + (cell_px - thumb.height) // 2
        canvas.paste(thumb, (left, top))
    fig = Figure(figsize=(size, size))
    ax = fig.add_subplot()
    if labels is None:
        ax.scatter(u[:, 0], u[:, 1], s=6, color="0.6", linewidths=0, zorder=1)
    else:
        ax.scatter(u[:, 0], u[:, 1], s=6, c=_colors(labels), linewidths=0, zorder=1)
    ax.imshow(np.asarray(canvas), extent=(0, 1, 0, 1), zorder=2, interpolation="antialiased")
    frames = {}
    if labels is not None:  # a coloured frame per thumbnail says its cluster
        colors = _colors(labels)
        frames = {int(r): (colors[r], 1.2) for r in rows}
    frames.update({int(r): ("red", 3.0) for r in neighbors})
    if highlight is not None:
        frames[int(highlight)] = ("black", 3.5)
    shown = {int(r): xy for r, xy in zip(rows, cell_xy, strict=True)}
    for r, (color, width) in frames.items():
        if r in shown:
            cx, cy = shown[r]
            square = Rectangle((cx / cells, cy / cells), 1 / cells, 1 / cells, fill=False)
            square.set(edgecolor=color, linewidth=width, zorder=4 if width > 2 else 3)
            ax.add_patch(square)
    hidden = [r for r in neighbors if int(r) not in shown]  # lost their cell to another
    _draw_highlight(ax, u, highlight if highlight not in shown else None, hidden)
    lo = np.floor(u.min(axis=0) * cells) / cells  # crop to the occupied cells
    hi = np.ceil(u.max(axis=0) * cells) / cells
    _finish(ax, title, lo, hi)
    return fig


def _colors(labels: np.ndarray) -> np.ndarray:
    """RGBA per row: tab10 for up to 10 clusters, tab20 (cycled) beyond."""
    cmap = matplotlib.colormaps["tab10" if labels.max() < 10 else "tab20"]
    return cmap(np.asarray(labels) % cmap.N)


def _draw_highlight(ax, u: np.ndarray, highlight: int | None, neighbors: Sequence[int]) -> None:
    if len(neighbors):
        nb = np.asarray(neighbors)
        ax.scatter(u[nb, 0], u[nb, 1], s=70, color="red", edgecolors="white", zorder=5)
    if highlight is not None:
        ax.scatter([u[highlight, 0]], [u[highlight, 1]], s=140, color="black", marker="*", zorder=6)


def _finish(ax, title: str | None, lo=(0.0, 0.0), hi=(1.0, 1.0)) -> None:
    ax.set_xlim(lo[0] - 0.01, hi[0] + 0.01)
    ax.set_ylim(lo[1] - 0.01, hi[1] + 0.01)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    ax.figure.tight_layout()
