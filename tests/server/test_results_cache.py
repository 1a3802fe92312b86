"""The result cache: bounded in bytes, one computation per key (single flight), one
expensive computation at a time (503 for another), and the slots that bound uploads."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from lookalike.server.errors import ApiError
from lookalike.server.results_cache import ResultCache, sizeof
from lookalike.server.slots import Slots


def test_the_cache_is_bounded_in_bytes_not_entries():
    cache = ResultCache(max_bytes=10_000_000)
    for i in range(5):  # 4 MB each: two fit
        cache.put(i, np.zeros(1_000_000, np.float32))
    assert cache.bytes <= 10_000_000
    assert [cache.peek(i)[0] for i in range(5)] == [False, False, False, True, True]
    cache.put("huge", np.zeros(3_000_000, np.float32))  # bigger than the budget: not kept
    assert not cache.peek("huge")[0] and cache.peek(4)[0]
    assert sizeof({"a": np.zeros(10, np.float64), "b": ["xyz"] * 3}) > 80


def test_single_flight_and_one_heavy_computation_at_a_time():
    cache = ResultCache()
    calls = []
    release = threading.Event()

    def slow():
        calls.append(1)
        release.wait(10)
        return "map"

    async def scenario():
        first = asyncio.create_task(cache.get("map", slow, heavy=True, what="the map"))
        second = asyncio.create_task(cache.get("map", slow, heavy=True, what="the map"))
        await asyncio.sleep(0.2)
        with pytest.raises(ApiError) as busy:
            await cache.get("clusters", slow, heavy=True, what="10 clusters")
        assert busy.value.status == 503 and busy.value.headers == {"Retry-After": "5"}
        assert "computing another result (10 clusters)" in busy.value.description
        release.set()
        assert await first == await second == "map"
        assert await cache.get("map", slow, heavy=True) == "map"  # cached now
        assert await cache.get("clusters", lambda: "done", heavy=True) == "done"

    asyncio.run(scenario())
    assert len(calls) == 1


def test_a_failed_computation_is_not_cached_and_frees_the_slot():
    cache = ResultCache()

    def broken():
        raise ValueError("k=40 should be <= n_images=9.")

    async def scenario():
        with pytest.raises(ValueError, match="n_images"):
            await cache.get("clusters", broken, heavy=True)
        assert await cache.get("clusters", lambda: 1, heavy=True) == 1

    asyncio.run(scenario())


def test_slots_make_the_others_wait_then_503():
    slots = Slots(1)

    async def scenario():
        async with slots.hold():
            started = time.monotonic()
            with pytest.raises(ApiError) as busy:
                async with slots.hold(timeout=0.2, busy="Too many uploads."):
                    pass
            assert busy.value.status == 503 and busy.value.description == "Too many uploads."
            assert time.monotonic() - started >= 0.2
        async with slots.hold(timeout=0.2):  # free again
            pass

    asyncio.run(scenario())
