"""What the web page shows of a collection: counts, models and failed images, a
search over image ids and file names, and one image's metadata."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from lookalike.server.deps import (
    ID_PATTERN,
    MAX_OFFSET,
    CollectionDep,
    ResultsDep,
    image_row,
    image_title,
)
from lookalike.server.errors import ERROR_RESPONSES

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["browse"], responses=ERROR_RESPONSES)


@router.get("/collection", summary="Counts, models and failed images")
def collection_summary(col: CollectionDep) -> dict:
    """Counts of images (indexed, failed), models with their vectors, the failed images
    with their errors (file names, not paths)."""
    info = col.info()
    failed = []
    for image_id, uri, reason in info.failed:
        failed.append({"id": image_id, "file": uri.rsplit("/", 1)[-1], "error": reason})
    return {
        "name": col.root.name,
        "images": info.n_images,
        "indexed": info.n_ok,
        "failed": info.n_failed,
        "models": [{"name": n, **m} for n, m in info.models.items()],
        "failed_images": failed,
    }


async def _catalogue(col, results) -> list[tuple[str, str, int | None, int | None]]:
    """(id, title, width, height) of every readable image, in catalog order."""

    def compute():
        rows = col.image_rows()
        return [(r.id, image_title(r), r.width, r.height) for r in rows]

    return await results.get(("catalogue", col.version), compute)


@router.get("/images", summary="Find images by id or file name")
async def find_images(
    col: CollectionDep,
    results: ResultsDep,
    q: Annotated[str, Query(max_length=200, description="Part of an id or file name.")] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many matches.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many.")] = 50,
) -> dict:
    """Images whose id starts with `q` or whose file name contains `q` (case-insensitive),
    in collection order; an empty `q` lists every image."""
    needle = q.strip().lower()
    rows = await _catalogue(col, results)
    if needle:
        rows = [r for r in rows if r[0].lower().startswith(needle) or needle in r[1].lower()]
    page = rows[offset : offset + limit]
    return {
        "total": len(rows),
        "offset": offset,
        "results": [{"id": i, "title": t, "width": w, "height": h} for i, t, w, h in page],
    }


@router.get("/images/{id}", summary="One image's metadata")
def image_metadata(
    id: Annotated[str, Path(pattern=ID_PATTERN, max_length=128)], col: CollectionDep
) -> dict:
    """Id, title (file name), size in pixels and bytes, modification time, content hash,
    the source's metadata, and the models that have a vector for it."""
    row = image_row(col, id)
    return {
        "id": row.id,
        "title": image_title(row),
        "width": row.width,
        "height": row.height,
        "bytes": row.bytes,
        "mtime": row.mtime,
        "content_hash": row.content_hash,
        "metadata": row.metadata or {},
        "models": col.models,
    }
