"""An aiohttp.web endpoint for Flip webhooks: verify, parse, drop re-deliveries, acknowledge, process in background."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web

from flip_async.webhooks._events import WebhookEvent, WebhookPayloadError, parse_event
from flip_async.webhooks._signature import DEFAULT_TOLERANCE, ID_HEADER, WebhookVerificationError, WebhookVerifier

__all__ = ["DEFAULT_MAX_BODY_SIZE", "DEFAULT_PATH", "OnEvent", "WebhookReceiver", "webhook_app"]

logger = logging.getLogger("flip_async.webhooks")

DEFAULT_PATH = "/webhooks/flip"
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
DEFAULT_DEDUPE_SIZE = 10_000
_CHUNK_SIZE = 64 * 1024

OnEvent = Callable[[WebhookEvent], Awaitable[None]]


class WebhookReceiver:
    """Receives Flip webhooks in an aiohttp.web app: route `handle`, and `await drain()` before shutting down.

    Each delivery is answered at once (Flip allows 5 seconds): 204 when accepted or already seen, 401 when it fails
    verification, 400 when it is no webhook envelope, 413 when the body is over `max_body_size` bytes. An accepted
    event is then passed to `on_event` in a background task; an exception there is logged, never raised.
    """

    def __init__(
        self,
        secret: str,
        on_event: OnEvent,
        *,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        dedupe_size: int = DEFAULT_DEDUPE_SIZE,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_body_size < 1:
            raise ValueError(f"max_body_size must be at least 1 byte, got {max_body_size!r}")
        self._verifier = WebhookVerifier(secret, tolerance=tolerance, clock=clock)
        self._on_event = on_event
        self._seen = _RecentIds(dedupe_size)
        self._max_body_size = max_body_size
        # The event loop keeps only weak references to tasks: without these, a running callback could vanish.
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp.web handler for Flip's POSTs."""
        body = await _read_at_most(request, self._max_body_size)
        if body is None:
            return _refuse(413, f"the body is larger than {self._max_body_size} bytes", request)
        try:
            self._verifier.verify(request.headers, body)
        except WebhookVerificationError as exc:
            return _refuse(401, str(exc), request)
        webhook_id = request.headers[ID_HEADER]
        if webhook_id in self._seen:
            logger.debug("Webhook %s was delivered again; acknowledged without processing it twice", webhook_id)
            return web.Response(status=204)
        try:
            event = parse_event(body, webhook_id=webhook_id)
        except WebhookPayloadError as exc:
            return _refuse(400, str(exc), request)
        # Remembered only once verified and parsed: a delivery refused above may be retried and must then count.
        self._seen.add(webhook_id)
        if event.problems:
            logger.warning(
                "Webhook %s (%s) does not fit the SDK's model; on_event gets the raw object. %s",
                webhook_id,
                event.type,
                "; ".join(map(str, event.problems)),
            )
        self._start(event)
        return web.Response(status=204)

    async def drain(self) -> None:
        """Wait until every on_event call started so far, and any started meanwhile, has finished."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    def _start(self, event: WebhookEvent) -> None:
        task = asyncio.create_task(self._process(event), name=f"flip-webhook-{event.webhook_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, event: WebhookEvent) -> None:
        try:
            await self._on_event(event)
        except Exception:
            # One bad event must not stop the receiver; Flip already has its 204, so logging is all that is left.
            logger.exception("on_event failed for webhook %s (%s)", event.webhook_id, event.type)


def webhook_app(
    secret: str,
    on_event: OnEvent,
    *,
    path: str = DEFAULT_PATH,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    dedupe_size: int = DEFAULT_DEDUPE_SIZE,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> web.Application:
    """An aiohttp.web app that receives Flip webhooks at `path` and finishes pending on_event calls on cleanup."""
    receiver = WebhookReceiver(
        secret, on_event, tolerance=tolerance, dedupe_size=dedupe_size, max_body_size=max_body_size
    )

    async def drain(_: web.Application) -> None:
        await receiver.drain()

    app = web.Application()
    app.router.add_post(path, receiver.handle)
    app.on_cleanup.append(drain)
    return app


class _RecentIds:
    """The most recently accepted webhook ids, at most `size` of them (the oldest is forgotten first)."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"dedupe_size must be >= 0, got {size!r}")
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, webhook_id: str) -> bool:
        return webhook_id in self._ids

    def add(self, webhook_id: str) -> None:
        self._ids[webhook_id] = None
        while len(self._ids) > self._size:
            self._ids.popitem(last=False)


async def _read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to be over `limit` bytes (the rest is never buffered)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(_CHUNK_SIZE):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _refuse(status: int, reason: str, request: web.Request) -> web.Response:
    logger.warning("Refused a webhook from %s with %d: %s", request.remote, status, reason)
    return web.Response(status=status, text=reason)
