"""The route table: every operation of openapi/flip.yaml, with its token, parameters, body and handler.

Written out by hand because an installed package has no openapi/ folder to read; tests/test_sandbox_routes.py checks
it against the spec (paths, methods, security, parameters, bodies) so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from flip_async import models
from flip_async._spec_types import Auth
from flip_async.sandbox import _handlers as h
from flip_async.sandbox._requests import (
    BodyReader,
    Param,
    free_form,
    integer,
    member,
    model,
    patch,
    path_param,
    points,
    query_param,
    repeated_query_param,
    uuid,
)

CLIENT, SITE = Auth.CLIENT, Auth.SITE

# Path parameters are strings, except Flip's own ids, which are UUIDs.
_PATH_PARSERS: dict[str, Callable[[str], Any]] = {
    "commandId": uuid,
    "enrollmentId": uuid,
    "eventId": uuid,
    "programId": uuid,
}
_PATH_PARAM = re.compile(r"\{(\w+)\}")


@attrs.frozen
class Operation:
    """One operation: `path` is the spec's template, which aiohttp's router reads as is."""

    operation_id: str
    method: str
    path: str
    scheme: Auth
    handler: Callable[[h.Call], Any]
    query: tuple[Param, ...] = ()
    body: BodyReader | None = None
    # The spec documents a 400 for commission only; elsewhere a body that is not JSON gets FastAPI's own 422.
    malformed_status: int = 422

    @property
    def params(self) -> tuple[Param, ...]:
        names = _PATH_PARAM.findall(self.path)
        return tuple(path_param(name, _PATH_PARSERS.get(name, str)) for name in names) + self.query


_SKIP = query_param("skip", integer(), default=0)
_LIMIT = query_param("limit", integer(), default=100)
_DEVICE_TYPE = query_param("device_type", member(models.DeviceType), required=True)

OPERATIONS: tuple[Operation, ...] = (
    # Cloud API
    Operation("get_site_token", "POST", "/v1/auth/site/{siteId}", CLIENT, h.get_site_token),
    Operation("list_sites", "GET", "/v1/sites", CLIENT, h.list_sites, query=(_SKIP, _LIMIT)),
    Operation(
        "commission",
        "POST",
        "/v1/commission",
        CLIENT,
        h.commission,
        body=model(models.CommissionRequest),
        malformed_status=400,
    ),
    Operation("create_session", "POST", "/v1/sessions", CLIENT, h.create_session, body=model(models.SessionRequest)),
    Operation("list_commands", "GET", "/v1/commands", CLIENT, h.list_commands),
    Operation(
        "update_command_status",
        "PATCH",
        "/v1/command/{commandId}",
        CLIENT,
        h.update_command_status,
        body=model(models.CommandStatusUpdate),
    ),
    Operation(
        "list_programs",
        "GET",
        "/v1/programs",
        CLIENT,
        h.list_programs,
        query=(
            _DEVICE_TYPE,
            query_param("total_capacity_wh", integer(minimum=1), required=True),
            query_param("total_power_w", integer(), required=True),
        ),
    ),
    Operation(
        "report_battery_telemetry",
        "POST",
        "/v1/telemetry/BATTERY",
        CLIENT,
        h.report_telemetry,
        body=points(models.BatteryTelemetryRequest),
    ),
    Operation(
        "report_battery_counter_telemetry",
        "POST",
        "/v1/telemetry/BATTERY_COUNTER",
        CLIENT,
        h.report_telemetry,
        body=points(models.BatteryCounterTelemetryRequest),
    ),
    Operation(
        "update_settings_request",
        "PATCH",
        "/v1/settings/{settingsRequestId}",
        CLIENT,
        h.update_settings_request,
        body=free_form,
    ),
    Operation("create_supplement", "POST", "/v1/supplements", CLIENT, h.create_supplement, body=free_form),
    # Mobile App API
    Operation("get_site", "GET", "/v1/site/{siteId}", SITE, h.get_site),
    Operation("update_site", "PATCH", "/v1/site/{siteId}", SITE, h.update_site, body=patch(models.SiteUpdateIn)),
    # Create Device takes the client token, per its own page (openapi/README.md, contradictions).
    Operation(
        "create_device", "POST", "/v1/site/{siteId}/devices", CLIENT, h.create_device, body=model(models.DeviceCreateIn)
    ),
    Operation("list_devices", "GET", "/v1/site/{siteId}/devices", SITE, h.list_devices),
    Operation("get_device", "GET", "/v1/site/{siteId}/device/{deviceId}", SITE, h.get_device),
    Operation(
        "update_device",
        "PATCH",
        "/v1/site/{siteId}/device/{deviceId}",
        SITE,
        h.update_device,
        body=model(models.DeviceUpdateIn),
    ),
    Operation("delete_device", "DELETE", "/v1/site/{siteId}/device/{deviceId}", SITE, h.delete_device),
    Operation(
        "create_enrollment",
        "POST",
        "/v1/site/{siteId}/enrollments",
        SITE,
        h.create_enrollment,
        body=model(models.EnrollmentCreateIn),
    ),
    Operation("list_enrollments", "GET", "/v1/site/{siteId}/enrollments", SITE, h.list_enrollments),
    Operation("get_enrollment", "GET", "/v1/site/{siteId}/enrollment/{enrollmentId}", SITE, h.get_enrollment),
    Operation("delete_enrollment", "DELETE", "/v1/site/{siteId}/enrollment/{enrollmentId}", SITE, h.delete_enrollment),
    Operation(
        "list_events",
        "GET",
        "/v1/site/{siteId}/events",
        SITE,
        h.list_events,
        query=(repeated_query_param("status", member(models.EventStatus)),),
    ),
    Operation("get_event", "GET", "/v1/site/{siteId}/event/{eventId}", SITE, h.get_event),
    Operation(
        "update_event_participation",
        "PATCH",
        "/v1/site/{siteId}/event/{eventId}",
        SITE,
        h.update_event_participation,
        body=free_form,
    ),
    Operation(
        "list_site_programs",
        "GET",
        "/v1/site/{siteId}/programs",
        SITE,
        h.list_site_programs,
        query=(query_param("zip_code"), _DEVICE_TYPE, _SKIP, _LIMIT),
    ),
    Operation("get_site_program", "GET", "/v1/site/{siteId}/program/{programId}", SITE, h.get_site_program),
)

OPERATION_IDS: frozenset[str] = frozenset(operation.operation_id for operation in OPERATIONS)
