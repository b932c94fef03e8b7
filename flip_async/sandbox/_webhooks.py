"""Signed webhooks from the sandbox to a URL it is given, delivered in the background with a couple of retries."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import datetime

import aiohttp
import attrs
import orjson

from flip_async import _converter, models
from flip_async.webhooks import signed_headers

__all__ = ["DEFAULT_RETRY_DELAYS", "DELIVERIES_KEPT", "Delivery", "WebhookResource", "WebhookSender"]

logger = logging.getLogger("flip_async.sandbox")

DEFAULT_RETRY_DELAYS = (0.1, 0.5)
"""Seconds before each retry: Flip re-delivers a few times too, only much more slowly than a test would wait."""
DELIVERY_TIMEOUT = 5.0
"""Flip's documented timeout for a webhook endpoint to answer."""
CLOSE_GRACE = 1.0
"""How long closing waits for deliveries still under way before abandoning them."""
DELIVERIES_KEPT = 10_000
"""How many of the latest deliveries `deliveries` keeps: a long-running sandbox must not grow without bound."""

WebhookResource = models.Command | models.Enrollment | models.Event

_OBJECT_TYPES: dict[type, models.WebhookObjectType] = {
    models.Command: models.WebhookObjectType.COMMAND,
    models.Enrollment: models.WebhookObjectType.ENROLLMENT,
    models.Event: models.WebhookObjectType.EVENT,
}


@attrs.frozen
class Delivery:
    """What became of one webhook: delivered when the endpoint answered 2xx within its attempts."""

    webhook_id: str
    event_type: str
    delivered: bool
    attempts: int
    status: int | None
    """The endpoint's last HTTP status; None when the last attempt got no answer."""


@attrs.frozen
class _Endpoint:
    url: str
    secret: str = attrs.field(repr=False)


@attrs.frozen
class _Message:
    """One webhook as created, and so as every attempt carries it: its id, its creation time, its body."""

    webhook_id: str
    timestamp: int
    """UNIX seconds when it was created (`webhook-timestamp`), by the wall clock a receiver checks it against."""
    event_type: str
    body: bytes


class WebhookSender:
    """Posts Standard Webhooks-signed envelopes to one endpoint; silent until `configure`d.

    `notify` never blocks or fails its caller (a request handler, or a test changing the state): each webhook is
    delivered by its own task, retried after each of `retry_delays` on an error or a non-2xx answer, and recorded
    in `deliveries` (the latest DELIVERIES_KEPT). As Flip's page says of its own, a re-delivery is the same message:
    the same `webhook-id`, the same `webhook-timestamp` (when it was created) and so the same signature. `drain()`
    waits for those under way; `aclose()` ends them and closes the connections.
    """

    def __init__(self, clock: Callable[[], datetime], *, retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS):
        self._clock = clock
        self._retry_delays = retry_delays
        self._endpoint: _Endpoint | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.deliveries: deque[Delivery] = deque(maxlen=DELIVERIES_KEPT)

    def __repr__(self) -> str:
        url = self._endpoint.url if self._endpoint else None
        return f"{type(self).__name__}(url={url!r}, pending={len(self._tasks)}, delivered={len(self.deliveries)})"

    def configure(self, url: str, secret: str) -> None:
        """Send webhooks to `url`, signed with `secret` (`whsec_` + base64, as Flip's signing keys are)."""
        signed_headers(secret, b"")  # a secret that cannot sign fails here, not in a background task later
        self._endpoint = _Endpoint(url, secret)

    def notify(self, event_type: str, resource: WebhookResource) -> None:
        """Deliver `event_type` for `resource` in a task of the running loop (nothing happens while not configured)."""
        if self._endpoint is None:
            return
        message = _Message(
            f"msg_{uuid.uuid4().hex}", int(time.time()), event_type, orjson.dumps(self._envelope(event_type, resource))
        )
        task = asyncio.get_running_loop().create_task(self._deliver(self._endpoint, message))
        # The loop keeps only weak references to tasks: without this set a delivery could vanish mid-way.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every delivery started so far, and any started meanwhile, has succeeded or given up."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def aclose(self, grace: float = CLOSE_GRACE) -> None:
        """Give deliveries under way `grace` seconds, cancel the rest, and close the connections. Idempotent."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _envelope(self, event_type: str, resource: WebhookResource) -> object:
        event_object = attrs.evolve(resource, object_type=_OBJECT_TYPES[type(resource)])
        return _converter.unstructure(
            models.WebhookEnvelope(
                event_type=event_type, event_object=_converter.unstructure(event_object), timestamp=self._clock()
            )
        )

    async def _deliver(self, endpoint: _Endpoint, message: _Message) -> None:
        # Signed once: a receiver drops the re-delivery of a message it already processed, by its id.
        headers = signed_headers(
            endpoint.secret, message.body, webhook_id=message.webhook_id, timestamp=message.timestamp
        )
        status: int | None = None
        attempts = 0
        try:
            for delay in (0.0, *self._retry_delays):
                await asyncio.sleep(delay)
                attempts += 1
                status = await self._post(endpoint.url, headers, message.body)
                if _succeeded(status):
                    break
                logger.warning(
                    "Webhook %s (%s): attempt %d got %s",
                    message.webhook_id,
                    message.event_type,
                    attempts,
                    status or "no answer",
                )
        finally:  # abandoned at close too: every webhook ends up in `deliveries`
            self.deliveries.append(
                Delivery(message.webhook_id, message.event_type, _succeeded(status), attempts, status)
            )

    async def _post(self, url: str, headers: dict[str, str], body: bytes) -> int | None:
        """The endpoint's status for one attempt, or None when it did not answer."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT))
        try:
            async with self._session.post(
                url, data=body, headers={**headers, "Content-Type": "application/json"}
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return None


def _succeeded(status: int | None) -> bool:
    return status is not None and 200 <= status < 300
