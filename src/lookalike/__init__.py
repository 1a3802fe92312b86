"""lookalike: find, map and connect visually similar images in a collection.

::

    import lookalike
    col = lookalike.open("my-col")
    col.neighbors("IMAGE_ID", k=9)

(A literal block, not a doctest: it needs a collection, and a doctest that is always
skipped tests nothing.)
"""

from lookalike.analysis import graph_stats
from lookalike.collection import Collection, CollectionInfo, create, open
from lookalike.errors import (
    CollectionNotFound,
    ImageDecodeError,
    ImageNotFound,
    IndexNotBuilt,
    LookalikeError,
    ModelUnavailable,
    NoPath,
)
from lookalike.models import DEFAULT_MODEL, list_models

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MODEL",
    "Collection",
    "CollectionInfo",
    "CollectionNotFound",
    "ImageDecodeError",
    "ImageNotFound",
    "IndexNotBuilt",
    "LookalikeError",
    "ModelUnavailable",
    "NoPath",
    "create",
    "graph_stats",
    "list_models",
    "open",
]
