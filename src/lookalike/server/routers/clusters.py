"""Clusters for the web page: each cluster's representative (medoid) and size, and a
cluster's members, most typical first.

k-medoids costs seconds to minutes on a big collection, so a request may ask only for
one of the few ``CLUSTER_KS``; each is computed once (one computation at a time, see
:class:`ResultCache`), read from the collection when ``lookalike clusters`` saved it
there, and never written into the collection by the server."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import AfterValidator

from lookalike.server.deps import MAX_OFFSET, CollectionDep, ResultsDep, SettingsDep, image_title
from lookalike.server.errors import ERROR_RESPONSES, ApiError

__all__ = ["CLUSTER_KS", "CLUSTER_K_SCHEMA", "ClusterK", "cluster_labels", "one_of", "router"]

router = APIRouter(
    prefix="/api",
    tags=["clusters"],
    responses=ERROR_RESPONSES,
)

CLUSTER_KS = (5, 10, 20, 40)


def one_of(allowed: tuple[int, ...]):
    """A validator of an int query parameter that takes only ``allowed`` values."""

    def check(value: int | None) -> int | None:
        if value is not None and value not in allowed:
            choices = ", ".join(str(v) for v in allowed[:-1]) + f" or {allowed[-1]}"
            raise ValueError(f"should be {choices}, not {value}")
        return value

    return AfterValidator(check)


# An int (a query string is never a Literal[5, ...]) that is one of CLUSTER_KS; the
# schema says so with an enum.
ClusterK = Annotated[int, one_of(CLUSTER_KS)]
CLUSTER_K_SCHEMA = {"enum": list(CLUSTER_KS)}
KQuery = Annotated[
    ClusterK,
    Query(
        description="Number of clusters: 5, 10, 20 or 40 (at most the number of images).",
        json_schema_extra=CLUSTER_K_SCHEMA,
    ),
]


async def _clusters(col, results, settings, k: int):
    """(k, Clusters): ``k`` lowered to the number of images of a small collection."""
    n = len(col.embeddings())
    k = max(1, min(int(k), n))
    key = ("clusters", k, col.version)
    found = await results.get(key, lambda: col.clusters(k), heavy=True, what=f"{k} clusters")
    return k, found


async def cluster_labels(col, results, settings, k: int) -> list[int]:
    """The cluster of every image (in the order of the vectors), for the map."""
    _, found = await _clusters(col, results, settings, k)
    return found.labels.astype(int).tolist()


@router.get("/clusters", summary="Representatives (medoids) and sizes of k clusters")
async def clusters(
    col: CollectionDep, results: ResultsDep, settings: SettingsDep, k: KQuery = 10
) -> dict:
    """k-medoids clusters (computed once per k; read from the collection if `lookalike
    clusters` saved them), largest first: each with its number, size and medoid image.
    `k` is lowered to the number of images of a smaller collection."""
    k, found = await _clusters(col, results, settings, k)

    def answer() -> dict:
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

    return await run_in_threadpool(answer)


@router.get("/clusters/{cluster}", summary="The members of one cluster")
async def cluster_members(
    cluster: Annotated[int, Path(ge=0, le=max(CLUSTER_KS) - 1, description="0 to k-1.")],
    col: CollectionDep,
    results: ResultsDep,
    settings: SettingsDep,
    k: KQuery = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many members.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many.")] = 200,
) -> dict:
    """Members of `cluster`, the medoid first, then by cosine similarity to it (404 for
    a cluster number that is not below `k`)."""
    k, found = await _clusters(col, results, settings, k)
    if cluster >= k:
        raise ApiError(404, f"No cluster {cluster}: there are {k} (0 to {k - 1}).")

    def answer() -> dict:
        members = col.cluster_members(found, cluster)
        page = members[offset : offset + limit]
        return {
            "k": k,
            "cluster": cluster,
            "size": len(members),
            "medoid": members[0][0],
            "offset": offset,
            "members": [
                {"id": i, "title": image_title(col.image(i)), "score": float(s)} for i, s in page
            ],
        }

    return await run_in_threadpool(answer)
