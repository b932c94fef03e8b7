"""How fast a bulk run may send: fewer requests in flight and fewer a second at each 429, more again while Flip
answers (AIMD)."""

from __future__ import annotations

import asyncio
import collections
import math
import random

__all__ = ["AdaptiveConcurrency"]

_RATE_GAIN = 4.0
"""Requests a second the rate gains per second of answers without a 429: the additive half of AIMD. Measured with
four processes sharing a sandbox limited to 200 a second (bench/multiprocess.py): 1.0 recovered too slowly (half the
limit used), 4.0 used three fifths of it with one request in twenty answered 429."""


class AdaptiveConcurrency:
    """How many requests may be in flight, and once Flip has throttled, how many may start a second.

    A 429 pauses new requests for its Retry-After (and up to a quarter more, so that processes told the same do not
    all come back at once), halves the concurrency, and halves the rate: the rate the run was sending at when it is
    the first, else the rate it had reached. Each answer without a 429 raises them back additively: the concurrency by
    one per window of answers, the rate by _RATE_GAIN requests a second per second, until the next 429 (AIMD, as TCP
    does). Concurrency alone cannot slow a run down where answers come in a millisecond; the rate can. So several
    processes sharing one token settle below Flip's limit without anyone tuning them. Several 429s of one moment
    (many requests in flight meet the limit together) count once: halving is done at most once a second.
    """

    def __init__(self, ceiling: int) -> None:
        self._ceiling = ceiling
        self._limit = float(ceiling)
        self._in_flight = 0
        self._paused_until = 0.0
        self._decreased_at = -math.inf
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self._rate: float | None = None  # requests a second, once a 429 has said how fast is too fast
        self._next_start = 0.0
        self._starts: collections.deque[float] = collections.deque()  # the last second's, to know the rate sent at

    def __repr__(self) -> str:
        rate = "unlimited" if self._rate is None else f"{self._rate:.1f}/s"
        return (
            f"AdaptiveConcurrency(limit={self._limit:.1f}, ceiling={self._ceiling}, rate={rate}, "
            f"in_flight={self._in_flight})"
        )

    @property
    def limit(self) -> float:
        """How many requests may be in flight now (its whole part)."""
        return self._limit

    @property
    def rate(self) -> float | None:
        """How many requests may start a second now; None until Flip has throttled the run."""
        return self._rate

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if (pause := self._paused_until - loop.time()) > 0:
                await asyncio.sleep(pause)
            elif self._in_flight < int(self._limit):
                self._in_flight += 1
                break
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
        try:
            await self._pace(loop)
        except asyncio.CancelledError:  # the slot was taken but the request never starts
            self._in_flight -= 1
            self._wake()
            raise

    async def __aexit__(self, *_: object) -> None:
        self._in_flight -= 1
        if asyncio.get_running_loop().time() >= self._paused_until:  # an answer while Flip is not throttling
            self._limit = min(float(self._ceiling), self._limit + 1 / self._limit)
            if self._rate is not None:
                self._rate += _RATE_GAIN / self._rate  # so many answers a second: that much more a second
        self._wake()

    def throttled(self, retry_after: float) -> None:
        """A 429: pause new requests for `retry_after` seconds, and halve the concurrency and the rate."""
        now = asyncio.get_running_loop().time()
        pause = retry_after + min(retry_after / 4, 1.0) * random.random()  # noqa: S311 - jitter, not a secret
        self._paused_until = max(self._paused_until, now + pause)
        if now - self._decreased_at >= 1.0:
            self._decreased_at = now
            self._limit = max(1.0, self._limit / 2)
            sent = self._rate if self._rate is not None else self._recent_rate(now)
            self._rate = max(1.0, sent / 2)

    async def _pace(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wait for this request's turn at the current rate, if Flip has ever throttled the run."""
        now = loop.time()
        if self._rate is not None:
            start = max(now, self._next_start)
            self._next_start = start + 1 / self._rate
            if start > now:
                await asyncio.sleep(start - now)
                now = start
        self._starts.append(now)
        while self._starts and now - self._starts[0] > 1.0:
            self._starts.popleft()

    def _recent_rate(self, now: float) -> float:
        """Requests started in the last second."""
        return float(sum(1 for start in self._starts if now - start <= 1.0))

    def _wake(self) -> None:
        free = int(self._limit) - self._in_flight
        while free > 0 and self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1
