"""The chain of similar images from A to B, for the web page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from lookalike._validation import check_int
from lookalike.server.deps import ID_PATTERN, CollectionDep, image_row, image_title
from lookalike.server.errors import ERROR_RESPONSES

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["path"], responses=ERROR_RESPONSES)

IdQuery = Annotated[str, Query(pattern=ID_PATTERN, max_length=128)]


@router.get("/path", summary="A chain of similar images from a to b")
def image_path(
    a: IdQuery,
    b: IdQuery,
    col: CollectionDep,
    method: Annotated[
        Literal["shortest", "smooth", "fewest"],
        Query(
            description="shortest: least total distance; smooth: smallest largest step; "
            "fewest: fewest steps."
        ),
    ] = "shortest",
    k: Annotated[
        int,
        Query(
            description="Neighbours per image in the kNN graph (2-50; at most the "
            "number of images - 1)."
        ),
    ] = 10,
) -> dict:
    """The images from `a` to `b` with the cosine similarity of each step (404 when
    there is no path)."""
    k = check_int(k, "k", "GET /api/path", low=2, high=50)
    a, b = image_row(col, a).id, image_row(col, b).id
    k = max(1, min(k, len(col.embeddings()) - 1))  # a small collection has fewer
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
