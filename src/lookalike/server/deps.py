"""What routers are given: the Collection, the settings and the services built on them.

Tests replace the collection with ``app.dependency_overrides[get_collection]``. The
getters are ``async`` only so that FastAPI calls them inline: a plain ``def`` dependency
costs a worker-thread round trip per request.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from lookalike import Collection, ImageNotFound, ImageRow
from lookalike.server.pictures import PictureService
from lookalike.server.results_cache import ResultCache
from lookalike.server.settings import Settings
from lookalike.server.similar import SimilarImages

__all__ = [
    "ID_PATTERN",
    "MAX_OFFSET",
    "CollectionDep",
    "PicturesDep",
    "ResultsDep",
    "SettingsDep",
    "SimilarDep",
    "base_url",
    "get_collection",
    "get_pictures",
    "get_settings",
    "get_similar",
    "image_row",
    "image_title",
]

# Image ids: letters, digits and . _ ~ - (no slash, no leading dot): an id never names
# a file; it is only ever looked up in the catalog.
ID_PATTERN = r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,127}$"
_ID = re.compile(ID_PATTERN)
# The largest offset of a paged list (more than any collection holds).
MAX_OFFSET = 1_000_000_000


async def get_collection(request: Request) -> Collection:
    return request.app.state.collection


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_similar(request: Request) -> SimilarImages:
    return request.app.state.similar


async def get_pictures(request: Request) -> PictureService:
    return request.app.state.pictures


async def get_results(request: Request) -> ResultCache:
    return request.app.state.results


CollectionDep = Annotated[Collection, Depends(get_collection)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SimilarDep = Annotated[SimilarImages, Depends(get_similar)]
PicturesDep = Annotated[PictureService, Depends(get_pictures)]
ResultsDep = Annotated[ResultCache, Depends(get_results)]


def base_url(request: Request) -> str:
    """This server's public address, ending with ``/``: ``Settings.public_url``, else
    the address the connection arrived on (the bind address). Never the ``Host``
    header, which any client can set to anything."""
    configured = request.app.state.settings.public_url
    if configured:
        return configured
    scheme = request.scope.get("scheme", "http")
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    if ":" in host:  # IPv6
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{scheme}://{netloc}{root}/"


def image_row(collection: Collection, image_id: str) -> ImageRow:
    """The catalog row of exactly ``image_id`` (no prefixes, no paths) that has pixels.

    Raises
    ------
    ImageNotFound
    """
    if not _ID.match(image_id):
        raise ImageNotFound(f"No image {image_id!r}: not a valid image id.")
    try:
        row = collection.image(image_id)
    except ImageNotFound:
        row = None  # its message names the collection's folder: not for the public
    if row is None or row.id != image_id or row.status != "ok":
        raise ImageNotFound(f"No image {image_id!r} in this collection.")
    return row


def image_title(row: ImageRow) -> str:
    """What a person calls an image: its title, else its file name (never the path)."""
    title = (row.metadata or {}).get("title")
    return title if isinstance(title, str) and title else Path(row.uri).name
