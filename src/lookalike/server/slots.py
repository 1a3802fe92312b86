"""A bounded number of concurrent slots for expensive work (rendering pictures,
embedding uploads), awaited on the event loop so that waiting requests hold no worker
thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from lookalike.server.errors import ApiError

__all__ = ["Slots"]


class Slots:
    """At most ``n`` holders at once.

    The semaphore is made on the running event loop (an app may be driven by several
    loops one after the other, as test clients do)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sem: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._sem is None or self._loop is not loop:
            self._loop, self._sem = loop, asyncio.Semaphore(self.n)
        return self._sem

    @asynccontextmanager
    async def hold(self, *, timeout: float | None = None, busy: str = "") -> AsyncIterator[None]:
        """Wait for a slot (at most ``timeout`` seconds, then 503 saying ``busy``)."""
        sem = self._semaphore()
        try:
            await asyncio.wait_for(sem.acquire(), timeout)
        except TimeoutError:
            raise ApiError(
                503, busy or "The server is busy; retry in a few seconds.", {"Retry-After": "5"}
            ) from None
        try:
            yield
        finally:
            sem.release()
