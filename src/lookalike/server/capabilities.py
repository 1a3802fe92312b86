"""What this lookalike can do, for the web page and the JSON routers that need a
Collection method from another part of the toolkit (duplicates, paths, graphs,
clusters, maps): a router whose method is missing answers 404 saying so, and the page
leaves its link out. And a small cache of the results those routers compute.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Depends

from lookalike.collection import Collection
from lookalike.server.errors import ApiError

__all__ = ["CAPABILITIES", "ResultCache", "available", "collection_version", "requires"]

# capability -> the Collection method it needs
CAPABILITIES = {
    "duplicates": "duplicates",
    "path": "path",
    "graph": "graph",
    "clusters": "clusters",
    "map": "map",
}


def available() -> dict[str, bool]:
    """``{capability: True if this Collection has its method}``."""
    return {name: callable(getattr(Collection, m, None)) for name, m in CAPABILITIES.items()}


def requires(capability: str):
    """A router dependency: 404 (in the one error shape) when ``capability`` is missing."""

    async def check() -> None:
        if not available()[capability]:
            raise ApiError(404, f"This version of lookalike has no {capability} feature.")

    return Depends(check)


class ResultCache:
    """The last ``maxsize`` results of expensive calls, keyed by their arguments and by
    a version of the collection (so new vectors are never answered with old results).
    Thread-safe; a result is computed outside the lock."""

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value


def collection_version(col: Collection) -> tuple:
    """Changes when images are indexed: counts and models of the catalog."""
    catalog = col._store.catalog
    counts = catalog.counts()
    runs = catalog.runs()
    last = (runs[-1].get("id"), runs[-1].get("status")) if runs else None
    return (counts.get("ok", 0), counts.get("error", 0), tuple(col.models), len(runs), last)
