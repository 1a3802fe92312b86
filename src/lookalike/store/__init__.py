"""Store: the collection directory (SQLite catalog + memory-mapped vectors + thumbnails)."""

from lookalike.store._store import Damage, Embeddings, Store
from lookalike.store.catalog import Catalog, ImageRow
from lookalike.store.labels import LabelledPair, LabelStore, read_labels_csv
from lookalike.store.lookup import find_image
from lookalike.store.moves import move_images
from lookalike.store.results import (
    ResultFiles,
    SavedResults,
    fingerprint,
    load_arrays,
    save_arrays,
)
from lookalike.store.thumbs import ThumbnailCache

__all__ = [
    "Catalog",
    "Damage",
    "Embeddings",
    "ImageRow",
    "LabelStore",
    "LabelledPair",
    "ResultFiles",
    "SavedResults",
    "Store",
    "ThumbnailCache",
    "find_image",
    "fingerprint",
    "load_arrays",
    "move_images",
    "read_labels_csv",
    "save_arrays",
]
