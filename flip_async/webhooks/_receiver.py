"""An aiohttp.web endpoint for Flip webhooks: verify, parse, drop re-deliveries, acknowledge, process in background."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web

from flip_async.webhooks._dedup import RedisSeenIds, SeenIds, seen_ids
from flip_async.webhooks._events import WebhookEvent, WebhookPayloadError, parse_event
from flip_async.webhooks._signature import DEFAULT_TOLERANCE, ID_HEADER, WebhookVerificationError, WebhookVerifier

__all__ = [
    "DEFAULT_CALLBACK_TIMEOUT",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_PENDING",
    "DEFAULT_PATH",
    "RETRY_AFTER_SECONDS",
    "OnEvent",
    "WebhookReceiver",
    "webhook_app",
]

logger = logging.getLogger("flip_async.webhooks")

DEFAULT_PATH = "/webhooks/flip"
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
DEFAULT_CALLBACK_TIMEOUT = 30.0
DEFAULT_MAX_PENDING = 1000
# The Retry-After of a 503: slots free up as callbacks finish, and a short wait keeps the re-delivery well inside the
# replay tolerance, should Flip re-send a webhook with the timestamp it was created with.
RETRY_AFTER_SECONDS = 5
_CHUNK_SIZE = 64 * 1024
_TASK_PREFIX = "flip-webhook-"

OnEvent = Callable[[WebhookEvent], Awaitable[None]]


class WebhookReceiver:
    """Receives Flip webhooks in an aiohttp.web app: route `handle`, and `await drain()` before shutting down.

    Each delivery is answered at once (Flip allows 5 seconds): 204 when accepted or already seen, 401 when it fails
    verification, 400 when it is no webhook envelope, 413 when the body is over `max_body_size` bytes, 503 (with
    Retry-After) when `max_pending` callbacks are already running or `dedup` cannot answer. An accepted event is then
    passed to `on_event` in a background task; an exception there is logged, never raised, and a call that runs past
    `callback_timeout` seconds is cancelled and logged.

    `max_pending` (default 1,000) bounds what a stuck downstream can pile up in memory. It is sized for bursts: one
    demand-response event brings a command webhook per device of a fleet at once, and a 503 asks Flip for a
    re-delivery it makes only a few times (some of Flip's pages say it suspends an endpoint that keeps failing). So it
    is a last defence against a callback that no longer finishes, not a throttle; a pending call holds little more
    than its event.

    `dedup` is where accepted ids are kept: this process's memory by default; `"redis://host:port/db"` (the `redis`
    extra) for one shared by every replica, so that a re-delivery landing on another replica is not processed twice
    either; or any SeenIds store. An id is kept for twice the replay `tolerance`, plus a second: a timestamp may be
    `tolerance` ahead of this machine's clock when first accepted and still verifies `tolerance` after that, so a
    replay can never pass the timestamp check once its id is forgotten. A 503 leaves the id unseen, so its
    re-delivery is processed.

    `legacy_body_timestamp` is WebhookVerifier's: also accept messages signed with the body's timestamp.
    """

    def __init__(
        self,
        secret: str,
        on_event: OnEvent,
        *,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        callback_timeout: float = DEFAULT_CALLBACK_TIMEOUT,
        max_pending: int = DEFAULT_MAX_PENDING,
        dedup: SeenIds | str | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        clock: Callable[[], float] = time.time,
        legacy_body_timestamp: bool = False,
    ) -> None:
        if max_body_size < 1:
            raise ValueError(f"max_body_size must be at least 1 byte, got {max_body_size!r}")
        if not (callback_timeout > 0 and math.isfinite(callback_timeout)):
            raise ValueError(f"callback_timeout must be a positive number of seconds, got {callback_timeout!r}")
        if max_pending < 1:
            raise ValueError(f"max_pending must be at least 1, got {max_pending!r}")
        self._verifier = WebhookVerifier(
            secret, tolerance=tolerance, clock=clock, legacy_body_timestamp=legacy_body_timestamp
        )
        self._on_event = on_event
        self._callback_timeout = callback_timeout
        self._max_pending = max_pending
        # The verifier's clock: an id then stays seen as long as the verifier could still accept a replay of it.
        self._seen = seen_ids(dedup, clock=clock)
        # A store made here from a URL is closed here; one passed in belongs to the caller.
        self._owns_seen = isinstance(dedup, str)
        self._seen_ttl = 2 * tolerance.total_seconds() + 1
        self._max_body_size = max_body_size
        self._pending = 0  # callbacks running, and deliveries between taking a slot and starting theirs
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
        try:
            event = parse_event(body, webhook_id=webhook_id)
        except WebhookPayloadError as exc:
            return _refuse(400, str(exc), request)
        if self._pending >= self._max_pending:
            return _refuse_for_now(f"{self._pending} on_event calls are running (max_pending)", event, request)
        # The slot is taken before the store is asked, so that deliveries arriving meanwhile cannot overshoot it.
        self._pending += 1
        try:
            # Remembered only once verified and parsed: a delivery refused above may be retried and must then count.
            seen = await self._seen.contains_or_add(webhook_id, self._seen_ttl)
        except Exception:
            self._pending -= 1
            logger.exception("Webhook %s (%s): the dedup store failed", webhook_id, event.type)
            return _refuse_for_now("the dedup store failed", event, request)
        except asyncio.CancelledError:
            self._pending -= 1
            raise
        if seen:
            self._pending -= 1
            logger.debug("Webhook %s was delivered again; acknowledged without processing it twice", webhook_id)
            return web.Response(status=204)
        if event.problems:
            logger.warning(
                "Webhook %s (%s) does not fit the SDK's model; on_event gets the raw object. %s",
                webhook_id,
                event.type,
                "; ".join(map(str, event.problems)),
            )
        self._start(event)  # the slot is the task's now, freed when it is done
        return web.Response(status=204)

    async def drain(self) -> None:
        """Wait for the on_event calls running (and any started meanwhile), for at most `callback_timeout` seconds;
        those still running then are cancelled."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._callback_timeout
        while self._tasks and loop.time() < deadline:
            await asyncio.wait(set(self._tasks), timeout=deadline - loop.time())
        if self._tasks:
            logger.warning(
                "drain() cancels %d on_event calls still running after %s s: webhooks %s",
                len(self._tasks),
                self._callback_timeout,
                ", ".join(sorted(task.get_name().removeprefix(_TASK_PREFIX) for task in self._tasks)),
            )
            for task in self._tasks:
                task.cancel()

    async def aclose(self) -> None:
        """drain(), then close the dedup store if the receiver made it (from a URL)."""
        await self.drain()
        if self._owns_seen and isinstance(self._seen, RedisSeenIds):
            await self._seen.aclose()

    def _start(self, event: WebhookEvent) -> None:
        task = asyncio.create_task(self._process(event), name=f"{_TASK_PREFIX}{event.webhook_id}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._pending -= 1

    async def _process(self, event: WebhookEvent) -> None:
        try:
            async with asyncio.timeout(self._callback_timeout) as deadline:
                await self._on_event(event)
        except TimeoutError:
            if not deadline.expired():  # the callback's own TimeoutError, not ours
                logger.exception("on_event failed for webhook %s (%s)", event.webhook_id, event.type)
            else:
                logger.error(
                    "on_event for webhook %s (%s) ran past callback_timeout (%s s) and was cancelled",
                    event.webhook_id,
                    event.type,
                    self._callback_timeout,
                )
        except Exception:
            # One bad event must not stop the receiver; Flip already has its 204, so logging is all that is left.
            logger.exception("on_event failed for webhook %s (%s)", event.webhook_id, event.type)


def webhook_app(
    secret: str,
    on_event: OnEvent,
    *,
    path: str = DEFAULT_PATH,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    callback_timeout: float = DEFAULT_CALLBACK_TIMEOUT,
    max_pending: int = DEFAULT_MAX_PENDING,
    dedup: SeenIds | str | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    legacy_body_timestamp: bool = False,
) -> web.Application:
    """An aiohttp.web app that receives Flip webhooks at `path` (see WebhookReceiver for the options) and drains the
    pending on_event calls on cleanup."""
    receiver = WebhookReceiver(
        secret,
        on_event,
        tolerance=tolerance,
        callback_timeout=callback_timeout,
        max_pending=max_pending,
        dedup=dedup,
        max_body_size=max_body_size,
        legacy_body_timestamp=legacy_body_timestamp,
    )

    async def close(_: web.Application) -> None:
        await receiver.aclose()

    app = web.Application()
    app.router.add_post(path, receiver.handle)
    app.on_cleanup.append(close)
    return app


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


def _refuse_for_now(reason: str, event: WebhookEvent, request: web.Request) -> web.Response:
    """503 with Retry-After: Flip delivers the webhook again later, and it counts as new then."""
    logger.warning(
        "Answered webhook %s (%s) from %s with 503, to be delivered again: %s",
        event.webhook_id,
        event.type,
        request.remote,
        reason,
    )
    return web.Response(status=503, text=reason, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
