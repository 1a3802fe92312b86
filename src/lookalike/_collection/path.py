"""Paths of similar images between two images of a collection (``Collection.path``)
over its kNN graph, and their drawing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from lookalike import analysis
from lookalike._collection.names import names
from lookalike._progress import status
from lookalike.exports import display_name
from lookalike.store import ImageRow, Store
from lookalike.store.lookup import find_image

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["path", "show_path"]


def path(
    store: Store,
    graph: analysis.KnnGraph,
    a: ImageRow,
    b: ImageRow,
    method: str,
    steps: int | None,
) -> analysis.ImagePath:
    """The path from ``a`` to ``b`` over the kNN graph ``graph`` (see
    :meth:`KnnGraph.path`), with the images' uris."""
    name_a, name_b = (display_name(r.uri, r.metadata, r.id) for r in (a, b))
    with status(f"finding the {method} path from {name_a} to {name_b}"):
        found = graph.path(a.id, b.id, method=method, steps=steps)
    return replace(found, uris=tuple(find_image(store, i).uri for i in found.ids))


def show_path(
    store: Store, thumbnail: Callable[[str], Image.Image], p: analysis.ImagePath
) -> Figure:
    """The path ``p`` as a strip of images (see :func:`lookalike.figures.path_strip`)."""
    from lookalike.figures import path_strip

    title = f"{p.method} path: {p.steps} steps, worst step {p.worst:.3f}"
    images = [thumbnail(i) for i in p.ids]
    return path_strip(images, names(store, p.ids), p.similarities, bridges=p.bridges, title=title)
