"""The 2-D map (atlas) of every image for the web page: coordinates from
``Collection.map`` in the unit square (centred, as the figures place them), titles,
and cluster labels when asked."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query

from lookalike.server.deps import CollectionDep, ResultsDep, SettingsDep, image_title
from lookalike.server.errors import ERROR_RESPONSES
from lookalike.server.routers.clusters import CLUSTER_K_SCHEMA, ClusterK, cluster_labels

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["map"], responses=ERROR_RESPONSES)


@router.get("/map", summary="2-D coordinates of every image")
async def image_map(
    col: CollectionDep,
    results: ResultsDep,
    settings: SettingsDep,
    method: Annotated[Literal["pca", "tsne", "umap"], Query(description="Projection.")] = "umap",
    clusters: Annotated[
        ClusterK | None,
        Query(
            description="Also the label of each image among k clusters (5, 10, 20, 40).",
            json_schema_extra=CLUSTER_K_SCHEMA,
        ),
    ] = None,
) -> dict:
    """`ids`, `titles`, `x`, `y` (parallel lists, in [0, 1]) of every image with a
    vector; `cluster` too when `clusters=k` is given. Computed once per method (read
    from the collection if `lookalike map` saved it; never written by the server)."""

    def compute() -> dict:
        proj = col.map(method)
        xy = proj.unit_coords()  # placed as the map figure places them
        titles = {r.id: image_title(r) for r in col.image_rows()}
        return {
            "method": proj.method,
            "model": proj.model,
            "ids": [str(i) for i in proj.ids],
            "titles": [titles.get(str(i), str(i)) for i in proj.ids],
            "x": np.round(xy[:, 0], 5).tolist(),
            "y": np.round(xy[:, 1], 5).tolist(),
        }

    key = ("map", method, col.version)
    body = await results.get(key, compute, heavy=True, what=f"the {method} map")
    if clusters is not None:
        body = dict(body)
        body["cluster"] = await cluster_labels(col, results, settings, clusters)
        body["k"] = max(1, min(clusters, len(body["ids"])))
    return body
