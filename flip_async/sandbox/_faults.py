"""Fault injection: seeded server errors, rate limits, latency, dropped connections and lost responses."""

from __future__ import annotations

import asyncio
import math
import random
from typing import Any

import attrs
from aiohttp import web
from aiohttp.typedefs import Handler

from flip_async.sandbox._stats import SandboxStats
from flip_async.sandbox._wire import error_response

ERROR_STATUSES = (500, 502, 503)


def _probability(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a probability between 0 and 1, got {value!r}")


def _seconds(_: object, attribute: attrs.Attribute[Any], value: float | tuple[float, float]) -> None:
    low, high = value if isinstance(value, tuple) else (value, value)
    if not (math.isfinite(low) and math.isfinite(high) and 0 <= low <= high):
        raise ValueError(f"{attribute.name} must be seconds >= 0 (or a (low, high) range of them), got {value!r}")


def _operation_set(value: Any) -> frozenset[str] | None:
    return None if value is None else frozenset([value] if isinstance(value, str) else value)


@attrs.frozen(kw_only=True)
class Faults:
    """What goes wrong, and how often, in a sandbox; every draw comes from one `random.Random(seed)`.

    Each request to an operation in `operations` (default: all) independently meets, in this order: `latency` (seconds,
    fixed or drawn uniformly from a (low, high) range); a dropped connection before any work (`drop_rate`); a 500,
    502 or 503 (`error_rate`); a 429 with `Retry-After: retry_after` (`rate_limit_rate`); and, after the work is done,
    a lost response (`lost_response_rate`: the connection is closed instead of answering, so a retried commission
    meets a 409).
    """

    seed: int = 0
    error_rate: float = attrs.field(default=0.0, validator=_probability)
    rate_limit_rate: float = attrs.field(default=0.0, validator=_probability)
    retry_after: float = attrs.field(default=1.0, validator=_seconds)
    latency: float | tuple[float, float] = attrs.field(default=0.0, validator=_seconds)
    drop_rate: float = attrs.field(default=0.0, validator=_probability)
    lost_response_rate: float = attrs.field(default=0.0, validator=_probability)
    operations: frozenset[str] | None = attrs.field(default=None, converter=_operation_set)
    """operationIds the faults apply to; None for every operation."""

    def applies_to(self, operation_id: str) -> bool:
        return self.operations is None or operation_id in self.operations


class FaultInjector:
    """The aiohttp middleware that carries out one sandbox's Faults, counting each fault in the stats."""

    def __init__(self, faults: Faults, stats: SandboxStats) -> None:
        self.faults = faults
        self._stats = stats
        # Reproducible by design, so never a secret: S311 does not apply.
        self._random = random.Random(faults.seed)  # noqa: S311

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        operation_id = request.match_info.route.name
        if operation_id is None or not self.faults.applies_to(operation_id):
            return await handler(request)
        faults = self.faults
        delay = self._delay()
        if delay > 0:
            self._stats.faults["latency"] += 1
            await asyncio.sleep(delay)
        if self._happens(faults.drop_rate):
            self._stats.faults["drop"] += 1
            return _drop(request)
        if self._happens(faults.error_rate):
            self._stats.faults["error"] += 1
            status = self._random.choice(ERROR_STATUSES)
            return error_response(status, f"injected {status} (sandbox fault injection)")
        if self._happens(faults.rate_limit_rate):
            self._stats.faults["rate_limit"] += 1
            headers = {"Retry-After": f"{faults.retry_after:g}"}
            return error_response(429, "too many requests (sandbox fault injection)", headers)
        response = await handler(request)
        if self._happens(faults.lost_response_rate):
            self._stats.faults["lost_response"] += 1
            return _drop(request)
        return response

    def _delay(self) -> float:
        latency = self.faults.latency
        return self._random.uniform(*latency) if isinstance(latency, tuple) else latency

    def _happens(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer; the response returned is never written (aiohttp sees a reset)."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)
