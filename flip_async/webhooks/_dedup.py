"""Which webhook ids a receiver has accepted, kept for a time: the store interface and its in-memory implementation."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["MemorySeenIds", "RedisSeenIds", "SeenIds", "seen_ids"]


@runtime_checkable
class SeenIds(Protocol):
    """Where a WebhookReceiver keeps the ids of the webhooks it accepted, so that a re-delivery is not processed twice.

    A store shared by every replica of a service (Redis, say) makes that hold across replicas. An implementation must
    make `contains_or_add` atomic, and may raise when it cannot answer: the receiver then answers 503, so that Flip
    delivers the webhook again later, and the id counts as new then.
    """

    async def contains_or_add(self, webhook_id: str, ttl: float) -> bool:
        """True when `webhook_id` was added less than `ttl` seconds ago; else remember it for `ttl` seconds and return
        False. Of two concurrent calls with a new id, exactly one returns False."""
        ...


class MemorySeenIds:
    """SeenIds in this process's memory. Expired ids are dropped as new ones arrive, so it holds only the ids of the
    last `ttl` seconds, however many webhooks came before."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # Insertion order, which is expiry order as long as every call passes the same ttl (a receiver does).
        self._expiries: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        """How many ids it holds now, expired ones not yet dropped included."""
        return len(self._expiries)

    async def contains_or_add(self, webhook_id: str, ttl: float) -> bool:
        """As SeenIds.contains_or_add; atomic, as nothing in it awaits."""
        now = self._clock()
        while self._expiries:
            oldest, oldest_expiry = next(iter(self._expiries.items()))
            if oldest_expiry > now:
                break
            del self._expiries[oldest]
        expiry = self._expiries.get(webhook_id)
        if expiry is not None and expiry > now:
            return True
        self._expiries.pop(webhook_id, None)  # expired (behind a longer-lived id): re-added at the end
        self._expiries[webhook_id] = now + ttl
        return False


class RedisSeenIds:
    """SeenIds in Redis, shared by every receiver process that uses the same server and database: an id is added with
    `SET NX` and an expiry of `ttl`, which is atomic, so of all the replicas that get one webhook exactly one hands it
    to `on_event`. Needs the `redis` extra (`pip install 'flip-async[redis]'`)."""

    def __init__(self, url: str, *, prefix: str = "flip-async:webhook:") -> None:
        try:
            from redis.asyncio import Redis
        except ImportError:
            raise ImportError("a Redis dedup store needs the redis extra: pip install 'flip-async[redis]'") from None
        self._redis: Redis = Redis.from_url(url)
        self._prefix = prefix

    def __repr__(self) -> str:
        return f"RedisSeenIds(prefix={self._prefix!r})"  # the URL may hold a password

    async def contains_or_add(self, webhook_id: str, ttl: float) -> bool:
        added = await self._redis.set(self._prefix + webhook_id, b"1", nx=True, px=max(1, math.ceil(ttl * 1000)))
        return not added

    async def aclose(self) -> None:
        await self._redis.aclose()


def seen_ids(dedup: SeenIds | str | None, *, clock: Callable[[], float]) -> SeenIds:
    """The store a receiver was given: a SeenIds as is, a `redis://` URL as a RedisSeenIds, None as this process's."""
    if dedup is None:
        return MemorySeenIds(clock=clock)
    if isinstance(dedup, str):
        if not dedup.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("dedup must be a SeenIds store or a redis:// URL")
        return RedisSeenIds(dedup)
    return dedup
