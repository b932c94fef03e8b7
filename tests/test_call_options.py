"""Per-call `timeout=` and `max_retries=` on every API method, and `with_options` copies that do not own the pool."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from support import add_site, commission_request, device, sandboxed

from flip_async import FlipClient, TelemetryReport, errors, models
from flip_async._spec import OPERATIONS
from flip_async.sandbox import Faults, Sandbox

SITE = "abc-789"


@attrs.frozen
class World:
    """What the sandbox holds before a call: one enrolled site with a device, an event, a command."""

    program: models.Program
    enrollment: models.Enrollment
    event: models.Event
    command: models.Command


def _world(sandbox: Sandbox) -> World:
    response = add_site(sandbox, SITE, "xyz-123")
    program = response.programs[0]
    enrollment = sandbox.state.enroll(
        SITE,
        models.EnrollmentCreateIn(
            device_ids=["xyz-123"], program_id=program.id, enroll_method=models.EnrollMethod.USER_ACTION
        ),
    )
    event = sandbox.state.create_event(SITE, starts_at=sandbox.state.now() + timedelta(hours=2))
    return World(program, enrollment, event, sandbox.state.create_command("xyz-123", event_id=event.id))


def _raise_failed_batch(report: TelemetryReport) -> TelemetryReport:
    """Telemetry reports a failed batch instead of raising; its error is what the other methods raise."""
    if report.failed_batches:
        raise report.failed_batches[0].error
    return report


async def _collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


POINT = {"device_id": "xyz-123", "start_time": datetime(2025, 6, 1, tzinfo=UTC).isoformat(), "duration_s": 300}

Call = Callable[[FlipClient, World, dict[str, Any]], Awaitable[Any]]

# One call of every API method, by the operation it sends.
CALLS: dict[str, Call] = {
    "get_site_token": lambda flip, w, o: flip.sites.token(SITE, **o),
    "list_sites": lambda flip, w, o: flip.sites.list(**o),
    "commission": lambda flip, w, o: flip.commission(commission_request("new-site", device_ids=("new-1",)), **o),
    "create_session": lambda flip, w, o: flip.sessions.create({"site": {"id": SITE}}, **o),
    "list_commands": lambda flip, w, o: flip.commands.list(**o),
    "update_command_status": lambda flip, w, o: flip.commands.acknowledge(w.command.id, "OK", **o),
    "list_programs": lambda flip, w, o: flip.programs.list(
        device_type="BATTERY", total_capacity_wh=15000, total_power_w=7500, **o
    ),
    "report_battery_telemetry": lambda flip, w, o: _report(flip.telemetry.report_battery([POINT], **o)),
    "report_battery_counter_telemetry": lambda flip, w, o: _report(
        flip.telemetry.report_battery_counter([{"device_id": "xyz-123"}], **o)
    ),
    "update_settings_request": lambda flip, w, o: flip.settings.update("settings-1", {"status": "APPLIED"}, **o),
    "create_supplement": lambda flip, w, o: flip.supplements.create({"note": "x"}, **o),
    "get_site": lambda flip, w, o: flip.site(SITE).get(**o),
    "update_site": lambda flip, w, o: flip.site(SITE).update(city="Austin", **o),
    "create_device": lambda flip, w, o: flip.site(SITE).devices.create(device("xyz-456", SITE), **o),
    "list_devices": lambda flip, w, o: flip.site(SITE).devices.list(**o),
    "get_device": lambda flip, w, o: flip.site(SITE).devices.get("xyz-123", **o),
    "update_device": lambda flip, w, o: flip.site(SITE).devices.update(
        "xyz-123", configuration={"reserve_percentage": 30}, **o
    ),
    "delete_device": lambda flip, w, o: flip.site(SITE).devices.delete("xyz-123", **o),
    "create_enrollment": lambda flip, w, o: flip.site(SITE).enrollments.create(
        {"device_ids": ["xyz-123"], "program_id": str(w.program.id), "enroll_method": "USER_ACTION"}, **o
    ),
    "list_enrollments": lambda flip, w, o: flip.site(SITE).enrollments.list(**o),
    "get_enrollment": lambda flip, w, o: flip.site(SITE).enrollments.get(w.enrollment.id, **o),
    "delete_enrollment": lambda flip, w, o: flip.site(SITE).enrollments.delete(w.enrollment.id, **o),
    "list_events": lambda flip, w, o: flip.site(SITE).events.list(**o),
    "get_event": lambda flip, w, o: flip.site(SITE).events.get(w.event.id, **o),
    "update_event_participation": lambda flip, w, o: flip.site(SITE).events.update_participation(
        w.event.id, {"is_participating": False}, **o
    ),
    "list_site_programs": lambda flip, w, o: flip.site(SITE).programs.list(device_type="BATTERY", **o),
    "get_site_program": lambda flip, w, o: flip.site(SITE).programs.get(w.program.id, **o),
}

# Methods that send an operation another method also sends, under the name of the operation they send.
EXTRA_CALLS: dict[str, tuple[str, Call]] = {
    "sites.iter": ("list_sites", lambda flip, w, o: _collect(flip.sites.iter(**o))),
}


async def _report(upload: Awaitable[TelemetryReport]) -> TelemetryReport:
    return _raise_failed_batch(await upload)


def test_every_operation_has_a_call_here() -> None:
    assert set(CALLS) == set(OPERATIONS)


ALL_CALLS = [pytest.param(op, call, id=op) for op, call in CALLS.items()] + [
    pytest.param(op, call, id=name) for name, (op, call) in EXTRA_CALLS.items()
]


@pytest.mark.parametrize(("operation_id", "call"), ALL_CALLS)
async def test_max_retries_for_one_call(operation_id: str, call: Call) -> None:
    async with sandboxed(faults=Faults(error_rate=1.0, operations={operation_id})) as (sandbox, flip):
        world = _world(sandbox)
        with pytest.raises(errors.InternalServerError) as caught:
            await call(flip, world, {"max_retries": 0})
        assert (caught.value.attempts, sandbox.stats.requests[operation_id]) == (1, 1)
        with pytest.raises(errors.InternalServerError) as caught:
            await call(flip, world, {"max_retries": 3})
        assert (caught.value.attempts, sandbox.stats.requests[operation_id]) == (4, 5)


@pytest.mark.parametrize(("operation_id", "call"), ALL_CALLS)
async def test_timeout_for_one_call(operation_id: str, call: Call) -> None:
    async with sandboxed(faults=Faults(latency=0.5, operations={operation_id})) as (sandbox, flip):
        with pytest.raises(errors.APITimeoutError):
            await call(flip, _world(sandbox), {"timeout": 0.05, "max_retries": 0})


async def test_commission_many_takes_both_for_its_rows_and_for_the_check_after_a_409() -> None:
    async with sandboxed(faults=Faults(error_rate=1.0, operations={"get_site_token"})) as (sandbox, flip):
        add_site(sandbox, SITE, "xyz-123")
        rows = [commission_request("fresh", device_ids=("fresh-1",)), commission_request(SITE, device_ids=("xyz-999",))]
        outcomes = {o.site_id: o async for o in flip.commission_many(rows, max_retries=0)}
        assert outcomes["fresh"].status == "commissioned"
        # The 409's confirmation (a site token) failed once, with the run's max_retries=0: not 3 times.
        assert outcomes[SITE].status == "failed"
        assert sandbox.stats.requests["get_site_token"] == 1


async def test_closing_a_copy_leaves_the_original_working_and_closing_the_original_closes_the_pool() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, SITE, "xyz-123")
        first, second = flip.with_options(timeout=5), flip.with_options(max_retries=0)
        assert [site.id for site in await first.sites.list()] == [SITE]
        async with first:
            pass
        with pytest.raises(RuntimeError, match="closed"):
            await first.sites.list()
        assert [site.id for site in await flip.sites.list()] == [SITE]
        assert (await second.site(SITE).get()).id == SITE
        await flip.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await second.sites.list()


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -3}, "timeout"),
        ({"timeout": math.nan}, "timeout"),
        ({"timeout": math.inf}, "timeout"),
    ],
)
async def test_invalid_options_raise_value_error_at_once(options: dict[str, Any], complaint: str) -> None:
    async with sandboxed() as (_, flip):
        with pytest.raises(ValueError, match=complaint):
            flip.with_options(**options)
        with pytest.raises(ValueError, match=complaint):
            await flip.sites.list(**options)
        with pytest.raises(ValueError, match=complaint):
            flip.commission_many([], **options)
