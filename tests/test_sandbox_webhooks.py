"""The sandbox's signed webhooks, end to end on 127.0.0.1: sandbox -> webhook receiver -> client -> sandbox."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from conftest import StartServer
from support import NOW, add_site, device, sandboxed

from flip_async import models
from flip_async.sandbox import Sandbox, _webhooks
from flip_async.webhooks import (
    DEFAULT_PATH,
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookEvent,
    WebhookVerifier,
    webhook_app,
)

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
            # Only a command waiting for its answer: the acknowledgement itself comes back as command.updated.
            if isinstance(event.data, models.Command) and event.data.device_status == models.DeviceStatus.PENDING:
                await flip.commands.acknowledge(event.data.id, models.DeviceStatusUpdate.OK, reason="Scheduled")
            elif isinstance(event.data, models.Command):
                acknowledged.set()

        async with receiver(on_event) as url:
            sandbox.configure_webhooks(url, SECRET)
            add_site(sandbox, "site-1", "battery-1")
            command = sandbox.state.create_command("battery-1")
            await asyncio.wait_for(acknowledged.wait(), timeout=5)
            await sandbox.webhooks.drain()

    created, updated = events
    assert (created.type, updated.type) == (
        models.WebhookEventType.COMMAND_CREATED,
        models.WebhookEventType.COMMAND_UPDATED,
    )
    assert created.object_type == models.WebhookObjectType.COMMAND
    assert isinstance(created.data, models.Command)
    assert isinstance(updated.data, models.Command)
    assert created.data.id == updated.data.id == command.id
    assert (updated.data.device_status, updated.data.device_status_reason) == (models.DeviceStatus.OK, "Scheduled")
    assert created.problems == updated.problems == ()
    stored = sandbox.state.commands[command.id]
    assert (stored.device_status, stored.device_status_reason) == (models.DeviceStatus.OK, "Scheduled")
    assert [(d.event_type, d.delivered, d.attempts, d.status) for d in sandbox.webhooks.deliveries] == [
        ("command.created", True, 1, 204),
        ("command.updated", True, 1, 204),
    ]


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
    assert {event.type for event in by_id.values()} == {"enrollment.created"}
    assert by_id[created.id].data.status is models.EnrollmentStatus.PENDING  # type: ignore[union-attr]


async def test_a_failed_delivery_is_the_same_message_again_id_timestamp_and_signature(
    live_server: StartServer,
) -> None:
    seen: list[tuple[str, str, str, bytes]] = []
    verifier = WebhookVerifier(SECRET)

    async def flaky(request: web.BaseRequest) -> web.Response:
        body = await request.read()
        verifier.verify(request.headers, body)
        seen.append(
            (request.headers[ID_HEADER], request.headers[TIMESTAMP_HEADER], request.headers[SIGNATURE_HEADER], body)
        )
        return web.Response(status=503 if len(seen) == 1 else 204)

    server = await live_server(flaky)
    async with Sandbox(webhook_url=server.url, webhook_secret=SECRET, clock=lambda: NOW) as sandbox:
        add_site(sandbox, "site-1", "battery-1")
        before = int(time.time())
        sandbox.state.create_command("battery-1")
        await sandbox.webhooks.drain()
    [delivery] = sandbox.webhooks.deliveries
    assert (delivery.delivered, delivery.attempts, delivery.status) == (True, 2, 204)
    first, again = seen
    assert first == again  # Flip's page: the timestamp is when the webhook was created, so the same on a retry
    assert first[0] == delivery.webhook_id
    # The header's time is the wall clock's, which receivers check it against, whatever the sandbox's own clock says.
    assert before <= int(first[1]) <= int(time.time())
    assert orjson.loads(first[3])["timestamp"] == "2025-06-01T12:00:00Z"


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
    # All abandoned by close() after its grace, and recorded as undelivered.
    assert sorted((d.event_type, d.delivered, d.status) for d in sandbox.webhooks.deliveries) == [
        ("command.created", False, None),
        ("enrollment.created", False, None),
        ("event.created", False, None),  # the enrolled site's two demo events
        ("event.created", False, None),
    ]


async def test_without_an_endpoint_nothing_is_sent_and_a_bad_secret_is_refused_at_once() -> None:
    async with Sandbox() as sandbox:
        add_site(sandbox, "site-1", "battery-1")
        sandbox.state.create_command("battery-1")
        await sandbox.webhooks.drain()
        assert not sandbox.webhooks.deliveries
        with pytest.raises(ValueError, match="webhook secret"):
            sandbox.configure_webhooks("http://127.0.0.1:9/hooks", "not base64!")
    with pytest.raises(ValueError, match="URL"):
        Sandbox(webhook_secret=SECRET)
    assert SECRET not in repr(Sandbox(webhook_url="http://127.0.0.1:9/hooks", webhook_secret=SECRET).webhooks)


async def test_each_change_flip_announces_comes_as_a_webhook_of_its_type() -> None:
    events: list[WebhookEvent] = []

    async def on_event(event: WebhookEvent) -> None:
        events.append(event)

    async with receiver(on_event) as url, sandboxed(webhook_url=url, webhook_secret=SECRET) as (sandbox, flip):
        add_site(sandbox, "site-1", "battery-1")
        site = flip.site("site-1")
        event = sandbox.state.create_event("site-1")
        opted_out = sandbox.state.create_command("battery-1", event_id=event.id)
        canceled = sandbox.state.create_command("battery-1")
        await site.events.update_participation(event.id, {"is_participating": False})
        sandbox.state.cancel_command(canceled.id)
        program, *_ = await site.programs.list(device_type="BATTERY")
        enrollment = await site.enrollments.create(
            {"device_ids": ["battery-1"], "program_id": str(program.id), "enroll_method": "USER_ACTION"}
        )
        await site.enrollments.delete(enrollment.id)
        await sandbox.webhooks.drain()

    def announced(event: WebhookEvent) -> tuple[str, str, str]:
        data = event.data
        assert not isinstance(data, dict), event.problems
        state = data.status if not isinstance(data, models.Event) else f"participating={data.is_participating}"
        return event.type, str(data.id), str(state)

    assert sorted(map(announced, events)) == sorted(
        [
            ("event.created", str(event.id), "participating=True"),
            ("command.created", str(opted_out.id), "OK"),
            ("command.created", str(canceled.id), "OK"),
            ("command.updated", str(opted_out.id), "OPT_OUT"),
            ("event.updated", str(event.id), "participating=False"),
            ("command.updated", str(canceled.id), "CANCELED"),
            ("enrollment.created", str(enrollment.id), "PENDING"),
            ("enrollment.updated", str(enrollment.id), "UNENROLLED"),
        ]
    )
    assert all(event.problems == () for event in events)


async def test_only_the_latest_deliveries_are_kept(live_server: StartServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_webhooks, "DELIVERIES_KEPT", 3)

    async def accept(request: web.BaseRequest) -> web.Response:
        return web.Response(status=204)

    server = await live_server(accept)
    async with Sandbox(webhook_url=server.url, webhook_secret=SECRET) as sandbox:
        add_site(sandbox, "site-1", "battery-1")
        for _ in range(5):  # one at a time, so that they finish in order
            command = sandbox.state.create_command("battery-1")
            await sandbox.webhooks.drain()
            sandbox.state.cancel_command(command.id)
            await sandbox.webhooks.drain()
    assert [delivery.event_type for delivery in sandbox.webhooks.deliveries] == [
        "command.updated",
        "command.created",
        "command.updated",
    ]
