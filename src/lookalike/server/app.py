"""The FastAPI app: ``create_app(collection, settings=...)`` includes one router per
resource over the injected collection, the one error shape, the request-size limit,
and CORS only when origins are configured. ``serve`` runs it with uvicorn.

To add a resource: write ``server/routers/<name>.py`` with an ``APIRouter`` named
``router`` and add one ``app.include_router(<name>.router)`` line below.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

import lookalike
from lookalike.collection import Collection
from lookalike.server.api_docs import install_api_docs
from lookalike.server.errors import ApiError, error_response, install_error_handlers
from lookalike.server.pictures import PictureService
from lookalike.server.results_cache import ResultCache
from lookalike.server.routers import (
    catalogue,
    clusters,
    duplicates,
    graph,
    iiif,
    images,
    map,
    pages,
    path,
    search,
)
from lookalike.server.settings import Settings
from lookalike.server.similar import SimilarImages

__all__ = ["create_app", "serve"]

STATIC_DIR = Path(__file__).parent / "static"


class _BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class BodySizeLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with 413, whether
    the client announced the length or streams the body."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.limit
                except ValueError:
                    too_large = False
                if too_large:
                    err = _BodyTooLarge(self.limit)
                    response = error_response(413, err.description, {"Connection": "close"})
                    return await response(scope, receive, send)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge(self.limit)
            return message

        return await self.app(scope, limited_receive, send)


def create_app(collection: Collection, *, settings: Settings | None = None) -> FastAPI:
    """The HTTP API over ``collection``.

    Parameters
    ----------
    collection : Collection
    settings : Settings, optional
        Limits, defaults and CORS origins (see :class:`Settings`).

    Returns
    -------
    fastapi.FastAPI
        Serve it with uvicorn (:func:`serve`) or drive it with ``TestClient``.
    """
    settings = settings or Settings()
    similar = SimilarImages(
        collection, k_max=settings.k_max, precompute=settings.precompute, model=settings.model
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from fastapi.concurrency import run_in_threadpool

        try:
            await run_in_threadpool(similar.warm)
        except lookalike.LookalikeError:
            pass  # no vectors yet: requests say so, one by one
        yield

    app = FastAPI(
        title="lookalike",
        version=lookalike.__version__,
        description="Visually similar images of a collection: the Wellcome Collection "
        "catalogue images API shape, a IIIF Image API 3.0 service, a JSON search API and "
        "the web page that uses them (at `/`).",
        lifespan=lifespan,
        docs_url=None,  # /docs with local assets: install_api_docs
        redoc_url=None,
    )
    app.state.collection = collection
    app.state.settings = settings
    app.state.similar = similar
    app.state.results = ResultCache()
    app.state.pictures = PictureService(
        collection.root / "thumbs" / "iiif", cache_max_side=settings.cache_max_side
    )
    app.include_router(catalogue.router)
    app.include_router(iiif.router)
    app.include_router(search.router)
    app.include_router(images.router)
    app.include_router(duplicates.router)
    app.include_router(path.router)
    app.include_router(graph.router)
    app.include_router(clusters.router)
    app.include_router(map.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_api_docs(app)
    install_error_handlers(app)
    app.openapi = lambda: _openapi_without_422(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
        )
    app.add_middleware(BodySizeLimit, limit=settings.max_request_bytes)
    return app


def _openapi_without_422(app: FastAPI) -> dict:
    """The schema, minus FastAPI's default 422 answers: invalid parameters are 400 in
    the one error shape here (documented on every route)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                operation.get("responses", {}).pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema


def serve(
    collection: Collection,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    log_level: str = "info",
) -> None:
    """Run the API with uvicorn until interrupted (binds ``127.0.0.1`` unless told)."""
    import uvicorn

    uvicorn.run(
        create_app(collection, settings=settings), host=host, port=port, log_level=log_level
    )
