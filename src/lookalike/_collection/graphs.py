"""Similarity graphs of a collection, grown from a seed image or the saved kNN graph of
the whole collection, and the paths of similar images over it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lookalike import analysis, search
from lookalike._progress import status
from lookalike.exports import display_name
from lookalike.store import Embeddings

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

    from lookalike.collection import Collection

__all__ = ["graph", "knn_graph", "path", "show_graph", "show_path"]


def graph(
    col: Collection,
    emb: Embeddings,
    seed: str | None,
    depth: int,
    k: int,
    all: bool,
    mutual: bool,
    max_nodes: int,
) -> nx.Graph:
    """The graph grown from ``seed`` (see :func:`lookalike.analysis.seed_graph`) or, with
    ``all``, the whole kNN graph, over the vectors ``emb``; nodes carry their ``path``
    and ``name`` (title or file name), edges their ``similarity`` in [-1, 1]."""
    rows = col._store.catalog.images(status="ok")
    uris = {row.id: row.uri for row in rows}
    if all:
        attrs = {i: {"path": uri} for i, uri in uris.items()}
        g = col.knn_graph(k, mutual=mutual, model=emb.model).to_networkx(attrs=attrs)
    else:
        g = _seed_graph(col, emb, seed, depth, k, max_nodes, uris)
    names = {row.id: display_name(row.uri, row.metadata, row.id) for row in rows}
    for node, attrs in g.nodes(data=True):  # what a person calls it, in files and figures
        attrs["name"] = names.get(node, str(node))
    for _, _, attrs in g.edges(data=True):  # float32 gives 1.0000001 for a copy
        if "similarity" in attrs:
            attrs["similarity"] = min(1.0, max(-1.0, float(attrs["similarity"])))
    return g


def _seed_graph(
    col: Collection,
    emb: Embeddings,
    seed: str,
    depth: int,
    k: int,
    max_nodes: int,
    uris: dict[str, str],
) -> nx.Graph:
    """The graph grown from ``seed``: no input validation."""

    def neighbors(image: str, k: int) -> list[tuple[str, float]]:
        return [(h.id, h.score) for h in col.neighbors(image, k=k, model=emb.model)]

    row = col.image(seed)
    seed_id = row.id
    name = display_name(row.uri, row.metadata, row.id)
    with status(f"growing the graph from {name} ({depth} levels, {k} neighbours each)"):
        return analysis.seed_graph(
            neighbors, seed_id, depth=depth, k=k, max_nodes=max_nodes, paths=uris
        )


def knn_graph(col: Collection, emb: Embeddings, k: int, mutual: bool) -> analysis.KnnGraph:
    """The kNN graph of the vectors ``emb``: kept in memory, saved under
    ``index/<model>/``, built again when the vectors change."""
    from lookalike.store.graphs import knn_graph_file

    path = knn_graph_file(col.root, emb.model, k, mutual)

    def build() -> analysis.KnnGraph:  # only when no saved graph fits the vectors
        index = search.choose_index(emb.vectors, task="graph")
        return analysis.build_knn_graph(
            emb.vectors, emb.ids, k=k, mutual=mutual, model=emb.model, index=index
        )

    label = f"building the {k}-nearest-neighbour graph of {len(emb.ids)} images"
    return col._saved.held(emb, path, build, analysis.KnnGraph.from_arrays, label)


def path(
    col: Collection, a: str, b: str, method: str, steps: int | None, k: int, model: str | None
) -> analysis.ImagePath:
    """The path from ``a`` to ``b`` over the kNN graph (see :meth:`KnnGraph.path`), with
    the images' uris."""
    ra, rb = col.image(a), col.image(b)
    ida, idb = ra.id, rb.id
    if ida == idb:
        raise ValueError(f"A and B are the same image ({ida!r}): give two different images.")
    graph = col.knn_graph(k, model=model)  # built (and saved) under its own status line
    name_a, name_b = (display_name(r.uri, r.metadata, r.id) for r in (ra, rb))
    with status(f"finding the {method} path from {name_a} to {name_b}"):
        found = graph.path(ida, idb, method=method, steps=steps)
    return replace(found, uris=tuple(col.image(i).uri for i in found.ids))


def show_graph(col: Collection, g: nx.Graph, thumbnails: bool, size: int) -> Figure:
    """``g`` drawn (see :func:`lookalike.figures.draw_graph`), with thumbnails on its
    nodes when asked and there are 200 nodes or fewer."""
    from lookalike.figures import draw_graph

    few = g.number_of_nodes() <= 200
    thumbs = {n: col.thumbnail(n, size) for n in g} if thumbnails and few else None
    return draw_graph(g, thumbnails=thumbs)


def show_path(col: Collection, a, b: str | None, kwargs: dict[str, Any]) -> Figure:
    """The path ``a`` (or the one from ``a`` to ``b`` found with ``kwargs``) as a strip
    of images (see :func:`lookalike.figures.path_strip`)."""
    from lookalike.figures import path_strip

    p = a if isinstance(a, analysis.ImagePath) else col.path(a, b, **kwargs)
    title = f"{p.method} path: {p.steps} steps, worst step {p.worst:.3f}"
    from lookalike._collection.names import names

    images = [col.thumbnail(i) for i in p.ids]
    return path_strip(
        images, names(col._store, p.ids), p.similarities, bridges=p.bridges, title=title
    )
