"""When to retry and how long to wait: the retryable statuses, backoff with jitter, and the server's Retry-After."""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Final

import attrs

from flip_async._headers import frozen

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "retry_after_seconds"]

# 409 is deliberately absent: commissioning is not idempotent on the wire, and a repeat must surface as a conflict.
RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How long to wait before each retry: capped exponential backoff with full jitter, or the server's own hint."""

    initial_delay: float = attrs.field(default=0.5, validator=_non_negative)
    factor: float = attrs.field(default=2.0, validator=_non_negative)
    max_delay: float = attrs.field(default=8.0, validator=_non_negative)
    # A server may ask for any wait; past this cap we retry anyway rather than park a fleet run for an hour.
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative)
    jitter: bool = True

    @classmethod
    def immediate(cls) -> RetryPolicy:
        """No waiting at all, even when the server asks for it: for tests."""
        return cls(initial_delay=0.0, max_delay=0.0, max_retry_after=0.0)

    def backoff(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """The delay before the `retry`-th retry (1-based), drawn uniformly below the exponential ceiling."""
        ceiling = min(self.max_delay, self.initial_delay * self.factor ** max(retry - 1, 0))
        # Full jitter: many clients failing together spread out instead of retrying in lockstep.
        return ceiling * rand() if self.jitter else ceiling

    def delay(self, retry: int, headers: Mapping[str, str] | None = None) -> float:
        """The server's Retry-After hint (capped) when it gave a usable one, else the backoff."""
        hinted = retry_after_seconds(headers) if headers is not None else None
        if hinted is not None:
            return min(hinted, self.max_retry_after)
        return self.backoff(retry)


def retry_after_seconds(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait per `retry-after-ms` (float ms) or `Retry-After` (seconds or HTTP-date); None if absent/bad."""
    headers = frozen(headers)
    millis = _finite_float(headers.get("retry-after-ms"))
    if millis is not None and millis >= 0:
        return millis / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _finite_float(value)
    if seconds is not None:
        return seconds if seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now())


def _finite_float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None
