"""Clusters for the web page: each cluster's representative (medoid) and size, and a
cluster's members, most typical first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from lookalike._validation import check_int
from lookalike.server.deps import CollectionDep, image_title
from lookalike.server.errors import ERROR_RESPONSES

__all__ = ["router"]

router = APIRouter(
    prefix="/api",
    tags=["clusters"],
    responses=ERROR_RESPONSES,
)

KQuery = Annotated[int, Query(description="Number of clusters (1-200).")]


def _clusters(col, k: int, where: str):
    k = check_int(k, "k", where, low=1, high=200)
    return k, col.clusters(k)


@router.get("/clusters", summary="Representatives (medoids) and sizes of k clusters")
def clusters(col: CollectionDep, k: KQuery = 10) -> dict:
    """k-medoids clusters (computed once per k and saved in the collection), largest
    first: each with its number, size and medoid image."""
    k, found = _clusters(col, k, "GET /api/clusters")
    sizes = found.sizes
    rows = [
        {
            "cluster": c,
            "size": int(sizes[c]),
            "medoid": medoid,
            "title": image_title(col.image(medoid)),
        }
        for c, medoid in enumerate(found.medoid_ids)
    ]
    rows.sort(key=lambda r: (-r["size"], r["cluster"]))
    return {"k": k, "method": found.method, "images": len(found.labels), "clusters": rows}


@router.get("/clusters/{cluster}", summary="The members of one cluster")
def cluster_members(
    cluster: Annotated[int, Path(description="Cluster number, 0 to k-1.")],
    col: CollectionDep,
    k: KQuery = 10,
    offset: Annotated[int, Query(description="Skip this many members.")] = 0,
    limit: Annotated[int, Query(description="At most this many (1-500).")] = 200,
) -> dict:
    """Members of `cluster`, the medoid first, then by cosine similarity to it."""
    from lookalike import analysis

    where = "GET /api/clusters/{cluster}"
    k, found = _clusters(col, k, where)
    cluster = check_int(cluster, "cluster", where, low=0, high=k - 1)
    limit = check_int(limit, "limit", where, low=1, high=500)
    offset = check_int(offset, "offset", where, low=0)
    emb = col.embeddings()
    size = int(found.sizes[cluster])
    medoid_row = int(found.medoids[cluster])
    rows, scores = analysis.cluster_neighborhood(emb.vectors, found, medoid_row, size)
    ids = [str(found.ids[r]) for r in rows]
    page = list(zip(ids, scores.tolist(), strict=True))[offset : offset + limit]
    return {
        "k": k,
        "cluster": cluster,
        "size": size,
        "medoid": ids[0],
        "offset": offset,
        "members": [
            {"id": i, "title": image_title(col.image(i)), "score": float(s)} for i, s in page
        ],
    }
