"""Neighbours of an image of the collection, or of an outside image file."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from lookalike import analysis, imaging
from lookalike._collection.duplicates import copy_kind
from lookalike._collection.names import names
from lookalike._uris import display
from lookalike.errors import ImageNotFound
from lookalike.exports import file_name, short_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lookalike.collection import Collection, PathLike

__all__ = ["neighbors", "show_neighbors"]


def neighbors(
    col: Collection, image: str | None, query: PathLike | bytes | None, k: int, model: str | None
) -> analysis.Neighbors:
    """The ``k`` images nearest to ``image`` (itself excluded) or to the file ``query``;
    hits that are exact copies of it (same file, or for ``image`` same pixels) are
    marked."""
    emb = col.embeddings(model)
    row = None
    if image is not None:
        row = col.image(image)
        exclude = emb.positions().get(row.id)
        if exclude is None:
            why = row.error or "not embedded with it, or its vector was lost (`lookalike info`)"
            raise ImageNotFound(f"Image {row.id!r} has no vector for {emb.model}: {why}")
        vector, label = emb.vectors[exclude], row.id
    else:
        vector = col.embed_file(query, emb.model)
        exclude = None
        label = display(os.fsdecode(query)) if not isinstance(query, bytes) else "upload"
        data = query if isinstance(query, bytes) else Path(query).read_bytes()
        row = SimpleNamespace(content_hash=imaging.content_hash(data), pixel_hash=None)
    scores, rows = analysis.top_k(col.knn_index(emb.model), vector, k, exclude=exclude)
    hits = []
    for rank, (s, r) in enumerate(zip(scores, rows, strict=True), start=1):
        hit = col.image(emb.ids[r])
        score = min(1.0, max(-1.0, float(s)))  # float32 gives 1.0000001 for a copy
        hits.append(analysis.Neighbor(rank, hit.id, score, hit.uri, copy_kind(row, hit)))
    query_uri = row.uri if image is not None else label
    return analysis.Neighbors(label, emb.model, tuple(hits), query_uri=query_uri)


def show_neighbors(
    col: Collection,
    image: str | None,
    query: PathLike | None,
    k: int,
    model: str | None,
    ncols: int,
) -> Figure:
    """The query (``image`` or the file ``query``) framed, then its neighbours."""
    from lookalike.figures import image_grid

    hits = col.neighbors(image, query=query, k=k, model=model)
    if image is not None:
        first = col.thumbnail(image)
    else:
        first = imaging.thumbnail(imaging.decode(query).image, 256)
    pictures = [first] + [col.thumbnail(h.id) for h in hits]
    if image is not None:
        query_name = names(col, [image])[0]
    else:
        query_name = short_label(file_name(str(query)) or "upload", 22)
    captions = [f"query\n{query_name}"]
    captions += [
        f"{h.rank}. {name}\n{h.score:.3f}" + (f" (exact copy: same {h.copy})" if h.copy else "")
        for h, name in zip(hits, names(col, hits.ids), strict=True)
    ]
    title = f"The {len(hits)} images most similar to {query_name} ({hits.model})"
    return image_grid(pictures, captions, ncols=ncols, highlight=[0], title=title)
