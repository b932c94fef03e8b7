"""Pacing requests to a rate: in this process, or shared by every process that uses one Redis store (`limits`)."""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import time
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    # Imported when a rate limit is made: `limits` takes a fifth of a second to import, which a client without a
    # rate limit (most of them) should not pay.
    from limits.aio.storage import Storage

__all__ = ["RateLimit", "Store", "key_for"]

Store: TypeAlias = "str | Storage"
"""Where the counts live: a URL (`redis://host:port/db`, or `memory://`), or a `limits.aio.storage.Storage`."""

# Waiters that find the window full all wake when its oldest request leaves it; a little jitter spreads them out.
_JITTER_SECONDS = 0.005


def key_for(token: str, base_url: str) -> str:
    """The key a client's requests are counted under: one per token and API, with neither written in it."""
    return "flip-async:" + hashlib.sha256(f"{base_url}\n{token}".encode()).hexdigest()[:32]


def _storage(store: Store | None) -> Storage:
    from limits.aio.storage import MemoryStorage, Storage
    from limits.storage import storage_from_string

    if store is None:
        return MemoryStorage()
    if isinstance(store, Storage):
        return store
    # redis-py's asyncio client (the `redis` extra), rather than limits' default, coredis.
    options = {"implementation": "redispy"} if store.startswith(("redis://", "rediss://", "unix://")) else {}
    storage = storage_from_string(store if store.startswith("async+") else f"async+{store}", **options)
    assert isinstance(storage, Storage)
    return storage


class RateLimit:
    """At most `per_second` requests start in any second (a moving window), counted under `key` in `store`.

    Rates below one per second become one per that many seconds; others are taken down to whole requests per second.
    Every process using the same store and key shares the rate.
    """

    def __init__(self, per_second: float, *, key: str, store: Store | None = None) -> None:
        if not (math.isfinite(per_second) and per_second > 0):
            raise ValueError(f"rate_limit must be a finite number of requests per second > 0, got {per_second!r}")
        from limits import RateLimitItemPerSecond
        from limits.aio.strategies import MovingWindowRateLimiter

        seconds = 1 if per_second >= 1 else math.ceil(1 / per_second)
        self._item = RateLimitItemPerSecond(max(1, math.floor(per_second * seconds)), seconds)
        self._limiter = MovingWindowRateLimiter(_storage(store))
        self._key = key
        self.per_second = per_second

    def __repr__(self) -> str:
        return f"RateLimit({self.per_second!r}/s)"

    async def wait(self) -> None:
        """Return once one more request may start, counting it."""
        # A loop of sleeps, not an Event: the turn comes from the clock (and, shared, from other processes).
        while wait := await self.try_acquire():  # noqa: ASYNC110
            await asyncio.sleep(wait + random.uniform(0, _JITTER_SECONDS))  # noqa: S311

    async def try_acquire(self) -> float:
        """0 when one more request may start now (it is counted); else how many seconds until one may."""
        if await self._limiter.hit(self._item, self._key):
            return 0.0
        stats = await self._limiter.get_window_stats(self._item, self._key)
        return max(stats.reset_time - time.time(), 0.001)
