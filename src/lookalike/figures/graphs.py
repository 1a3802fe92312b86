"""Drawings of similarity graphs (spring layout, thumbnails on the nodes) and of paths
(a strip of images with the similarity of each step)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnnotationBbox, OffsetImage
from PIL import Image

from lookalike import imaging
from lookalike.errors import ImageDecodeError
from lookalike.figures.grid import image_grid

__all__ = ["draw_graph", "path_strip", "thumbnails_from_paths"]


def thumbnails_from_paths(g: nx.Graph, size: int = 96) -> dict[str, Image.Image]:
    """Thumbnails of the nodes whose ``path`` attribute is a readable image file
    (others are drawn as dots)."""
    out = {}
    for node, path in g.nodes(data="path"):
        if not path:
            continue
        try:
            out[node] = imaging.thumbnail(imaging.decode(path).image, size)
        except (ImageDecodeError, OSError):
            continue
    return out


def draw_graph(
    g: nx.Graph,
    *,
    thumbnails: Mapping[str, Image.Image] | None = None,
    seed: str | None = None,
    layout_seed: int = 0,
    max_thumbnails: int = 200,
    title: str | None = None,
    inches: float = 10.0,
) -> Figure:
    """A spring layout of ``g``: edges shaded by ``similarity`` (darker is more
    similar), nodes drawn as thumbnails when given (up to ``max_thumbnails`` nodes)
    or as dots coloured by ``depth``; the seed (``seed`` or ``g.graph["seed"]``) framed
    in red.

    Returns
    -------
    matplotlib.figure.Figure
    """
    seed = seed if seed is not None else g.graph.get("seed")
    fig = Figure(figsize=(inches, inches))
    ax = fig.add_subplot()
    ax.set_axis_off()
    if g.number_of_nodes() == 0:
        ax.set_title("empty graph")
        return fig
    pos = nx.spring_layout(g, weight="similarity", seed=layout_seed)
    sims = np.array([d.get("similarity", 1.0) for _, _, d in g.edges(data=True)], float)
    if len(sims):
        norm = Normalize(vmin=float(sims.min()), vmax=max(float(sims.max()), sims.min() + 1e-6))
        cmap = colormaps["Blues"]
        segments = [(pos[a], pos[b]) for a, b in g.edges()]
        lines = LineCollection(
            segments, colors=cmap(0.25 + 0.75 * norm(sims)), linewidths=1.2, zorder=1
        )
        ax.add_collection(lines)
        mappable = ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(mappable, ax=ax, shrink=0.5, label="similarity")
    xy = np.array([pos[n] for n in g.nodes()])
    ax.set_xlim(xy[:, 0].min() - 0.12, xy[:, 0].max() + 0.12)
    ax.set_ylim(xy[:, 1].min() - 0.12, xy[:, 1].max() + 0.12)
    thumbs = thumbnails if thumbnails and g.number_of_nodes() <= max_thumbnails else {}
    depths = [d if isinstance(d, int | np.integer) else 0 for _, d in g.nodes(data="depth")]
    ax.scatter(xy[:, 0], xy[:, 1], c=depths, cmap="viridis_r", s=30, zorder=2, edgecolors="white")
    zoom = min(0.6, 3.5 / max(np.sqrt(g.number_of_nodes()), 1))
    for node in g.nodes():
        is_seed = str(node) == str(seed)
        if node in thumbs:
            box = AnnotationBbox(
                OffsetImage(np.asarray(thumbs[node]), zoom=zoom * (1.5 if is_seed else 1)),
                pos[node],
                frameon=True,
                pad=0.1,
                bboxprops={
                    "edgecolor": "red" if is_seed else "0.6",
                    "linewidth": 3 if is_seed else 0.6,
                },
                zorder=4 if is_seed else 3,
            )
            ax.add_artist(box)
        elif is_seed:
            ax.scatter(*pos[node], s=160, c="red", zorder=5, edgecolors="white")
    label = title or (
        f"{g.number_of_nodes()} images, {g.number_of_edges()} links"
        + (f", seed {seed}" if seed else "")
    )
    ax.set_title(label, fontsize=11)
    fig.tight_layout()
    return fig


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
    red; under each image its step, id and similarity to the previous image."""
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
