"""The sandbox's own rate limit: past so many requests a second, a 429 with Retry-After, as a limited API answers."""

from __future__ import annotations

import math

from aiohttp import web
from aiohttp.typedefs import Handler

from flip_async._rate_limit import RateLimit
from flip_async.sandbox._stats import SandboxStats
from flip_async.sandbox._wire import error_response

__all__ = ["RequestLimit"]


class RequestLimit:
    """At most `per_second` of Flip's operations a second, counted for the client token: the sandbox has one, and
    the site tokens it issues count for it too, as they would at Flip. The control surface is not limited."""

    def __init__(self, per_second: float, stats: SandboxStats) -> None:
        self.per_second = per_second
        self._allowance = RateLimit(per_second, key="sandbox-client")
        self._stats = stats

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.match_info.route.name is None:  # not one of Flip's operations
            return await handler(request)
        wait = await self._allowance.try_acquire()
        if not wait:
            return await handler(request)
        self._stats.rate_limited += 1
        # Whole seconds, as Flip's Retry-After would be: never 0, which would invite an immediate retry.
        return error_response(429, "Too Many Requests", {"Retry-After": str(max(1, math.ceil(wait)))})
