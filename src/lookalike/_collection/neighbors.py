"""Neighbours of an image of the collection, or of an outside image file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lookalike import analysis, imaging
from lookalike.errors import ImageNotFound

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lookalike.collection import Collection, PathLike

__all__ = ["neighbors", "show_neighbors"]


def neighbors(
    col: Collection, image: str | None, query: PathLike | bytes | None, k: int, model: str | None
) -> analysis.Neighbors:
    """The ``k`` images nearest to ``image`` (itself excluded) or to the file ``query``."""
    emb = col.embeddings(model)
    if image is not None:
        row = col.image(image)
        exclude = emb.positions().get(row.id)
        if exclude is None:
            why = row.error or "not embedded with it, or its vector was lost (`lookalike info`)"
            raise ImageNotFound(f"Image {row.id!r} has no vector for {emb.model}: {why}")
        vector, label = emb.vectors[exclude], row.id
    else:
        vector = col.embed_file(query, emb.model)
        exclude, label = None, str(query) if not isinstance(query, bytes) else "upload"
    scores, rows = analysis.top_k(col.knn_index(emb.model), vector, k, exclude=exclude)
    hits = tuple(
        analysis.Neighbor(rank, emb.ids[r], float(s), col.image(emb.ids[r]).uri)
        for rank, (s, r) in enumerate(zip(scores, rows, strict=True), start=1)
    )
    return analysis.Neighbors(label, emb.model, hits)


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
    captions = [f"query {hits.query[-24:]}"]
    captions += [f"{h.rank}. {h.id}  {h.score:.3f}" for h in hits]
    return image_grid(pictures, captions, ncols=ncols, highlight=[0])
