"""How many requests a bulk run may have in flight: fewer at each 429, more again while Flip answers (AIMD)."""

from __future__ import annotations

import asyncio
import collections
import math

__all__ = ["AdaptiveConcurrency"]


class AdaptiveConcurrency:
    """How many requests may be in flight: halved at a 429 (new requests wait out its Retry-After), raised back by
    one per window of answers without one, up to `ceiling` (AIMD, as TCP does). So several processes sharing one
    token settle below Flip's limit without anyone tuning them."""

    def __init__(self, ceiling: int) -> None:
        self._ceiling = ceiling
        self._limit = float(ceiling)
        self._in_flight = 0
        self._paused_until = 0.0
        self._decreased_at = -math.inf
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    def __repr__(self) -> str:
        return f"AdaptiveConcurrency(limit={self._limit:.1f}, ceiling={self._ceiling}, in_flight={self._in_flight})"

    @property
    def limit(self) -> float:
        """How many requests may be in flight now (its whole part)."""
        return self._limit

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if (pause := self._paused_until - loop.time()) > 0:
                await asyncio.sleep(pause)
            elif self._in_flight < int(self._limit):
                self._in_flight += 1
                return
            else:
                waiter = loop.create_future()
                self._waiting.append(waiter)
                try:
                    await waiter
                except asyncio.CancelledError:
                    if waiter.cancelled():
                        self._waiting.remove(waiter)
                    else:  # woken, then cancelled before it could go: the wake-up passes to the next in line
                        self._wake()
                    raise

    async def __aexit__(self, *_: object) -> None:
        self._in_flight -= 1
        if asyncio.get_running_loop().time() >= self._paused_until:  # an answer while Flip is not throttling
            self._limit = min(float(self._ceiling), self._limit + 1 / self._limit)
        self._wake()

    def throttled(self, retry_after: float) -> None:
        """A 429: pause new requests for `retry_after` seconds, and halve the limit (once per second of 429s)."""
        now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, now + retry_after)
        if now - self._decreased_at >= 1.0:
            self._decreased_at = now
            self._limit = max(1.0, self._limit / 2)

    def _wake(self) -> None:
        free = int(self._limit) - self._in_flight
        while free > 0 and self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1
