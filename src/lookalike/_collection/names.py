"""What figures call images: their title from the source (catalogue, IIIF labels), else
their file name, cut cleanly to fit under a thumbnail; the id only when there is no
name (see :func:`lookalike.exports.display_name`)."""

from __future__ import annotations

from collections.abc import Iterable

from lookalike.exports import display_name, short_label
from lookalike.store import Store
from lookalike.store.lookup import find_image

__all__ = ["names"]


def names(store: Store, ids: Iterable[str], width: int = 22) -> list[str]:
    """The names of the images ``ids`` of ``store``, each at most ``width`` characters."""
    out = []
    for image_id in ids:
        row = find_image(store, image_id)
        out.append(short_label(display_name(row.uri, row.metadata, row.id), width))
    return out
