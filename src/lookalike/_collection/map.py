"""The 2-D map of a collection (``Collection.map``), computed once per model and method
and saved with it (see :class:`lookalike.store.SavedResults`), and its figure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from lookalike import analysis
from lookalike._collection.rows import vector_row
from lookalike.search import KnnIndex
from lookalike.store import Embeddings, SavedResults, Store
from lookalike.store.lookup import find_image

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["map", "show_map"]


def map(  # named after Collection.map: shadows the builtin in this module only
    saved: SavedResults, emb: Embeddings, method: str, random_state: int | None
) -> analysis.Projection:
    """2-D coordinates of every image (see :func:`lookalike.analysis.map_coords`)."""
    seed = random_state
    arrays = saved.arrays(
        emb,
        f"map-{method}-seed{random_state}",
        lambda: {"coords": analysis.map_coords(emb.vectors, method=method, random_state=seed)},
        f"computing the {method.upper()} map of {len(emb.ids)} images"
        + (" (UMAP compiles its code first: about 30 s)" if method == "umap" else ""),
    )
    return analysis.Projection(arrays["coords"], method, emb.model, emb.ids)


def show_map(
    store: Store,
    thumbnail: Callable[[str, int], Image.Image],
    proj: analysis.Projection,
    emb: Embeddings,
    labels: np.ndarray | None,
    highlight: str | None,
    index: KnnIndex | None,
    neighbors: int,
    atlas: bool,
    cells: int | None,
    spread: bool,
    name: str,
) -> Figure:
    """The map ``proj`` of the vectors ``emb`` (see :func:`lookalike.figures.map_figure`)
    of the collection ``name``, coloured by cluster ``labels`` if given, ``highlight`` and
    its ``neighbors`` nearest images (searched in ``index``) marked."""
    from lookalike.figures import map_figure

    hl = None if highlight is None else vector_row(emb, find_image(store, highlight))
    near = []
    if hl is not None and neighbors:
        near = analysis.top_k(index, emb.vectors[hl], neighbors, exclude=hl)[1]
    return map_figure(
        proj,
        lambda image: thumbnail(image, 128),
        atlas=atlas,
        cells=cells,
        spread=spread,
        labels=labels,
        highlight=hl,
        neighbors=[int(r) for r in near],
        title=f"{name}: {proj.method.upper()} of {len(proj)} images ({emb.model})",
    )
