"""The interactive API documentation at ``/docs``: Swagger UI served from this package
(``static/vendor/swagger-ui/``, swagger-ui-dist 5.35.0 from npm, Apache-2.0), so that it
works offline; FastAPI's default loads it from a CDN. ReDoc, a second CDN-loaded view of
the same schema, is not served."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

__all__ = ["install_api_docs"]

_VENDOR = "static/vendor/swagger-ui"


def install_api_docs(app: FastAPI) -> None:
    """Add ``GET /docs`` (and Swagger UI's OAuth2 redirect page) with local assets; the
    app is made with ``docs_url=None, redoc_url=None``."""

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} API",
            swagger_js_url=f"{root}/{_VENDOR}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/{_VENDOR}/swagger-ui.css",
            swagger_favicon_url=f"{root}/{_VENDOR}/favicon-32x32.png",
            oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
