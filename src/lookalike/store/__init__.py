"""Store: the collection directory (SQLite catalog + memory-mapped vectors + thumbnails)."""

from lookalike.store._store import Embeddings, Store
from lookalike.store.catalog import Catalog, ImageRow
from lookalike.store.indexing import IndexReport, index_records
from lookalike.store.results import ResultFiles, fingerprint
from lookalike.store.thumbs import ThumbnailCache

__all__ = [
    "Catalog",
    "Embeddings",
    "ImageRow",
    "IndexReport",
    "ResultFiles",
    "Store",
    "ThumbnailCache",
    "fingerprint",
    "index_records",
]
