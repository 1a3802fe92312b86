"""Finding an image of a collection by id, by path, or by a unique prefix of its id."""

from __future__ import annotations

import os

from lookalike._uris import display, is_remote, path_uri, record_uri
from lookalike.errors import ImageNotFound
from lookalike.store._store import Store
from lookalike.store.catalog import ImageRow

__all__ = ["find_image"]


def find_image(store: Store, key: str | os.PathLike) -> ImageRow:
    """The catalog row of the image whose id or path is ``key``, or whose id is the only
    one to start with ``key`` (4 characters or more).

    Raises
    ------
    ImageNotFound
    """
    catalog = store.catalog
    key = os.fsdecode(key)
    uri = key if is_remote(key) else path_uri(key)  # any file name (see lookalike._uris)
    is_text = record_uri(key) == key  # ids are text; a path may hold any bytes
    row = (catalog.image(key) if is_text else None) or catalog.image_by_uri(uri)
    if row is None and is_text and len(key) >= 4:
        matches = catalog.ids_with_prefix(key)
        row = catalog.image(matches[0]) if len(matches) == 1 else None
    if row is None:
        raise ImageNotFound(
            f"No image '{display(key)}' in the collection at '{display(str(store.path))}'."
        )
    return row
