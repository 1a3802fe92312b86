"""A graph of similar images grown from a seed, for the web page: nodes, edges and the
graph's metrics, or the graph as GraphML/GEXF."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lookalike.server.deps import ID_PATTERN, CollectionDep, base_url, image_row, image_title
from lookalike.server.errors import ERROR_RESPONSES

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["graph"], responses=ERROR_RESPONSES)

SeedQuery = Annotated[str, Query(pattern=ID_PATTERN, max_length=128, description="Image id.")]
DepthQuery = Annotated[int, Query(ge=0, le=4, description="Levels of expansion.")]
KQuery = Annotated[
    int,
    Query(ge=1, le=20, description="Neighbours per image (lowered to the number of images - 1)."),
]
MAX_NODES = 600  # a graph a browser draws smoothly with pictures on its nodes


def _grow(col, seed: str, depth: int, k: int):
    """(graph, notes): the networkx graph with titles on its nodes and no file paths."""
    seed = image_row(col, seed).id
    k = max(1, min(k, len(col.embeddings()) - 1))  # a small collection has fewer
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = col.graph(seed, depth=depth, k=k, max_nodes=MAX_NODES)
    for node, attrs in g.nodes(data=True):
        attrs.pop("path", None)  # the server never sends file paths
        attrs["title"] = image_title(col.image(node))
    g.graph["seed"] = seed
    return g, [str(w.message) for w in caught]


@router.get("/graph", summary="A graph of similar images grown from a seed")
def seed_graph(seed: SeedQuery, col: CollectionDep, depth: DepthQuery = 2, k: KQuery = 5) -> dict:
    """Breadth-first from `seed`, `depth` levels, `k` neighbours per image (at most 600
    nodes): nodes with their depth, edges with their cosine similarity, and the graph's
    metrics (nodes, edges, density, degrees, components, clustering, diameter)."""
    import lookalike

    g, notes = _grow(col, seed, depth, k)
    stats = lookalike.graph_stats(g).to_dict()
    return {
        "seed": g.graph["seed"],
        "depth": depth,
        "k": k,
        "nodes": [
            {"id": n, "title": a["title"], "depth": a.get("depth")} for n, a in g.nodes(data=True)
        ],
        "edges": [
            {"source": s, "target": t, "similarity": float(a.get("similarity", 0.0))}
            for s, t, a in g.edges(data=True)
        ],
        "stats": {key: _plain(v) for key, v in stats.items()},
        "notes": notes,
    }


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


GRAPH_FILE = {200: {"content": {"application/xml": {}}, "description": "The graph file."}}


def _export(col, request, seed: str, depth: int, k: int, suffix: str) -> Response:
    import lookalike

    g, _ = _grow(col, seed, depth, k)
    base = base_url(request)
    for node, attrs in g.nodes(data=True):
        attrs["thumbnail"] = f"{base}iiif/{node}/full/!256,256/0/default.jpg"
    with tempfile.TemporaryDirectory() as tmp:
        data = lookalike.write_graph(g, FilePath(tmp) / f"graph.{suffix}").read_bytes()
    name = f"graph-{g.graph['seed']}-d{depth}-k{k}.{suffix}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type="application/xml", headers=headers)


@router.get(
    "/graph.graphml", response_class=Response, responses=GRAPH_FILE, summary="Export GraphML"
)
def graph_graphml(
    seed: SeedQuery, request: Request, col: CollectionDep, depth: DepthQuery = 2, k: KQuery = 5
) -> Response:
    """The same graph as `/api/graph`, as GraphML (node titles, depths and thumbnail
    URLs; edge similarities)."""
    return _export(col, request, seed, depth, k, "graphml")


@router.get("/graph.gexf", response_class=Response, responses=GRAPH_FILE, summary="Export GEXF")
def graph_gexf(
    seed: SeedQuery, request: Request, col: CollectionDep, depth: DepthQuery = 2, k: KQuery = 5
) -> Response:
    """The same graph as `/api/graph`, as GEXF (for Gephi)."""
    return _export(col, request, seed, depth, k, "gexf")
