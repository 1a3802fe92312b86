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
from lookalike import Collection
from lookalike.server.api_docs import install_api_docs
from lookalike.server.errors import error_response, install_error_handlers
from lookalike.server.pictures import PictureService, Slots
from lookalike.server.results_cache import ResultCache
from lookalike.server.routers import (
    catalogue,
    clusters,
    duplicates,
    graph,
    iiif,
    images,
    map,
    neighbors,
    pages,
    path,
)
from lookalike.server.settings import Settings
from lookalike.server.similar import SimilarImages

__all__ = ["create_app", "serve"]

STATIC_DIR = Path(__file__).parent / "static"


class HttpHygiene:
    """ASGI middleware for what every route owes HTTP, before any route runs:

    - ``HEAD`` is answered as ``GET`` without the body (same status and headers);
    - a write route of a read-only server (``POST /api/labels`` without
      ``allow_labels``) is refused with 403 before its body is read;
    - a body over ``limit`` bytes is refused with 413: at once when the client
      announces its length, as soon as the limit is passed when it streams it (the
      route's own answer, if any, is replaced)."""

    def __init__(self, app, limit: int, read_only_routes: tuple[tuple[str, str], ...]) -> None:
        self.app = app
        self.limit = limit
        self.read_only_routes = read_only_routes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] == "GET":  # no body to watch
            return await self.app(scope, receive, send)
        if scope["method"] == "HEAD":
            return await self._head(scope, receive, send)
        if (scope["method"], scope["path"].rstrip("/")) in self.read_only_routes:
            response = error_response(
                403,
                "This server is read-only: start it with 'lookalike serve --allow-labels' "
                "to save labels.",
                {"Connection": "close"},
            )
            return await response(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.limit
                except ValueError:
                    too_large = False
                if too_large:
                    return await self._too_large(scope, receive, send)
        seen = 0
        over = False
        started = False

        async def limited_receive():
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit and not started:
                    over = True
                    return {"type": "http.disconnect"}  # the route stops reading
            return message

        async def guarded_send(message):
            nonlocal started
            if over:
                return  # whatever the route says about a body it could not read
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope, receive, send):
        response = error_response(
            413,
            f"The request body is larger than this server's limit of {self.limit} bytes.",
            {"Connection": "close"},
        )
        await response(scope, receive, send)

    async def _head(self, scope, receive, send):
        async def bodiless_send(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, bodiless_send)


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

    Notes
    -----
    Sets ``collection.save_results = False``: what the server computes (clusters,
    maps, kNN graphs) is kept in memory, never written into the collection. A
    ``settings.model`` is bound as ``collection.default_model``, so that every route
    answers from that one model.
    """
    settings = settings or Settings()
    if settings.model is not None:
        collection.default_model = settings.model
    similar = SimilarImages(collection, k_max=settings.k_max, precompute=settings.precompute)

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
    # The server computes clusters, maps and kNN graphs (a few fixed parameters, one
    # at a time) but never writes them into the collection.
    collection.save_results = False
    app.state.results = ResultCache(settings.results_cache_bytes)
    app.state.pictures = PictureService(
        collection.root / "thumbs" / "iiif",
        cache_max_side=settings.cache_max_side,
        slots=settings.max_concurrent_pictures,
    )
    app.state.upload_slots = Slots(settings.max_concurrent_uploads)
    app.router.redirect_slashes = False  # its redirects are built from the Host header
    app.include_router(catalogue.router)
    app.include_router(iiif.router)
    app.include_router(neighbors.router)
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
    app.openapi = lambda: _openapi_without_422(app, _bounds(settings))
    read_only = () if settings.allow_labels else (("POST", "/api/labels"),)
    app.add_middleware(HttpHygiene, limit=settings.max_request_bytes, read_only_routes=read_only)
    if settings.cors_origins:  # outermost: refusals carry the CORS headers too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD"],
            allow_headers=["*"],
            max_age=3600,
        )
    return app


def _bounds(settings: Settings) -> dict[str, dict[str, tuple[float | None, float | None]]]:
    """The ranges of parameters that the settings fix: path -> name -> (min, max)."""
    k = (1, settings.k_max)
    threshold = (settings.duplicate_threshold_min, 1)
    return {
        "/catalogue/v2/images/{id}": {"k": k},
        "/catalogue/v2/images": {
            "k": k,
            "page": (1, None),
            "pageSize": (1, settings.page_size_max),
        },
        "/api/neighbors/{id}": {"k": k},
        "/api/neighbors": {"k": k},
        "/api/duplicates": {"threshold": threshold},
        "/api/duplicates/pairs.csv": {"threshold": threshold},
        "/api/duplicates/dedup.csv": {"threshold": threshold},
    }


def _declare(schema: dict, low: float | None, high: float | None) -> None:
    """Set ``minimum``/``maximum`` on the numeric branch(es) of a parameter schema."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") in ("integer", "number"):
            branch.pop("exclusiveMinimum", None)
            branch.pop("exclusiveMaximum", None)
            if low is not None:
                branch["minimum"] = low
            if high is not None:
                branch["maximum"] = high


def _openapi_without_422(app: FastAPI, bounds: dict) -> dict:
    """The schema, minus FastAPI's default 422 answers (invalid parameters are 400 in
    the one error shape here, documented on every route), with the real range of every
    parameter that the settings fix (``k`` up to ``k_max``, the duplicate threshold's
    floor), so that clients and fuzzers know what is accepted."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for route, path in schema.get("paths", {}).items():
            for operation in path.values():
                operation.get("responses", {}).pop("422", None)
                for param in operation.get("parameters", []):
                    if param["name"] in bounds.get(route, {}):
                        _declare(param["schema"], *bounds[route][param["name"]])
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
