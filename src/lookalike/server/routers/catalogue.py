"""The Wellcome Collection catalogue images API shape, over a local collection:
``GET /catalogue/v2/images/{id}`` and the paged ``GET /catalogue/v2/images``."""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from lookalike._validation import check_int
from lookalike.server.deps import (
    ID_PATTERN,
    CollectionDep,
    SettingsDep,
    SimilarDep,
    base_url,
    image_row,
)
from lookalike.server.errors import ERROR_RESPONSES, ApiError
from lookalike.server.schemas import Image, ResultList, image_from_row

__all__ = ["router"]

router = APIRouter(prefix="/catalogue/v2", tags=["catalogue"], responses=ERROR_RESPONSES)

# The similar-images includes (older and current name) and the catalogue's other
# includes, accepted so that existing code works, and not computed here.
SIMILAR_INCLUDES = ("visuallySimilar", "withSimilarFeatures")
IGNORED_INCLUDES = (
    "withSimilarColors",
    "source.contributors",
    "source.languages",
    "source.genres",
    "source.subjects",
)

IdPath = Annotated[str, Path(pattern=ID_PATTERN, max_length=128, description="Image id.")]
_NAMES = "|".join(n.replace(".", r"\.") for n in SIMILAR_INCLUDES + IGNORED_INCLUDES)
_ITEM = rf" *(?:{_NAMES})? *"
IncludeQuery = Annotated[
    str | None,
    Query(
        max_length=500,
        json_schema_extra={"pattern": rf"^{_ITEM}(?:,{_ITEM})*$"},  # checked below
        description="Comma-separated: visuallySimilar (older name) and/or "
        "withSimilarFeatures (current name) add the k most similar images.",
        examples=["visuallySimilar"],
    ),
]
KQuery = Annotated[
    int | None, Query(description="How many similar images (default: the server's, 5).")
]


def _includes(include: str | None) -> list[str]:
    """The similar-image includes asked for; ValueError (400) on an unknown one."""
    names = [p.strip() for p in (include or "").split(",") if p.strip()]
    for name in names:
        if name not in SIMILAR_INCLUDES + IGNORED_INCLUDES:
            allowed = ", ".join(SIMILAR_INCLUDES + IGNORED_INCLUDES)
            raise ValueError(f"include: {name!r} is not a valid value. Choose from: {allowed}.")
    return [n for n in SIMILAR_INCLUDES if n in names]


def _with_similar(image: dict, includes: list[str], k: int, col, similar, base: str) -> dict:
    if not includes:
        return image
    hits = []
    for hit_id, score in similar.similar(image["id"], k):
        hit = image_from_row(similar.image(hit_id), base)
        hit["score"] = score
        hits.append(hit)
    for name in includes:
        image[name] = hits
    return image


def _check_k(k: int | None, settings, where: str) -> int:
    if k is None:
        return settings.k_default
    return check_int(k, "k", where, low=1, high=settings.k_max)


@router.get(
    "/images/{id}",
    response_model=Image,
    response_model_exclude_none=True,
    summary="One image, optionally with its visually similar images",
)
async def get_image(
    id: IdPath,
    request: Request,
    col: CollectionDep,
    similar: SimilarDep,
    settings: SettingsDep,
    include: IncludeQuery = None,
    k: KQuery = None,
) -> dict:
    """An Image; `?include=visuallySimilar` or `?include=withSimilarFeatures` adds the
    `k` most similar images, best first, each with its cosine `score`."""
    includes = _includes(include)
    k = _check_k(k, settings, "GET /catalogue/v2/images/{id}")
    base = base_url(request)

    def answer() -> dict:
        image = image_from_row(image_row(col, id), base)
        return _with_similar(image, includes, k, col, similar, base)

    # A table lookup and a few primary-key reads: no need for a worker thread.
    body = answer() if not includes or similar.is_fast() else await run_in_threadpool(answer)
    return JSONResponse(body)  # built to the Image schema already; skip re-validation


@router.get(
    "/images",
    response_model=ResultList,
    response_model_exclude_none=True,
    summary="Every image, a page at a time",
)
def list_images(
    request: Request,
    col: CollectionDep,
    similar: SimilarDep,
    settings: SettingsDep,
    page: Annotated[int, Query(description="Page number, from 1.")] = 1,
    pageSize: Annotated[int | None, Query(description="Images per page (1-100).")] = None,
    include: IncludeQuery = None,
    k: KQuery = None,
) -> dict:
    """The images in collection order, `pageSize` per page, with `nextPage`/`prevPage`
    links while there are more."""
    where = "GET /catalogue/v2/images"
    size = pageSize if pageSize is not None else settings.page_size_default
    size = check_int(size, "pageSize", where, low=1, high=settings.page_size_max)
    ids = similar.ids()
    total_pages = max(1, math.ceil(len(ids) / size))
    page = check_int(page, "page", where, low=1)
    if page > total_pages:
        raise ApiError(404, f"No page {page}: there are {total_pages} pages of {size}.")
    includes = _includes(include)
    k = _check_k(k, settings, where)
    base = base_url(request)
    results = [
        _with_similar(image_from_row(col.image(i), base), includes, k, col, similar, base)
        for i in ids[(page - 1) * size : page * size]
    ]
    params = {n: v for n, v in request.query_params.items() if n not in ("page", "pageSize")}

    def link(p: int) -> str:
        query = urlencode({**params, "page": p, "pageSize": size})
        return f"{base}catalogue/v2/images?{query}"

    return {
        "type": "ResultList",
        "page": page,
        "pageSize": size,
        "totalPages": total_pages,
        "totalResults": len(ids),
        "results": results,
        "prevPage": link(page - 1) if page > 1 else None,
        "nextPage": link(page + 1) if page < total_pages else None,
    }
