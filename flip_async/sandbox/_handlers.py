"""One handler per API operation: read the parsed call, ask the state, return what the response carries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import attrs

from flip_async import models
from flip_async.sandbox._auth import Authenticator
from flip_async.sandbox._programs import PROGRAMS, find_program, open_to
from flip_async.sandbox._state import SandboxState
from flip_async.sandbox._wire import Rejected

T = TypeVar("T")


@attrs.frozen
class Call:
    """One request, authenticated and read: its parameters by spec name, and its body as its reader returned it."""

    state: SandboxState
    auth: Authenticator
    params: dict[str, Any]
    body: Any = None

    @property
    def site_id(self) -> str:
        site_id: str = self.params["siteId"]
        return site_id


# A handler returns the response's payload (a model, a list of them, or a JSON-ready dict), or None for 204.


def get_site_token(call: Call) -> models.SiteToken:
    call.state.site(call.site_id)
    return call.auth.issue(call.site_id)


def list_sites(call: Call) -> list[models.Site]:
    return _page(list(call.state.sites.values()), call.params["skip"], call.params["limit"])


def commission(call: Call) -> models.CommissionResponse:
    return call.state.commission(call.body)


def create_session(call: Call) -> dict[str, Any]:
    return call.state.open_session(call.body)


def list_commands(call: Call) -> list[models.Command]:
    return list(call.state.commands.values())


def update_command_status(call: Call) -> models.Command:
    return call.state.acknowledge_command(call.params["commandId"], call.body)


def list_programs(call: Call) -> list[models.Program]:
    # Capacity and power are required by the spec but no test program depends on them.
    return open_to(PROGRAMS, [call.params["device_type"]])


def report_telemetry(call: Call) -> list[models.TelemetryResult]:
    return call.state.record_telemetry(call.body)


def update_settings_request(call: Call) -> dict[str, Any]:
    return call.state.update_settings_request(call.params["settingsRequestId"], call.body)


def create_supplement(call: Call) -> dict[str, Any]:
    return call.state.add_supplement(call.body)


def get_site(call: Call) -> models.Site:
    return call.state.site(call.site_id)


def update_site(call: Call) -> models.Site:
    return call.state.update_site(call.site_id, call.body.changes())


def create_device(call: Call) -> models.Device:
    return call.state.add_device(call.site_id, call.body)


def list_devices(call: Call) -> list[models.Device]:
    return call.state.site_devices(call.site_id)


def get_device(call: Call) -> models.Device:
    return call.state.device(call.site_id, call.params["deviceId"])


def update_device(call: Call) -> models.Device:
    return call.state.update_device(call.site_id, call.params["deviceId"], call.body)


def delete_device(call: Call) -> None:
    call.state.delete_device(call.site_id, call.params["deviceId"])


def create_enrollment(call: Call) -> models.Enrollment:
    return call.state.enroll(call.site_id, call.body)


def list_enrollments(call: Call) -> list[models.Enrollment]:
    return call.state.site_enrollments(call.site_id)


def get_enrollment(call: Call) -> models.Enrollment:
    return call.state.enrollment(call.site_id, call.params["enrollmentId"])


def delete_enrollment(call: Call) -> None:
    call.state.unenroll(call.site_id, call.params["enrollmentId"])


def list_events(call: Call) -> list[models.Event]:
    return call.state.site_events(call.site_id, call.params["status"])


def get_event(call: Call) -> models.Event:
    return call.state.event(call.site_id, call.params["eventId"])


def update_event_participation(call: Call) -> models.Event:
    return call.state.update_participation(call.site_id, call.params["eventId"], call.body)


def list_site_programs(call: Call) -> list[models.Program]:
    programs = call.state.site_programs(call.site_id, call.params["zip_code"], call.params["device_type"])
    return _page(programs, call.params["skip"], call.params["limit"])


def get_site_program(call: Call) -> models.Program:
    call.state.site(call.site_id)
    program = find_program(call.params["programId"])
    if program is None:
        raise Rejected(404, "PROGRAM_NOT_FOUND", f"no program {str(call.params['programId'])!r}")
    return program


def _page(items: Sequence[T], skip: int, limit: int) -> list[T]:
    # The spec sets no minimum: a negative skip or limit reads as zero rather than counting from the end.
    start = max(skip, 0)
    return list(items[start : start + max(limit, 0)])
