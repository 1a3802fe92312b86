"""Similarity graphs of a collection: grown from a seed image, or the saved kNN graph of
the whole collection."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from lookalike import analysis
from lookalike.store import Embeddings

if TYPE_CHECKING:
    import networkx as nx

    from lookalike.collection import Collection

__all__ = ["graph", "knn_graph"]


def graph(
    col: Collection,
    emb: Embeddings,
    seed: str | None,
    *,
    depth: int,
    k: int,
    all: bool,
    mutual: bool,
    max_nodes: int,
) -> nx.Graph:
    """The graph grown from ``seed`` (see :func:`lookalike.analysis.seed_graph`) or, with
    ``all``, the whole kNN graph; nodes carry their ``path``."""
    uris = {row.id: row.uri for row in col._store.catalog.images(status="ok")}
    if all:
        attrs = {i: {"path": uri} for i, uri in uris.items()}
        return col.knn_graph(k, mutual=mutual, model=emb.model).to_networkx(attrs=attrs)

    def neighbors(image: str, k: int) -> list[tuple[str, float]]:
        return [(h.id, h.score) for h in col.neighbors(image, k=k, model=emb.model)]

    seed_id = col.image(seed).id
    return analysis.seed_graph(
        neighbors, seed_id, depth=depth, k=k, max_nodes=max_nodes, paths=uris
    )


def knn_graph(col: Collection, emb: Embeddings, k: int, mutual: bool) -> analysis.KnnGraph:
    """The kNN graph of ``emb``'s vectors: kept in memory, saved under
    ``index/<model>/``, built again when the vectors change."""
    from lookalike.store.graphs import knn_graph_file

    path = knn_graph_file(col.root, emb.model, k, mutual)
    build = partial(
        analysis.build_knn_graph, emb.vectors, emb.ids, k=k, mutual=mutual, model=emb.model
    )
    return col._saved.held(emb, path, build, analysis.KnnGraph.from_arrays)
