"""The chain of similar images from A to B, for the web page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from lookalike.server.deps import (
    ID_PATTERN,
    CollectionDep,
    ResultsDep,
    SettingsDep,
    image_row,
    image_title,
)
from lookalike.server.errors import ERROR_RESPONSES, ApiError
from lookalike.server.routers.clusters import one_of

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["path"], responses=ERROR_RESPONSES)

PATH_KS = (5, 10, 20)  # kNN graphs the server builds (each once, kept in memory)
IdQuery = Annotated[str, Query(pattern=ID_PATTERN, max_length=128)]


@router.get("/path", summary="A chain of similar images from a to b")
async def image_path(
    a: IdQuery,
    b: IdQuery,
    col: CollectionDep,
    results: ResultsDep,
    settings: SettingsDep,
    method: Annotated[
        Literal["shortest", "smooth", "fewest"],
        Query(
            description="shortest: least total distance; smooth: smallest largest step; "
            "fewest: fewest steps."
        ),
    ] = "shortest",
    k: Annotated[
        int,
        one_of(PATH_KS),
        Query(
            description="Neighbours per image in the kNN graph: 5, 10 or 20 (lowered to "
            "the number of images - 1).",
            json_schema_extra={"enum": list(PATH_KS)},
        ),
    ] = 10,
) -> dict:
    """The images from `a` to `b` with the cosine similarity of each step (404 when
    there is no path). The kNN graph of each `k` is built once (one computation at a
    time) and kept in memory, never written into the collection by the server."""
    a, b = image_row(col, a).id, image_row(col, b).id
    if a == b:
        raise ApiError(400, f"a and b are the same image ({a!r}): give two different images.")
    n = len(col.embeddings())
    k = max(1, min(k, n - 1))  # a small collection has fewer
    key = ("knn-graph", k, col.version)
    await results.get(
        key,
        lambda: col.knn_graph(k) is not None,  # held by the Collection
        heavy=True,
        what=f"the kNN graph (k={k})",
    )

    def answer() -> dict:
        found = col.path(a, b, method=method, k=k)
        return {
            "method": found.method,
            "model": found.model,
            "steps": found.steps,
            "worst": found.worst,
            "total_distance": found.total_distance,
            "images": [{"id": i, "title": image_title(col.image(i))} for i in found.ids],
            "similarities": list(found.similarities),
            "bridges": list(found.bridges),
        }

    return await run_in_threadpool(answer)
