"""lookalike: find, map and connect visually similar images in a collection.

::

    import lookalike
    col = lookalike.open("my-col")
    col.neighbors("IMAGE_ID", k=9)

(A literal block, not a doctest: it needs a collection, and a doctest that is always
skipped tests nothing.)
"""

from typing import Any

from lookalike.analysis import DEFAULT_THRESHOLD, Duplicates, graph_stats
from lookalike.collection import Collection, CollectionInfo, create, open, remote_graph
from lookalike.errors import (
    CollectionNotFound,
    ImageDecodeError,
    ImageNotFound,
    IndexNotBuilt,
    LookalikeError,
    ModelUnavailable,
    NoPath,
)
from lookalike.imaging import decode as decode_image
from lookalike.models import DEFAULT_MODEL, list_models
from lookalike.store import ImageRow
from lookalike.store.graph_files import read_graph, write_graph

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_THRESHOLD",
    "Collection",
    "CollectionInfo",
    "CollectionNotFound",
    "Duplicates",
    "ImageDecodeError",
    "ImageNotFound",
    "ImageRow",
    "IndexNotBuilt",
    "LookalikeError",
    "ModelUnavailable",
    "NoPath",
    "create",
    "decode_image",
    "draw_graph",
    "export_onnx",
    "graph_stats",
    "list_models",
    "open",
    "read_graph",
    "remote_graph",
    "thumbnails_from_paths",
    "write_graph",
]

# Names whose modules are slow to import (matplotlib, torch): imported on first use.
_LAZY = {
    "draw_graph": "lookalike.figures.graph",
    "thumbnails_from_paths": "lookalike.figures.graph",
    "export_onnx": "lookalike.models.onnx",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'lookalike' has no attribute {name!r}")
