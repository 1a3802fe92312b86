"""Similarity graphs of a collection (``Collection.graph``): grown from a seed image,
or the saved kNN graph of the whole collection with its nodes named; and their
drawing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lookalike import analysis
from lookalike._collection.neighbors import neighbors
from lookalike._progress import status
from lookalike.exports import display_name
from lookalike.search import KnnIndex
from lookalike.store import Embeddings, Store
from lookalike.store.lookup import find_image

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["graph", "show_graph"]


def graph(
    store: Store,
    emb: Embeddings,
    seed: str | None,
    depth: int,
    k: int,
    whole: analysis.KnnGraph | None,
    index: KnnIndex | None,
    max_nodes: int,
) -> nx.Graph:
    """The graph grown from ``seed`` over ``index`` (see
    :func:`lookalike.analysis.seed_graph`), or the whole kNN graph ``whole``, of the
    vectors ``emb``; nodes carry their ``path`` and ``name`` (title or file name), edges
    their ``similarity`` in [-1, 1]."""
    rows = store.catalog.images(status="ok")
    uris = {row.id: row.uri for row in rows}
    if whole is not None:
        g = whole.to_networkx(attrs={i: {"path": uri} for i, uri in uris.items()})
    else:
        g = _seed_graph(store, emb, index, seed, depth, k, max_nodes, uris)
    names = {row.id: display_name(row.uri, row.metadata, row.id) for row in rows}
    for node, attrs in g.nodes(data=True):  # what a person calls it, in files and figures
        attrs["name"] = names.get(node, str(node))
    for _, _, attrs in g.edges(data=True):  # float32 gives 1.0000001 for a copy
        if "similarity" in attrs:
            attrs["similarity"] = min(1.0, max(-1.0, float(attrs["similarity"])))
    return g


def _seed_graph(
    store: Store,
    emb: Embeddings,
    index: KnnIndex,
    seed: str,
    depth: int,
    k: int,
    max_nodes: int,
    uris: dict[str, str],
) -> nx.Graph:
    """The graph grown from ``seed``: no input validation."""

    def near(image: str, k: int) -> list[tuple[str, float]]:
        return [(h.id, h.score) for h in neighbors(store, emb, index, image, None, None, k)]

    row = find_image(store, seed)
    name = display_name(row.uri, row.metadata, row.id)
    with status(f"growing the graph from {name} ({depth} levels, {k} neighbours each)"):
        return analysis.seed_graph(near, row.id, depth=depth, k=k, max_nodes=max_nodes, paths=uris)


def show_graph(
    g: nx.Graph, thumbnail: Callable[[str, int], Image.Image], thumbnails: bool, size: int
) -> Figure:
    """``g`` drawn (see :func:`lookalike.figures.draw_graph`), with thumbnails on its
    nodes when asked and there are 200 nodes or fewer."""
    from lookalike.figures import draw_graph

    few = g.number_of_nodes() <= 200
    thumbs = {n: thumbnail(n, size) for n in g} if thumbnails and few else None
    return draw_graph(g, thumbnails=thumbs)
