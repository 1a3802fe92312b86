"""The IIIF Image API 3.0 (level 2 features) for every image of the collection:
``/iiif/{id}/info.json`` and ``/iiif/{id}/{region}/{size}/{rotation}/{quality}.{format}``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from lookalike.server.deps import (
    ID_PATTERN,
    CollectionDep,
    PicturesDep,
    SettingsDep,
    base_url,
    image_row,
)
from lookalike.server.errors import ERROR_RESPONSES, ApiError
from lookalike.server.iiif import CONTEXT, info_json, parse_request
from lookalike.server.pictures import UnreadablePicture

__all__ = ["router"]

router = APIRouter(prefix="/iiif", tags=["iiif"], responses=ERROR_RESPONSES)

IdPath = Annotated[str, Path(pattern=ID_PATTERN, max_length=128, description="Image id.")]


def _declared(pattern: str):
    """A path parameter whose pattern the schema declares and the IIIF parser checks
    (its messages say what is allowed and why, which a pattern mismatch cannot)."""
    return Path(max_length=100, json_schema_extra={"pattern": pattern})


_N = r"(?:\d{1,9}(?:\.\d{1,9})?|\.\d{1,9})"
RegionPath = Annotated[
    str,
    _declared(rf"^(?:full|square|\d{{1,9}}(?:,\d{{1,9}}){{3}}|pct:{_N}(?:,{_N}){{3}})$"),
]
SizePath = Annotated[
    str, _declared(rf"^\^?(?:max|full|pct:{_N}|!\d{{1,9}},\d{{1,9}}|\d{{0,9}},\d{{0,9}})$")
]
RotationPath = Annotated[str, _declared(r"^!?(?:0|90|180|270)$")]
QualityPath = Annotated[str, _declared(r"^(?:default|color|gray)$")]
FormatPath = Annotated[str, _declared(r"^(?:jpg|png|webp)$")]
CACHE_HEADERS = {"Cache-Control": "public, max-age=86400"}
IMAGE_CONTENT = {
    200: {
        "description": "The picture.",
        "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
    }
}


def _remote_service(row) -> str | None:
    """The IIIF service an image ingested from a remote catalogue still lives at."""
    service = (row.metadata or {}).get("iiif_service")
    return service.rstrip("/") if isinstance(service, str) else None


@router.get(
    "/{id}",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "See the info.json", "content": None}},
    summary="Redirect to info.json",
)
def base(id: IdPath, request: Request) -> RedirectResponse:
    """The base URI of an image redirects to its `info.json` (IIIF baseUriRedirect)."""
    return RedirectResponse(f"{base_url(request)}iiif/{id}/info.json", status_code=303)


@router.get("/{id}/info.json", summary="Image information (IIIF Image API 3.0)")
def info(id: IdPath, request: Request, col: CollectionDep, settings: SettingsDep):
    """Size, limits and features of an image's IIIF service."""
    row = image_row(col, id)
    service = _remote_service(row)
    if service:
        return RedirectResponse(f"{service}/info.json", status_code=303)
    body = info_json(f"{base_url(request)}iiif/{id}", row.width, row.height, settings.iiif)
    accept = request.headers.get("accept", "")
    media = f'application/ld+json;profile="{CONTEXT}"' if "ld+json" in accept else None
    return JSONResponse(body, media_type=media, headers=CACHE_HEADERS)


@router.get(
    "/{id}/{region}/{size}/{rotation}/{quality}.{format}",
    response_class=Response,
    responses=IMAGE_CONTENT,
    summary="A picture of an image (IIIF Image API 3.0)",
)
async def picture(
    id: IdPath,
    region: RegionPath,
    size: SizePath,
    rotation: RotationPath,
    quality: QualityPath,
    format: FormatPath,
    col: CollectionDep,
    pictures: PicturesDep,
    settings: SettingsDep,
) -> Response:
    """`region` full | square | x,y,w,h | pct:x,y,w,h; `size` max | w, | ,h | w,h | !w,h |
    pct:n (`^` in front to upscale; `full` for 2.x clients); `rotation` 0 | 90 | 180 |
    270 (`!` to mirror); `quality` default | color | gray; `format` jpg | png | webp."""
    row = await run_in_threadpool(image_row, col, id)
    service = _remote_service(row)
    if service:
        target = f"{service}/{region}/{size}/{rotation}/{quality}.{format}"
        return RedirectResponse(target, status_code=303)
    req = parse_request(
        region,
        size,
        rotation,
        quality,
        format,
        width=row.width,
        height=row.height,
        limits=settings.iiif,
    )
    try:
        data = await run_in_threadpool(pictures.cached, row, req)
        if data is None:
            async with pictures.slots.hold():  # bounded memory: a few renders at a time
                data = await run_in_threadpool(pictures.make, row, req)
    except UnreadablePicture as err:
        raise ApiError(404, str(err)) from err
    return Response(data, media_type=req.media_type, headers=CACHE_HEADERS)
