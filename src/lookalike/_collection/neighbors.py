"""Neighbours of an image of the collection, or of an outside image file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from lookalike import analysis, imaging
from lookalike._collection.names import names
from lookalike._collection.rows import vector_row
from lookalike._uris import display
from lookalike.errors import ImageNotFound
from lookalike.exports import file_name, short_label
from lookalike.search import KnnIndex
from lookalike.store import Embeddings, Store
from lookalike.store.catalog import copy_kind
from lookalike.store.lookup import find_image

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PIL import Image

    from lookalike.collection import PathLike

__all__ = ["neighbors", "show_neighbors"]


def neighbors(
    store: Store,
    emb: Embeddings,
    index: KnnIndex,
    image: str | None,
    query: PathLike | bytes | None,
    vector: np.ndarray | None,
    k: int,
) -> analysis.Neighbors:
    """The ``k`` images nearest to ``image`` (itself excluded) or to the file ``query``
    (whose vector is ``vector``), searched in ``index`` over ``emb``; hits that are exact
    copies of it (same file, or for ``image`` same pixels) are marked."""
    if image is not None:
        row = find_image(store, image)
        exclude = vector_row(emb, row)
        vector, label = emb.vectors[exclude], row.id
    else:
        exclude = None
        label = display(os.fsdecode(query)) if not isinstance(query, bytes) else "upload"
        data = query if isinstance(query, bytes) else Path(query).read_bytes()
        row = SimpleNamespace(content_hash=imaging.content_hash(data), pixel_hash=None)
    scores, rows = analysis.top_k(index, vector, k, exclude=exclude)
    hits = []
    for rank, (s, r) in enumerate(zip(scores, rows, strict=True), start=1):
        hit = find_image(store, emb.ids[r])
        score = min(1.0, max(-1.0, float(s)))  # float32 gives 1.0000001 for a copy
        hits.append(analysis.Neighbor(rank, hit.id, score, hit.uri, copy_kind(row, hit)))
    query_uri = row.uri if image is not None else label
    return analysis.Neighbors(label, emb.model, tuple(hits), query_uri=query_uri)


def show_neighbors(
    store: Store,
    thumbnail: Callable[[str], Image.Image],
    hits: analysis.Neighbors,
    image: str | None,
    query: PathLike | None,
    ncols: int,
) -> Figure:
    """The query (``image`` or the file ``query``) framed, then its neighbours ``hits``.
    With neither, the query is the collection image ``hits`` are the neighbours of."""
    from lookalike.figures import image_grid

    if image is None and query is None:
        try:
            image = find_image(store, hits.query).id
        except ImageNotFound:
            raise ValueError(
                f"{hits.query!r} is not an image of the collection: give query=, the file "
                "these are the neighbours of."
            ) from None
    if image is not None:
        first = thumbnail(image)
        query_name = names(store, [image])[0]
    else:
        first = imaging.thumbnail(imaging.decode(query).image, 256)
        query_name = short_label(file_name(str(query)) or "upload", 22)
    pictures = [first] + [thumbnail(h.id) for h in hits]
    captions = [f"query\n{query_name}"]
    captions += [
        f"{h.rank}. {name}\n{h.score:.3f}" + (f" (exact copy: same {h.copy})" if h.copy else "")
        for h, name in zip(hits, names(store, hits.ids), strict=True)
    ]
    title = f"The {len(hits)} images most similar to {query_name} ({hits.model})"
    return image_grid(pictures, captions, ncols=ncols, highlight=[0], title=title)
