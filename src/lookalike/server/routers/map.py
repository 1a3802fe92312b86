"""The 2-D map (atlas) of every image for the web page: coordinates from
``Collection.map`` scaled into the unit square, titles, and cluster labels when asked."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from lookalike._validation import check_int
from lookalike.server.deps import CollectionDep, ResultsDep, image_title
from lookalike.server.errors import ERROR_RESPONSES
from lookalike.server.results_cache import collection_version

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["map"], responses=ERROR_RESPONSES)


def _unit_square(coords: np.ndarray) -> np.ndarray:
    """Scale into [0, 1] x [0, 1] keeping the aspect ratio. No input validation."""
    coords = np.asarray(coords, dtype=np.float64)
    low = coords.min(axis=0)
    span = float((coords.max(axis=0) - low).max()) or 1.0
    return (coords - low) / span


@router.get("/map", summary="2-D coordinates of every image")
async def image_map(
    col: CollectionDep,
    results: ResultsDep,
    method: Annotated[Literal["pca", "tsne", "umap"], Query(description="Projection.")] = "umap",
    clusters: Annotated[
        int | None, Query(description="Also the label of each image among k clusters.")
    ] = None,
) -> dict:
    """`ids`, `titles`, `x`, `y` (parallel lists, in [0, 1]) of every image with a
    vector; `cluster` too when `clusters=k` is given. Computed once per method and
    saved in the collection."""
    if clusters is not None:
        clusters = check_int(clusters, "clusters", "GET /api/map", low=1, high=200)

    def answer() -> dict:
        proj = col.map(method)
        xy = _unit_square(proj.coords)
        titles = {r.id: image_title(r) for r in col._store.catalog.images(status="ok")}
        body = {
            "method": proj.method,
            "model": proj.model,
            "ids": [str(i) for i in proj.ids],
            "titles": [titles.get(str(i), str(i)) for i in proj.ids],
            "x": np.round(xy[:, 0], 5).tolist(),
            "y": np.round(xy[:, 1], 5).tolist(),
        }
        if clusters is not None:
            found = col.clusters(clusters)
            body["k"] = clusters
            body["cluster"] = found.labels.astype(int).tolist()
        return body

    key = ("map", method, clusters, collection_version(col))
    return await run_in_threadpool(results.get, key, answer)
