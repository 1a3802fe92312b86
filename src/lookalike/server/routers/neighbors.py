"""Neighbours as plain JSON: of an image in the collection, or of an uploaded image."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

import lookalike
from lookalike._validation import check_int
from lookalike.server.deps import (
    ID_PATTERN,
    CollectionDep,
    SettingsDep,
    base_url,
    image_row,
    image_title,
)
from lookalike.server.errors import ERROR_RESPONSES, ApiError
from lookalike.server.schemas import Error, NeighborsResult

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["search"], responses=ERROR_RESPONSES)

KQuery = Annotated[int, Query(description="How many neighbours (1 to the server's k_max).")]


def _result(hits, k: int, request: Request, query: str, col) -> dict:
    base = base_url(request)
    return {
        "query": query,
        "model": hits.model,
        "k": k,
        "results": [
            {
                "rank": h.rank,
                "id": h.id,
                "score": h.score,
                "title": image_title(col.image(h.id)),
                "thumbnail": f"{base}iiif/{h.id}/info.json",
            }
            for h in hits
        ],
    }


@router.get("/neighbors/{id}", response_model=NeighborsResult, summary="Neighbours of an image")
def neighbors_of_image(
    id: Annotated[str, Path(pattern=ID_PATTERN, max_length=128)],
    request: Request,
    col: CollectionDep,
    settings: SettingsDep,
    k: KQuery = 9,
) -> dict:
    """The `k` images most similar to image `id`, best first, with cosine scores."""
    k = check_int(k, "k", "GET /api/neighbors/{id}", low=1, high=settings.k_max)
    row = image_row(col, id)
    hits = col.neighbors(row.id, k=k)
    return _result(hits, k, request, row.id, col)


@router.post(
    "/neighbors",
    response_model=NeighborsResult,
    summary="Neighbours of an uploaded image",
    responses={
        413: {"description": "Upload too large (bytes or pixels)", "model": Error},
        503: {"description": "Too many uploads at once", "model": Error},
    },
)
async def neighbors_of_upload(
    request: Request,
    col: CollectionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="An image file (JPEG, PNG, WebP, ...).")],
    k: KQuery = 9,
) -> dict:
    """The `k` images of the collection most similar to the uploaded picture (at most
    the server's upload pixel limit, 24 megapixels by default: larger is a 413; a few
    uploads are embedded at once, and one that waits more than 10 s is a 503)."""
    k = check_int(k, "k", "POST /api/neighbors", low=1, high=settings.k_max)
    data = await file.read(settings.max_request_bytes + 1)
    if len(data) > settings.max_request_bytes:
        raise ApiError(413, f"The upload is larger than {settings.max_request_bytes} bytes.")
    _check_pixels(data, settings.max_upload_pixels)
    slots = request.app.state.upload_slots
    busy = "The server is busy with other uploads; retry in a few seconds."
    async with slots.hold(timeout=UPLOAD_WAIT, busy=busy):

        def answer() -> dict:
            # The same safe decoder as indexing, with the server's tighter pixel limit.
            lookalike.decode_image(data, min_side=256, max_pixels=settings.max_upload_pixels)
            hits = col.neighbors(query=data, k=k)
            return _result(hits, k, request, "upload", col)

        return await run_in_threadpool(answer)


UPLOAD_WAIT = 10.0  # seconds an upload waits for a slot before a 503


def _check_pixels(data: bytes, limit: int) -> None:
    """413 for a picture over ``limit`` pixels, from its header (nothing decoded)."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
    except Exception:  # not an image: the decoder says what is wrong, with a 400
        return
    if width * height > limit:
        raise ApiError(
            413,
            f"The uploaded image has {width}x{height} = {width * height:,} pixels; this "
            f"server takes at most {limit:,} (uploads).",
        )
