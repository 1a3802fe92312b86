"""Similarity graphs of a collection, grown from a seed image or the saved kNN graph of
the whole collection, and the paths of similar images over it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from lookalike import analysis, search
from lookalike._collection.names import names
from lookalike._collection.neighbors import neighbors
from lookalike._progress import status
from lookalike.exports import display_name
from lookalike.search import KnnIndex
from lookalike.store import Embeddings, ImageRow, SavedResults, Store
from lookalike.store.lookup import find_image

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["graph", "knn_graph", "path", "show_graph", "show_path"]


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


def knn_graph(
    saved: SavedResults, root: Path, emb: Embeddings, k: int, mutual: bool
) -> analysis.KnnGraph:
    """The kNN graph of the vectors ``emb``: kept in memory, saved under
    ``<root>/index/<model>/``, built again when the vectors change."""
    from lookalike.store.graph_files import knn_graph_file

    path = knn_graph_file(root, emb.model, k, mutual)

    def build() -> analysis.KnnGraph:  # only when no saved graph fits the vectors
        index = search.choose_index(emb.vectors, task="graph")
        return analysis.knn_graph(
            emb.vectors, emb.ids, k=k, mutual=mutual, model=emb.model, index=index
        )

    label = f"building the {k}-nearest-neighbour graph of {len(emb.ids)} images"
    return saved.held(emb, path, build, analysis.KnnGraph.from_arrays, label)


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


def show_graph(
    g: nx.Graph, thumbnail: Callable[[str, int], Image.Image], thumbnails: bool, size: int
) -> Figure:
    """``g`` drawn (see :func:`lookalike.figures.draw_graph`), with thumbnails on its
    nodes when asked and there are 200 nodes or fewer."""
    from lookalike.figures import draw_graph

    few = g.number_of_nodes() <= 200
    thumbs = {n: thumbnail(n, size) for n in g} if thumbnails and few else None
    return draw_graph(g, thumbnails=thumbs)


def show_path(
    store: Store, thumbnail: Callable[[str], Image.Image], p: analysis.ImagePath
) -> Figure:
    """The path ``p`` as a strip of images (see :func:`lookalike.figures.path_strip`)."""
    from lookalike.figures import path_strip

    title = f"{p.method} path: {p.steps} steps, worst step {p.worst:.3f}"
    images = [thumbnail(i) for i in p.ids]
    return path_strip(images, names(store, p.ids), p.similarities, bridges=p.bridges, title=title)
