"""The web page: one HTML page per task (collection and atlas, image and neighbours,
duplicates, path, graph, clusters), each a plain HTML shell whose script (a vanilla JS
module under ``static/js/``) fills it from the JSON API. Unknown image ids get a
friendly 404 page."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from lookalike.errors import ImageNotFound
from lookalike.server.deps import CollectionDep, image_row, image_title

__all__ = ["not_found_page", "router"]

router = APIRouter(include_in_schema=False)

# (page, label in the navigation)
NAVIGATION = [
    ("collection", "Collection"),
    ("duplicates", "Duplicates"),
    ("path", "Path"),
    ("graph", "Graph"),
    ("clusters", "Clusters"),
]


@cache
def _fragment(name: str) -> str:
    return resources.files("lookalike.server").joinpath(f"static/pages/{name}.html").read_text()


def _nav(current: str) -> str:
    links = []
    for page, label in NAVIGATION:
        href = "/" if page == "collection" else f"/{page}"
        here = ' aria-current="page"' if page == current else ""
        links.append(f'<a href="{href}"{here}>{label}</a>')
    return " ".join(links)


def render(page: str, title: str, body: str, *, data: dict | None = None, status: int = 200):
    """The HTML shell around ``body`` with the page's script; ``data`` become
    ``data-*`` attributes of ``<body>`` (escaped)."""
    attrs = "".join(f' data-{k}="{html.escape(str(v))}"' for k, v in (data or {}).items())
    script = (
        f'<script type="module" src="/static/js/{page}.js"></script>' if page != "notfound" else ""
    )
    text = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · lookalike</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/css/style.css">
</head>
<body data-page="{page}"{attrs}>
<a class="skip" href="#main">Skip to content</a>
<header><nav aria-label="Pages"><span class="brand">lookalike</span> {_nav(page)}</nav></header>
<main id="main" tabindex="-1">
{body}
</main>
{script}
</body>
</html>
"""
    return HTMLResponse(text, status_code=status)


def not_found_page(message: str) -> HTMLResponse:
    """The friendly 404 page."""
    body = f"""<h1>Not found</h1>
<p class="message" role="alert">{html.escape(message)}</p>
<p><a href="/">Back to the collection</a> or find an image by its id or file name:</p>
<form action="/" method="get"><label for="q">Id or file name</label>
<input id="q" name="q" type="search"> <button>Find</button></form>"""
    return render("notfound", "Not found", body, status=404)


def _feature_page(page: str, title: str):
    def view() -> HTMLResponse:
        return render(page, title, _fragment(page))

    view.__name__ = f"{page}_page"
    return view


@router.get("/", response_class=HTMLResponse)
def collection_page(col: CollectionDep) -> HTMLResponse:
    return render("collection", col.root.name, _fragment("collection"))


@router.get("/image/{id}", response_class=HTMLResponse)
def image_page(id: Annotated[str, Path(max_length=300)], col: CollectionDep) -> HTMLResponse:
    try:
        row = image_row(col, id)
    except ImageNotFound:
        return not_found_page(f"There is no image {id!r} in this collection.")
    title = image_title(row)
    return render("image", title, _fragment("image"), data={"id": row.id, "title": title})


for _page, _title in NAVIGATION[1:]:
    router.add_api_route(f"/{_page}", _feature_page(_page, _title), response_class=HTMLResponse)
