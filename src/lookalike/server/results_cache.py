"""The results the web page's routers compute (duplicate pairs, maps, clusters, the list
of images), kept in a cache bounded in bytes and computed once per key.

Expensive results go through one *slot*: while one is being computed, a request for
the same key waits for it (single flight) and a request for another expensive key is
answered 503 at once, so the server never runs two big computations side by side and
no worker thread is held by a waiting request."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from fastapi.concurrency import run_in_threadpool

from lookalike.server.errors import ApiError

__all__ = ["ResultCache", "sizeof"]


def sizeof(value: Any) -> int:
    """Bytes held by ``value``: numpy arrays, strings, containers and plain objects,
    counted recursively (a good bound for the results cached here, not an exact one).

    >>> sizeof(np.zeros(1000, np.float32)) >= 4000
    True
    """
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + 112
    if isinstance(value, str | bytes):
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(sizeof(k) + sizeof(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(sizeof(v) for v in value)
    if hasattr(value, "memory_usage") and hasattr(value, "columns"):  # a DataFrame
        return int(value.memory_usage(deep=True).sum())
    if hasattr(value, "__dataclass_fields__"):
        fields = value.__dataclass_fields__
        return sys.getsizeof(value) + sum(sizeof(getattr(value, f, None)) for f in fields)
    if hasattr(value, "__dict__"):
        return sys.getsizeof(value) + sizeof(vars(value))
    return sys.getsizeof(value)


class Busy(ApiError):
    """Another expensive result is being computed: 503 with ``Retry-After``."""

    def __init__(self, what: str) -> None:
        super().__init__(
            503,
            f"The server is computing another result ({what}); retry in a few seconds.",
            {"Retry-After": "5"},
        )


class ResultCache:
    """Results keyed by their arguments and a version of the collection, at most
    ``max_bytes`` in all (least recently used first out; a result larger than the
    whole budget is answered and not kept).

    Parameters
    ----------
    max_bytes : int
        The budget, counted with :func:`sizeof`.
    """

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, asyncio.Future] = {}
        self._heavy: Hashable | None = None

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` if ``key`` is cached (and now most recent), else ``(False, None)``."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True, self._items[key][0]
        return False, None

    def put(self, key: Hashable, value: Any) -> None:
        size = sizeof(value)
        with self._lock:
            if key in self._items:
                self.bytes -= self._items.pop(key)[1]
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped

    async def get(
        self, key: Hashable, compute: Callable[[], Any], *, heavy: bool = False, what: str = ""
    ) -> Any:
        """The cached result of ``key``, else ``compute()`` run once in a worker thread
        (concurrent requests for ``key`` wait for that one run).

        ``heavy`` computations take the one slot: while another heavy key is being
        computed this raises :class:`Busy` (503) instead of starting a second one.
        """
        hit, value = self.peek(key)
        if hit:
            return value
        flight = self._flights.get(key)
        if flight is not None:
            return await asyncio.shield(flight)
        if heavy and self._heavy is not None:
            raise Busy(what or "another result")
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        if heavy:
            self._heavy = key
        try:
            value = await run_in_threadpool(compute)
        except BaseException as err:
            flight.set_exception(err)
            flight.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        else:
            self.put(key, value)
            flight.set_result(value)
            return value
        finally:
            del self._flights[key]
            if heavy:
                self._heavy = None

