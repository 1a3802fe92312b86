"""Drawings of similarity graphs (spring layout, thumbnails on the nodes): what
``Collection.show_graph`` and ``lookalike draw`` show."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from lookalike import imaging
from lookalike.errors import ImageDecodeError
from lookalike.exports import short_label

__all__ = ["draw_graph", "thumbnails_from_paths"]


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
    inches: float = 11.0,
) -> Figure:
    """A spring layout of ``g``: edges shaded and thickened by ``similarity`` (darker
    and thicker is more similar), nodes drawn as thumbnails when given (up to
    ``max_thumbnails`` nodes) or as dots coloured by ``depth``; the seed (``seed`` or
    ``g.graph["seed"]``) framed in red. Thumbnails never overlap: the layout is spread
    until each has a square of its own, so every edge between them stays visible.
    Nodes are named by their ``name`` attribute when they have one.

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
    nodes = list(g.nodes())
    n = len(nodes)
    thumbs = thumbnails if thumbnails and n <= max_thumbnails else {}
    side = float(np.clip(0.75 / np.sqrt(n), 0.035, 0.16)) if thumbs else 0.0
    raw = nx.spring_layout(g, weight="similarity", seed=layout_seed, k=1.6 / np.sqrt(n))
    xy = _spread(np.array([raw[v] for v in nodes], float), gap=side * 1.15 or 0.02)
    pos = dict(zip(nodes, xy, strict=True))
    sims = np.array([d.get("similarity", 1.0) for _, _, d in g.edges(data=True)], float)
    if len(sims):
        norm = Normalize(vmin=float(sims.min()), vmax=max(float(sims.max()), sims.min() + 1e-6))
        cmap = colormaps["Blues"]
        segments = [(pos[a], pos[b]) for a, b in g.edges()]
        lines = LineCollection(
            segments,
            colors=cmap(0.35 + 0.65 * norm(sims)),
            linewidths=0.8 + 2.2 * norm(sims),
            zorder=1,
        )
        ax.add_collection(lines)
        mappable = ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(mappable, ax=ax, shrink=0.4, label="similarity (cosine) of linked images")
    depths = [d if isinstance(d, int | np.integer) else 0 for _, d in g.nodes(data="depth")]
    if not thumbs:
        ax.scatter(xy[:, 0], xy[:, 1], c=depths, cmap="viridis_r", s=30, zorder=2)
    for node, (x, y) in pos.items():
        is_seed = str(node) == str(seed)
        if node in thumbs:
            im = thumbs[node]
            w, h = im.size
            half_w, half_h = side / 2 * min(1, w / h), side / 2 * min(1, h / w)
            extent = (x - half_w, x + half_w, y - half_h, y + half_h)
            ax.imshow(np.asarray(im.convert("RGB")), extent=extent, zorder=3)
            ax.add_patch(
                Rectangle(
                    (x - half_w, y - half_h),
                    2 * half_w,
                    2 * half_h,
                    fill=False,
                    edgecolor="red" if is_seed else "0.6",
                    linewidth=3 if is_seed else 0.6,
                    zorder=4,
                )
            )
        elif is_seed:
            ax.scatter([x], [y], s=160, c="red", zorder=5, edgecolors="white")
    pad = side / 2 + 0.03
    ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
    ax.set_aspect("equal")
    seed_name = ""
    if seed is not None and seed in g:
        seed_name = short_label(str(g.nodes[seed].get("name") or seed), 40)
    label = title or (
        f"{n} images, {g.number_of_edges()} links" + (f", grown from {seed_name}" if seed else "")
    )
    ax.set_title(label, fontsize=11)
    how = "thumbnail" if thumbs else "dot (colour: expansion depth)"
    fig.text(
        0.5,
        0.01,
        f"Each {how} is an image; a line joins an image to one of its nearest neighbours"
        + ("; red frame: the seed." if seed else "."),
        ha="center",
        fontsize=9,
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def _spread(xy: np.ndarray, *, gap: float, rounds: int = 400) -> np.ndarray:
    """``xy`` scaled into [0, 1] and pushed apart until no two points are closer than
    ``gap`` along both axes (square thumbnails of side < ``gap`` never overlap). No
    input validation."""
    span = float(np.ptp(xy, axis=0).max()) or 1.0
    xy = (xy - xy.min(axis=0)) / span
    rng = np.random.default_rng(0)
    xy = xy + rng.normal(scale=gap * 1e-3, size=xy.shape)  # separate identical places
    for _ in range(rounds):
        d = xy[:, None, :] - xy[None, :, :]
        cheb = np.abs(d).max(axis=2)
        np.fill_diagonal(cheb, np.inf)
        overlap = np.clip(gap - cheb, 0, None)
        if not overlap.any():
            break
        dist = np.linalg.norm(d, axis=2)
        np.fill_diagonal(dist, 1.0)
        push = (overlap / np.maximum(dist, 1e-9))[:, :, None] * d * 0.5
        xy = xy + push.sum(axis=1)
    return xy
