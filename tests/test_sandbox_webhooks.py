"""The sandbox's signed webhooks, end to end on 127.0.0.1: sandbox -> webhook receiver -> client -> sandbox."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from conftest import StartServer
from support import add_site, device, sandboxed

from flip_async import models
from flip_async.sandbox import Sandbox
from flip_async.webhooks import DEFAULT_PATH, ID_HEADER, WebhookEvent, WebhookVerifier, webhook_app

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@asynccontextmanager
async def receiver(on_event: Callable[[WebhookEvent], Awaitable[None]]) -> AsyncIterator[str]:
    """A webhook_app on 127.0.0.1 for the test; yields its URL."""
    async with TestServer(webhook_app(SECRET, on_event), host="127.0.0.1") as server:
        yield str(server.make_url(DEFAULT_PATH))


async def test_a_command_webhook_is_received_typed_and_acknowledged_through_the_client() -> None:
    acknowledged = asyncio.Event()
    events: list[WebhookEvent] = []
    async with sandboxed() as (sandbox, flip):

        async def on_event(event: WebhookEvent) -> None:
            events.append(event)
            if isinstance(event.data, models.Command):
                await flip.commands.acknowledge(event.data.id, models.DeviceStatusUpdate.OK, reason="Scheduled")
                acknowledged.set()

        async with receiver(on_event) as url:
            sandbox.configure_webhooks(url, SECRET)
            add_site(sandbox, "site-1", "battery-1")
            command = sandbox.state.create_command("battery-1")
            await asyncio.wait_for(acknowledged.wait(), timeout=5)

    [event] = events
    assert event.type == models.WebhookEventType.COMMAND_CREATED
    assert event.object_type == models.WebhookObjectType.COMMAND
    assert isinstance(event.data, models.Command)
    assert event.data.id == command.id
    assert event.problems == ()
    stored = sandbox.state.commands[command.id]
    assert (stored.device_status, stored.device_status_reason) == (models.DeviceStatus.OK, "Scheduled")
    [delivery] = sandbox.webhooks.deliveries
    assert (delivery.event_type, delivery.delivered, delivery.attempts, delivery.status) == (
        "command.created",
        True,
        1,
        204,
    )


async def test_enrollments_made_by_the_api_or_by_auto_enrollment_are_announced() -> None:
    events: list[WebhookEvent] = []

    async def on_event(event: WebhookEvent) -> None:
        events.append(event)

    async with receiver(on_event) as url, sandboxed(webhook_url=url, webhook_secret=SECRET) as (sandbox, flip):
        auto = await flip.commission(
            models.CommissionRequest(
                site=models.Site(id="site-1", zip_code="88800"),
                devices=[device("b-1", "site-1")],
                can_auto_enroll=True,
            )
        )
        add_site(sandbox, "site-2", "b-2", zip_code="88801")
        program, *_ = await flip.site("site-2").programs.list(device_type="BATTERY")
        created = await flip.site("site-2").enrollments.create(
            {
                "device_ids": ["b-2"],
                "program_id": str(program.id),
                "enroll_method": "USER_ACTION",
                "has_agreed_to_terms_and_conditions": True,
                "terms_and_conditions_version": program.terms_and_conditions_version,
            }
        )
        await sandbox.webhooks.drain()

    assert auto.enrollment is not None
    by_id = {event.data.id: event for event in events if isinstance(event.data, models.Enrollment)}
    assert set(by_id) == {auto.enrollment.id, created.id}
    assert {event.type for event in events} == {"enrollment.created"}
    assert by_id[created.id].data.status is models.EnrollmentStatus.PENDING  # type: ignore[union-attr]


async def test_a_failed_delivery_is_retried_with_the_same_id_and_fresh_signatures(live_server: StartServer) -> None:
    seen: list[tuple[str, int]] = []
    verifier = WebhookVerifier(SECRET)

    async def flaky(request: web.BaseRequest) -> web.Response:
        verifier.verify(request.headers, await request.read())
        seen.append((request.headers[ID_HEADER], len(seen)))
        return web.Response(status=503 if len(seen) == 1 else 204)

    server = await live_server(flaky)
    async with Sandbox(webhook_url=server.url, webhook_secret=SECRET) as sandbox:
        add_site(sandbox, "site-1", "battery-1")
        sandbox.state.create_command("battery-1")
        await sandbox.webhooks.drain()
    [delivery] = sandbox.webhooks.deliveries
    assert (delivery.delivered, delivery.attempts, delivery.status) == (True, 2, 204)
    assert [webhook_id for webhook_id, _ in seen] == [delivery.webhook_id] * 2


async def test_an_endpoint_that_keeps_failing_is_given_up_on_after_two_retries(live_server: StartServer) -> None:
    calls = 0

    async def broken(request: web.BaseRequest) -> web.Response:
        nonlocal calls
        calls += 1
        return web.Response(status=500)

    server = await live_server(broken)
    async with Sandbox(webhook_url=server.url, webhook_secret=SECRET) as sandbox:
        add_site(sandbox, "site-1", "battery-1")
        sandbox.state.create_command("battery-1")
        await sandbox.webhooks.drain()
    assert calls == 3
    [delivery] = sandbox.webhooks.deliveries
    assert (delivery.delivered, delivery.attempts, delivery.status) == (False, 3, 500)


async def test_a_slow_endpoint_never_holds_up_the_api_and_closing_abandons_it(live_server: StartServer) -> None:
    async def slow(request: web.BaseRequest) -> web.Response:
        await asyncio.sleep(30)
        return web.Response(status=204)

    server = await live_server(slow)
    async with sandboxed(webhook_url=server.url, webhook_secret=SECRET) as (sandbox, flip):
        started = time.monotonic()
        await flip.commission(
            models.CommissionRequest(
                site=models.Site(id="site-1", zip_code="88800"), devices=[device("b-1", "site-1")], can_auto_enroll=True
            )
        )
        sandbox.state.create_command("b-1")
        assert time.monotonic() - started < 1
    # Both abandoned by close() after its grace, and recorded as undelivered.
    assert sorted((d.event_type, d.delivered, d.status) for d in sandbox.webhooks.deliveries) == [
        ("command.created", False, None),
        ("enrollment.created", False, None),
    ]


async def test_without_an_endpoint_nothing_is_sent_and_a_bad_secret_is_refused_at_once() -> None:
    async with Sandbox() as sandbox:
        add_site(sandbox, "site-1", "battery-1")
        sandbox.state.create_command("battery-1")
        await sandbox.webhooks.drain()
        assert sandbox.webhooks.deliveries == []
        with pytest.raises(ValueError, match="webhook secret"):
            sandbox.configure_webhooks("http://127.0.0.1:9/hooks", "not base64!")
    with pytest.raises(ValueError, match="URL"):
        Sandbox(webhook_secret=SECRET)
    assert SECRET not in repr(Sandbox(webhook_url="http://127.0.0.1:9/hooks", webhook_secret=SECRET).webhooks)
