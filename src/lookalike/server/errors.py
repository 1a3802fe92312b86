"""One JSON error shape for every failure (the catalogue API's), and the handlers that
turn exceptions into it: unknown images and missing paths are 404, bad parameters 400,
anything unexpected a 500 that is logged while the server keeps serving."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lookalike.errors import ImageDecodeError, ImageNotFound, IndexNotBuilt, NoPath
from lookalike.server.schemas import Error

__all__ = ["ERROR_RESPONSES", "ApiError", "error_response", "install_error_handlers"]

log = logging.getLogger("lookalike.server")


class ApiError(Exception):
    """An error with its HTTP status, raised by routers for cases exceptions don't name."""

    def __init__(self, status: int, description: str, headers: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers


def error_response(status: int, description: str, headers: dict | None = None) -> JSONResponse:
    """``{"type": "Error", "errorType": "http", "httpStatus", "label", "description"}``."""
    label = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = {
        "type": "Error",
        "errorType": "http",
        "httpStatus": status,
        "label": label,
        "description": description,
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_message(err: RequestValidationError) -> str:
    parts = []
    for e in err.errors():
        where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else e.get("msg", "invalid"))
    return "; ".join(parts) or "invalid request"


# Paths of the JSON and image APIs: their errors are always JSON.
_API_PREFIXES = ("/api/", "/catalogue/", "/iiif/", "/static/", "/openapi", "/docs", "/redoc")


def _wants_page(request: Request) -> bool:
    """A browser asking for a page (not an API client): answer with the HTML 404 page."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(_API_PREFIXES)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.description, exc.headers)

    async def _not_found(request: Request, exc: Exception) -> JSONResponse:
        return error_response(404, str(exc))

    for missing in (ImageNotFound, NoPath, IndexNotBuilt):
        app.add_exception_handler(missing, _not_found)

    @app.exception_handler(ImageDecodeError)
    async def _bad_image(request: Request, exc: ImageDecodeError) -> JSONResponse:
        return error_response(400, f"Cannot read the image: {exc}")

    @app.exception_handler(ValueError)
    async def _bad_value(request: Request, exc: ValueError) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        description = (
            exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        )
        if exc.status_code == 404 and description == "Not Found":
            if _wants_page(request):
                from lookalike.server.routers.pages import not_found_page

                return not_found_page(f"There is no page at {request.url.path}.")
            description = f"No such endpoint: {request.url.path}"
        return error_response(exc.status_code, description, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(500, f"Internal error ({type(exc).__name__}); see the server log.")


# For the OpenAPI schema: every route may answer with the error shape.
ERROR_RESPONSES: dict[int | str, dict] = {
    400: {"description": "Bad request (the description says which parameter)", "model": Error},
    404: {"description": "No such image", "model": Error},
}
