"""Maps of a collection: points coloured by cluster, or an image atlas (thumbnails
snapped to a grid so that 10k+ images stay legible)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from PIL import Image

from lookalike.analysis import (
    ASSIGN_MAX,
    Projection,
    assign_cells,
    atlas_cells,
    equalize,
    snap_to_grid,
    unit_square,
)

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
    each axis first (:func:`~lookalike.analysis.equalize`). Up to
    :data:`~lookalike.analysis.ASSIGN_MAX` images every image gets a cell of its own
    (:func:`~lookalike.analysis.assign_cells`), so none is hidden and exact copies sit
    side by side."""
    if not atlas:
        return map_points(
            proj.coords, labels=labels, highlight=highlight, neighbors=neighbors, title=title
        )
    cells = atlas_cells(len(proj)) if cells is None else cells
    coords = equalize(proj.coords) if spread else proj.coords
    if len(proj) <= ASSIGN_MAX and cells * cells >= len(proj):
        rows, cell_xy = assign_cells(coords, cells=cells)
    else:
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
    handles = _legend(labels, highlight, neighbors, frames=False)
    _finish(
        ax,
        title,
        handles=handles,
        caption=f"Each dot is one of the {len(u)} images; "
        "nearby dots are images the model finds similar.",
    )
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
    unseen = np.setdiff1d(np.arange(len(u)), rows)  # lost their cell to a nearer image
    if len(unseen):
        dots = "0.45" if labels is None else _colors(labels)[unseen]
        ax.scatter(u[unseen, 0], u[unseen, 1], s=8, c=dots, linewidths=0, zorder=5)
    ax.imshow(np.asarray(canvas), extent=(0, 1, 0, 1), zorder=2, interpolation="antialiased")
    shown = {int(r): xy for r, xy in zip(rows, cell_xy, strict=True)}
    if labels is not None:  # a coloured frame per thumbnail says its cluster
        colors = _colors(labels)
        for r, (cx, cy) in shown.items():
            ax.add_patch(
                Rectangle(
                    (cx / cells, cy / cells),
                    1 / cells,
                    1 / cells,
                    fill=False,
                    edgecolor=colors[r],
                    linewidth=1.2,
                    zorder=3,
                )
            )
    marks = {int(r): ("--", 2.4) for r in neighbors}
    if highlight is not None:
        marks[int(highlight)] = ("-", 3.5)
    inset = 0.12 / cells  # inside the cluster frame, which stays visible around it
    for r, (style, width) in marks.items():
        if r in shown:
            cx, cy = shown[r]
            ax.add_patch(
                Rectangle(
                    (cx / cells + inset, cy / cells + inset),
                    1 / cells - 2 * inset,
                    1 / cells - 2 * inset,
                    fill=False,
                    edgecolor="black",
                    linewidth=width,
                    linestyle=style,
                    zorder=4,
                )
            )
    hidden = [r for r in neighbors if int(r) not in shown]  # lost their cell to another
    _draw_highlight(ax, u, highlight if highlight not in shown else None, hidden)
    lo = np.minimum(u.min(axis=0), cell_xy.min(axis=0) / cells)  # crop to what is drawn
    hi = np.maximum(u.max(axis=0), (cell_xy.max(axis=0) + 1) / cells)
    handles = _legend(labels, highlight, neighbors, frames=True)
    if len(unseen):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                color="0.45",
                markersize=4,
                label=f"image not shown ({len(unseen)}): its place on the map",
            )
        )
        caption = (
            f"{len(rows)} of {len(u)} images shown, one per cell, each at the cell "
            "nearest its place on the map; a dot marks each image left out."
        )
    else:
        caption = (
            f"All {len(u)} images, each in the free cell nearest its place on the "
            "map; images at the same place (exact copies) sit side by side."
        )
    _finish(ax, title, lo, hi, handles=handles, caption=caption)
    return fig


def _legend(labels, highlight, neighbors, *, frames: bool) -> list:
    """Legend entries for what is marked: clusters (up to 10 named), the highlighted
    image, its neighbours."""
    handles: list = []
    if labels is not None:
        colors = _colors(np.arange(int(labels.max()) + 1))
        kind = "frame" if frames else "dot"
        for c in range(min(len(colors), 10)):
            handles.append(
                Patch(
                    facecolor="none" if frames else colors[c],
                    edgecolor=colors[c],
                    linewidth=2,
                    label=f"cluster {c} ({kind} colour)",
                )
            )
        if len(colors) > 10:
            handles.append(
                Patch(
                    facecolor="none", edgecolor="0.5", label=f"... {len(colors) - 10} more clusters"
                )
            )
    if highlight is not None and frames:
        handles.append(
            Patch(facecolor="none", edgecolor="black", linewidth=2.5, label="highlighted image")
        )
    elif highlight is not None:
        handles.append(
            Line2D(
                [],
                [],
                marker="*",
                linestyle="",
                color="black",
                markersize=11,
                label="highlighted image",
            )
        )
    if len(neighbors) and frames:
        handles.append(
            Patch(
                facecolor="none",
                edgecolor="black",
                linewidth=2.5,
                linestyle="--",
                label=f"its {len(neighbors)} nearest neighbours",
            )
        )
    elif len(neighbors):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="none",
                markeredgecolor="black",
                markeredgewidth=1.6,
                markersize=10,
                label=f"its {len(neighbors)} nearest neighbours (ringed)",
            )
        )
    return handles


def _colors(labels: np.ndarray) -> np.ndarray:
    """RGBA per row: tab10 for up to 10 clusters, tab20 (cycled) beyond."""
    cmap = matplotlib.colormaps["tab10" if labels.max() < 10 else "tab20"]
    return cmap(np.asarray(labels) % cmap.N)


def _draw_highlight(ax, u: np.ndarray, highlight: int | None, neighbors: Sequence[int]) -> None:
    if len(neighbors):
        nb = np.asarray(neighbors)
        ax.scatter(
            u[nb, 0],
            u[nb, 1],
            s=110,
            facecolors="none",
            edgecolors="black",
            linewidths=1.6,
            zorder=5,
        )
    if highlight is not None:
        ax.scatter([u[highlight, 0]], [u[highlight, 1]], s=140, color="black", marker="*", zorder=6)


def _finish(
    ax, title: str | None, lo=(0.0, 0.0), hi=(1.0, 1.0), *, handles=(), caption: str = ""
) -> None:
    ax.set_xlim(lo[0] - 0.01, hi[0] + 0.01)
    ax.set_ylim(lo[1] - 0.01, hi[1] + 0.01)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    if caption:
        ax.set_xlabel(caption, fontsize=9, wrap=True)
    if handles:
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False
        )
    ax.figure.tight_layout()
