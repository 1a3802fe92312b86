"""A small cache of the results the web page's routers compute (duplicates, maps, the
list of images), keyed by a version of the collection."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from lookalike.collection import Collection

__all__ = ["ResultCache", "collection_version"]


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
