"""One handler per operationId, registered by `@handles`: read the parsed call, ask the state, return the payload."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from flip_async import models
from flip_async._spec import OPERATIONS
from flip_async._spec_types import Operation
from flip_async.errors import Problem
from flip_async.sandbox._auth import Authenticator
from flip_async.sandbox._programs import PROGRAMS, find_program, open_to
from flip_async.sandbox._requests import BodyReader, model, patch, points
from flip_async.sandbox._state import SandboxState
from flip_async.sandbox._wire import Invalid, Rejected, problem_detail

T = TypeVar("T")


@attrs.frozen
class Call:
    """One request, authenticated and read: its parameters by spec name, and its body as its reader returned it."""

    state: SandboxState
    auth: Authenticator
    params: Mapping[str, Any]
    """Every parameter of the operation, structured into its Python type; None for an absent optional one."""
    body: Any = None

    @property
    def site_id(self) -> str:
        site_id: str = self.params["siteId"]
        return site_id


Handler = Callable[[Call], Any]
"""Returns the response's payload (a model, a list of them, or a JSON-ready dict), or None for 204."""


@attrs.frozen
class Implementation:
    """What the sandbox does for one operation: how it reads the body, and the handler."""

    handle: Handler
    read_body: BodyReader


HANDLERS: dict[str, Implementation] = {}
"""By operationId, every operation the sandbox implements."""


def handles(operation_id: str, *, body: BodyReader = model) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of `operation_id`, its body read by `body`."""

    def register(handler: Handler) -> Handler:
        if operation_id in HANDLERS:
            raise RuntimeError(f"{operation_id} has two handlers")
        HANDLERS[operation_id] = Implementation(handler, body)
        return handler

    return register


def unimplemented(operations: Mapping[str, Operation] = OPERATIONS) -> list[str]:
    """The operationIds of `operations` (default: the spec's) that the sandbox has no handler for: they answer 501."""
    return [operation_id for operation_id in operations if operation_id not in HANDLERS]


@handles("get_site_token")
def get_site_token(call: Call) -> models.SiteToken:
    call.state.site(call.site_id)
    return call.auth.issue(call.site_id)


@handles("list_sites")
def list_sites(call: Call) -> list[models.Site]:
    return _page(list(call.state.sites.values()), call.params["skip"], call.params["limit"])


@handles("commission")
def commission(call: Call) -> models.CommissionResponse:
    # Flip's rule, which the spec does not write as minItems; the state itself may hold a site without devices.
    if not call.body.devices:
        raise Invalid([problem_detail("body", Problem("devices", "must contain at least one device"))])
    return call.state.commission(call.body)


@handles("create_session")
def create_session(call: Call) -> dict[str, Any]:
    return call.state.open_session(call.body)


@handles("list_commands")
def list_commands(call: Call) -> list[models.Command]:
    return list(call.state.commands.values())


@handles("update_command_status")
def update_command_status(call: Call) -> models.Command:
    return call.state.acknowledge_command(call.params["commandId"], call.body)


@handles("list_programs")
def list_programs(call: Call) -> list[models.Program]:
    # Capacity and power are required by the spec but no test program depends on them.
    return open_to(PROGRAMS, [call.params["device_type"]])


@handles("report_battery_telemetry", body=points)
@handles("report_battery_counter_telemetry", body=points)
def report_telemetry(call: Call) -> list[models.TelemetryResult]:
    return call.state.record_telemetry(call.body)


@handles("update_settings_request")
def update_settings_request(call: Call) -> dict[str, Any]:
    return call.state.update_settings_request(call.params["settingsRequestId"], call.body)


@handles("create_supplement")
def create_supplement(call: Call) -> dict[str, Any]:
    return call.state.add_supplement(call.body)


@handles("get_site")
def get_site(call: Call) -> models.Site:
    return call.state.site(call.site_id)


@handles("update_site", body=patch)
def update_site(call: Call) -> models.Site:
    return call.state.update_site(call.site_id, call.body.changes())


@handles("create_device")
def create_device(call: Call) -> models.Device:
    return call.state.add_device(call.site_id, call.body)


@handles("list_devices")
def list_devices(call: Call) -> list[models.Device]:
    return call.state.site_devices(call.site_id)


@handles("get_device")
def get_device(call: Call) -> models.Device:
    return call.state.device(call.site_id, call.params["deviceId"])


@handles("update_device")
def update_device(call: Call) -> models.Device:
    return call.state.update_device(call.site_id, call.params["deviceId"], call.body)


@handles("delete_device")
def delete_device(call: Call) -> None:
    call.state.delete_device(call.site_id, call.params["deviceId"])


@handles("create_enrollment")
def create_enrollment(call: Call) -> models.Enrollment:
    return call.state.enroll(call.site_id, call.body)


@handles("list_enrollments")
def list_enrollments(call: Call) -> list[models.Enrollment]:
    return call.state.site_enrollments(call.site_id)


@handles("get_enrollment")
def get_enrollment(call: Call) -> models.Enrollment:
    return call.state.enrollment(call.site_id, call.params["enrollmentId"])


@handles("delete_enrollment")
def delete_enrollment(call: Call) -> None:
    call.state.unenroll(call.site_id, call.params["enrollmentId"])


@handles("list_events")
def list_events(call: Call) -> list[models.Event]:
    return call.state.site_events(call.site_id, call.params["status"] or ())


@handles("get_event")
def get_event(call: Call) -> models.Event:
    return call.state.event(call.site_id, call.params["eventId"])


@handles("update_event_participation")
def update_event_participation(call: Call) -> models.Event:
    return call.state.update_participation(call.site_id, call.params["eventId"], call.body)


@handles("list_site_programs")
def list_site_programs(call: Call) -> list[models.Program]:
    programs = call.state.site_programs(call.site_id, call.params["zip_code"], call.params["device_type"])
    return _page(programs, call.params["skip"], call.params["limit"])


@handles("get_site_program")
def get_site_program(call: Call) -> models.Program:
    call.state.site(call.site_id)
    program = find_program(call.params["programId"])
    if program is None:
        raise Rejected(404, f"no program {str(call.params['programId'])!r}")
    return program


def _page(items: Sequence[T], skip: int | None, limit: int | None) -> list[T]:
    # The spec sets no minimum: a negative skip or limit reads as zero rather than counting from the end. Where it
    # sets no default, a page is the first 100, as where it does.
    start = max(skip or 0, 0)
    return list(items[start : start + max(100 if limit is None else limit, 0)])
