# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: openapi/flip.yaml. Regenerate with `make generate` (python codegen/generate.py);
# `make check-generated` fails while this file differs from a fresh generation.
"""Every operation of openapi/flip.yaml (method, path, token, parameters, body, answers) as data."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any
from uuid import UUID

from flip_async import models
from flip_async._spec_types import Auth, Operation, Parameter, Reply

__all__ = ["DEFS", "OPERATIONS"]

OPERATIONS: MappingProxyType[str, Operation] = MappingProxyType(
    {
        "get_site_token": Operation(
            operation_id="get_site_token",
            summary="Get Site Token",
            method="POST",
            path="/v1/auth/site/{siteId}",
            auth=Auth.CLIENT,
            parameters=(Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),),
            responses=MappingProxyType(
                {
                    200: Reply(type=models.SiteToken, schema={"$ref": "#/$defs/SiteToken"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "list_sites": Operation(
            operation_id="list_sites",
            summary="Get Sites",
            method="GET",
            path="/v1/sites",
            auth=Auth.CLIENT,
            parameters=(
                Parameter(name="skip", location="query", type=int, required=False, schema={"type": "integer"}),
                Parameter(name="limit", location="query", type=int, required=False, schema={"type": "integer"}),
            ),
            responses=MappingProxyType(
                {
                    200: Reply(type=list[models.Site], schema={"type": "array", "items": {"$ref": "#/$defs/Site"}}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "commission": Operation(
            operation_id="commission",
            summary="Commission Site And Devices",
            method="POST",
            path="/v1/commission",
            auth=Auth.CLIENT,
            parameters=(),
            body=models.CommissionRequest,
            body_schema={"$ref": "#/$defs/CommissionRequest"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=models.CommissionResponse, schema={"$ref": "#/$defs/CommissionResponse"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    409: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "create_session": Operation(
            operation_id="create_session",
            summary="Sessions",
            method="POST",
            path="/v1/sessions",
            auth=Auth.CLIENT,
            parameters=(),
            body=models.SessionRequest,
            body_schema={"$ref": "#/$defs/SessionRequest"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=dict[str, object], schema={"type": "object", "additionalProperties": True}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "list_commands": Operation(
            operation_id="list_commands",
            summary="List commands",
            method="GET",
            path="/v1/commands",
            auth=Auth.CLIENT,
            parameters=(),
            responses=MappingProxyType(
                {
                    200: Reply(
                        type=list[models.Command], schema={"type": "array", "items": {"$ref": "#/$defs/Command"}}
                    ),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "update_command_status": Operation(
            operation_id="update_command_status",
            summary="Update Command Status",
            method="PATCH",
            path="/v1/command/{commandId}",
            auth=Auth.CLIENT,
            parameters=(
                Parameter(
                    name="commandId",
                    location="path",
                    type=UUID,
                    required=True,
                    schema={"type": "string", "format": "uuid"},
                ),
            ),
            body=models.CommandStatusUpdate,
            body_schema={"$ref": "#/$defs/CommandStatusUpdate"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Command, schema={"$ref": "#/$defs/Command"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "list_programs": Operation(
            operation_id="list_programs",
            summary="Read Programs",
            method="GET",
            path="/v1/programs",
            auth=Auth.CLIENT,
            parameters=(
                Parameter(
                    name="device_type",
                    location="query",
                    type=models.DeviceType,
                    required=True,
                    schema={"$ref": "#/$defs/DeviceType"},
                ),
                Parameter(
                    name="total_capacity_wh",
                    location="query",
                    type=int,
                    required=True,
                    schema={"type": "integer", "minimum": 1},
                ),
                Parameter(name="total_power_w", location="query", type=int, required=True, schema={"type": "integer"}),
            ),
            responses=MappingProxyType(
                {
                    200: Reply(
                        type=list[models.Program], schema={"type": "array", "items": {"$ref": "#/$defs/Program"}}
                    ),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "report_battery_telemetry": Operation(
            operation_id="report_battery_telemetry",
            summary="Report Battery Telemetry",
            method="POST",
            path="/v1/telemetry/BATTERY",
            auth=Auth.CLIENT,
            parameters=(),
            body=models.BatteryTelemetryRequest,
            body_schema={"$ref": "#/$defs/BatteryTelemetryRequest"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(
                        type=list[models.TelemetryResult],
                        schema={"type": "array", "items": {"$ref": "#/$defs/TelemetryResult"}},
                    ),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "report_battery_counter_telemetry": Operation(
            operation_id="report_battery_counter_telemetry",
            summary="Report Battery Counter Telemetry",
            method="POST",
            path="/v1/telemetry/BATTERY_COUNTER",
            auth=Auth.CLIENT,
            parameters=(),
            body=models.BatteryCounterTelemetryRequest,
            body_schema={"$ref": "#/$defs/BatteryCounterTelemetryRequest"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(
                        type=list[models.TelemetryResult],
                        schema={"type": "array", "items": {"$ref": "#/$defs/TelemetryResult"}},
                    ),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "update_settings_request": Operation(
            operation_id="update_settings_request",
            summary="Update Settings Request",
            method="PATCH",
            path="/v1/settings/{settingsRequestId}",
            auth=Auth.CLIENT,
            parameters=(
                Parameter(
                    name="settingsRequestId", location="path", type=str, required=True, schema={"type": "string"}
                ),
            ),
            body=dict[str, object],
            body_schema={"type": "object", "additionalProperties": True},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=dict[str, object], schema={"type": "object", "additionalProperties": True}),
                    204: Reply(type=None, schema=None),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "create_supplement": Operation(
            operation_id="create_supplement",
            summary="Create Supplement",
            method="POST",
            path="/v1/supplements",
            auth=Auth.CLIENT,
            parameters=(),
            body=dict[str, object],
            body_schema={"type": "object", "additionalProperties": True},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=dict[str, object], schema={"type": "object", "additionalProperties": True}),
                    204: Reply(type=None, schema=None),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "get_site": Operation(
            operation_id="get_site",
            summary="Read Site",
            method="GET",
            path="/v1/site/{siteId}",
            auth=Auth.SITE,
            parameters=(Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),),
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Site, schema={"$ref": "#/$defs/Site"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "update_site": Operation(
            operation_id="update_site",
            summary="Update Site",
            method="PATCH",
            path="/v1/site/{siteId}",
            auth=Auth.SITE,
            parameters=(Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),),
            body=models.SiteUpdateIn,
            body_schema={"$ref": "#/$defs/SiteUpdateIn"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Site, schema={"$ref": "#/$defs/Site"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "list_devices": Operation(
            operation_id="list_devices",
            summary="Read Devices",
            method="GET",
            path="/v1/site/{siteId}/devices",
            auth=Auth.SITE,
            parameters=(Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),),
            responses=MappingProxyType(
                {
                    200: Reply(type=list[models.Device], schema={"type": "array", "items": {"$ref": "#/$defs/Device"}}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "create_device": Operation(
            operation_id="create_device",
            summary="Create Device",
            method="POST",
            path="/v1/site/{siteId}/devices",
            auth=Auth.CLIENT,
            parameters=(Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),),
            body=models.DeviceCreateIn,
            body_schema={"$ref": "#/$defs/DeviceCreateIn"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Device, schema={"$ref": "#/$defs/Device"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    409: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "get_device": Operation(
            operation_id="get_device",
            summary="Read Device",
            method="GET",
            path="/v1/site/{siteId}/device/{deviceId}",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(name="deviceId", location="path", type=str, required=True, schema={"type": "string"}),
            ),
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Device, schema={"$ref": "#/$defs/Device"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "update_device": Operation(
            operation_id="update_device",
            summary="Update Device",
            method="PATCH",
            path="/v1/site/{siteId}/device/{deviceId}",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(name="deviceId", location="path", type=str, required=True, schema={"type": "string"}),
            ),
            body=models.DeviceUpdateIn,
            body_schema={"$ref": "#/$defs/DeviceUpdateIn"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Device, schema={"$ref": "#/$defs/Device"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "delete_device": Operation(
            operation_id="delete_device",
            summary="Delete Device",
            method="DELETE",
            path="/v1/site/{siteId}/device/{deviceId}",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(name="deviceId", location="path", type=str, required=True, schema={"type": "string"}),
            ),
            responses=MappingProxyType(
                {
                    204: Reply(type=None, schema=None),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "list_enrollments": Operation(
            operation_id="list_enrollments",
            summary="Read Enrollments",
            method="GET",
            path="/v1/site/{siteId}/enrollments",
            auth=Auth.SITE,
            parameters=(Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),),
            responses=MappingProxyType(
                {
                    200: Reply(
                        type=list[models.Enrollment], schema={"type": "array", "items": {"$ref": "#/$defs/Enrollment"}}
                    ),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "create_enrollment": Operation(
            operation_id="create_enrollment",
            summary="Create Enrollment",
            method="POST",
            path="/v1/site/{siteId}/enrollments",
            auth=Auth.SITE,
            parameters=(Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),),
            body=models.EnrollmentCreateIn,
            body_schema={"$ref": "#/$defs/EnrollmentCreateIn"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Enrollment, schema={"$ref": "#/$defs/Enrollment"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "get_enrollment": Operation(
            operation_id="get_enrollment",
            summary="Read Enrollment",
            method="GET",
            path="/v1/site/{siteId}/enrollment/{enrollmentId}",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(
                    name="enrollmentId",
                    location="path",
                    type=UUID,
                    required=True,
                    schema={"type": "string", "format": "uuid"},
                ),
            ),
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Enrollment, schema={"$ref": "#/$defs/Enrollment"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "delete_enrollment": Operation(
            operation_id="delete_enrollment",
            summary="Delete Enrollment",
            method="DELETE",
            path="/v1/site/{siteId}/enrollment/{enrollmentId}",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(
                    name="enrollmentId",
                    location="path",
                    type=UUID,
                    required=True,
                    schema={"type": "string", "format": "uuid"},
                ),
            ),
            responses=MappingProxyType(
                {
                    204: Reply(type=None, schema=None),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "list_events": Operation(
            operation_id="list_events",
            summary="Read Events",
            method="GET",
            path="/v1/site/{siteId}/events",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(
                    name="status",
                    location="query",
                    type=list[models.EventStatusFilter],
                    required=False,
                    schema={"type": "array", "items": {"$ref": "#/$defs/EventStatusFilter"}},
                ),
            ),
            responses=MappingProxyType(
                {
                    200: Reply(type=list[models.Event], schema={"type": "array", "items": {"$ref": "#/$defs/Event"}}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "get_event": Operation(
            operation_id="get_event",
            summary="Read Event",
            method="GET",
            path="/v1/site/{siteId}/event/{eventId}",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(
                    name="eventId",
                    location="path",
                    type=UUID,
                    required=True,
                    schema={"type": "string", "format": "uuid"},
                ),
            ),
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Event, schema={"$ref": "#/$defs/Event"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "update_event_participation": Operation(
            operation_id="update_event_participation",
            summary="Update Event Participation",
            method="PATCH",
            path="/v1/site/{siteId}/event/{eventId}",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(
                    name="eventId",
                    location="path",
                    type=UUID,
                    required=True,
                    schema={"type": "string", "format": "uuid"},
                ),
            ),
            body=models.EventUpdateIn,
            body_schema={"$ref": "#/$defs/EventUpdateIn"},
            body_required=True,
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Event, schema={"$ref": "#/$defs/Event"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "list_site_programs": Operation(
            operation_id="list_site_programs",
            summary="Read Programs",
            method="GET",
            path="/v1/site/{siteId}/programs",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(name="zip_code", location="query", type=str, required=False, schema={"type": "string"}),
                Parameter(
                    name="device_type",
                    location="query",
                    type=models.DeviceType,
                    required=True,
                    schema={"$ref": "#/$defs/DeviceType"},
                ),
                Parameter(
                    name="skip", location="query", type=int, required=False, schema={"type": "integer", "default": 0}
                ),
                Parameter(
                    name="limit", location="query", type=int, required=False, schema={"type": "integer", "default": 100}
                ),
            ),
            responses=MappingProxyType(
                {
                    200: Reply(
                        type=list[models.Program], schema={"type": "array", "items": {"$ref": "#/$defs/Program"}}
                    ),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
        "get_site_program": Operation(
            operation_id="get_site_program",
            summary="Read Program",
            method="GET",
            path="/v1/site/{siteId}/program/{programId}",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="siteId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(
                    name="programId",
                    location="path",
                    type=UUID,
                    required=True,
                    schema={"type": "string", "format": "uuid"},
                ),
            ),
            responses=MappingProxyType(
                {
                    200: Reply(type=models.Program, schema={"$ref": "#/$defs/Program"}),
                    401: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    403: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    404: Reply(type=models.ErrorResponse, schema={"$ref": "#/$defs/ErrorResponse"}),
                    422: Reply(type=models.HTTPValidationError, schema={"$ref": "#/$defs/HTTPValidationError"}),
                }
            ),
        ),
    }
)
"""Every operation of the spec, by operationId."""

DEFS: dict[str, Any] = {
    "Site": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "first_name": {"type": ["string", "null"]},
            "last_name": {"type": ["string", "null"]},
            "company_name": {"type": ["string", "null"]},
            "email": {"type": ["string", "null"], "format": "email"},
            "state_code": {"anyOf": [{"$ref": "#/$defs/StateCode"}, {"type": "null"}]},
            "city": {"type": ["string", "null"]},
            "zip_code": {"type": ["string", "null"]},
            "street_address": {"type": ["string", "null"]},
            "street_address2": {"type": ["string", "null"]},
            "service_account_id": {"type": ["string", "null"]},
            "tariff_id": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "SiteUpdateIn": {
        "type": "object",
        "properties": {
            "first_name": {"type": ["string", "null"]},
            "last_name": {"type": ["string", "null"]},
            "company_name": {"type": ["string", "null"]},
            "email": {"type": ["string", "null"], "format": "email"},
            "state_code": {"anyOf": [{"$ref": "#/$defs/StateCode"}, {"type": "null"}]},
            "city": {"type": ["string", "null"]},
            "zip_code": {"type": ["string", "null"]},
            "street_address": {"type": ["string", "null"]},
            "street_address2": {"type": ["string", "null"]},
        },
    },
    "SiteToken": {
        "type": "object",
        "required": ["site_access_token", "expires_at"],
        "properties": {
            "site_access_token": {"type": "string"},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
    "StateCode": {
        "type": "string",
        "enum": [
            "AK",
            "AL",
            "AR",
            "AZ",
            "CA",
            "CO",
            "CT",
            "DE",
            "FL",
            "GA",
            "HI",
            "IA",
            "ID",
            "IL",
            "IN",
            "KS",
            "KY",
            "LA",
            "MA",
            "MD",
            "ME",
            "MI",
            "MN",
            "MO",
            "MS",
            "MT",
            "NC",
            "ND",
            "NE",
            "NH",
            "NJ",
            "NM",
            "NV",
            "NY",
            "OH",
            "OK",
            "OR",
            "PA",
            "PR",
            "RI",
            "SC",
            "SD",
            "TN",
            "TX",
            "UT",
            "VA",
            "VT",
            "WA",
            "WI",
            "WV",
            "WY",
        ],
    },
    "DeviceType": {"type": "string", "enum": ["BATTERY", "EV_CHARGER"]},
    "DeviceCreateIn": {
        "type": "object",
        "required": ["id", "manufacturer_name", "product_name", "serial_number", "type", "attributes", "install_date"],
        "properties": {
            "id": {"type": "string"},
            "site_id": {"type": "string"},
            "manufacturer_name": {"type": "string"},
            "product_name": {"type": "string"},
            "serial_number": {"type": "string"},
            "type": {"$ref": "#/$defs/DeviceType"},
            "attributes": {"$ref": "#/$defs/DeviceBatteryAttributes"},
            "configuration": {"$ref": "#/$defs/DeviceBatteryConfig"},
            "install_date": {"type": "string", "format": "date-time"},
        },
    },
    "Device": {
        "type": "object",
        "required": ["site_id", "type", "attributes", "configuration"],
        "properties": {
            "id": {"type": "string"},
            "site_id": {"type": "string"},
            "manufacturer_name": {"type": "string"},
            "product_name": {"type": "string"},
            "serial_number": {"type": "string"},
            "type": {"$ref": "#/$defs/DeviceType"},
            "attributes": {
                "anyOf": [{"$ref": "#/$defs/DeviceBatteryAttributes"}, {"type": "object", "additionalProperties": True}]
            },
            "configuration": {"anyOf": [{"$ref": "#/$defs/DeviceBatteryConfig"}, {"type": "null"}]},
            "install_date": {"type": ["string", "null"], "format": "date-time"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "DeviceUpdateIn": {
        "type": "object",
        "properties": {
            "attributes": {"$ref": "#/$defs/DeviceBatteryAttributesUpdate"},
            "configuration": {"$ref": "#/$defs/DeviceBatteryConfigUpdate"},
        },
    },
    "DeviceBatteryAttributes": {
        "type": "object",
        "required": ["battery_capacity_wh", "battery_power_input_w", "battery_power_output_w"],
        "properties": {
            "battery_capacity_wh": {"type": "integer"},
            "battery_power_input_w": {"type": "integer"},
            "battery_power_output_w": {"type": "integer"},
        },
    },
    "DeviceBatteryAttributesUpdate": {
        "type": "object",
        "properties": {
            "battery_capacity_wh": {"type": "integer"},
            "battery_power_input_w": {"type": "integer"},
            "battery_power_output_w": {"type": "integer"},
        },
    },
    "DeviceBatteryConfig": {
        "type": "object",
        "required": ["reserve_percentage"],
        "properties": {"reserve_percentage": {"type": "integer", "minimum": 0, "maximum": 100}},
    },
    "DeviceBatteryConfigUpdate": {
        "type": "object",
        "properties": {"reserve_percentage": {"type": "number", "minimum": 0, "maximum": 100}},
    },
    "CommissionRequest": {
        "type": "object",
        "required": ["site", "devices"],
        "properties": {
            "site": {"$ref": "#/$defs/Site"},
            "devices": {"type": "array", "items": {"$ref": "#/$defs/DeviceCreateIn"}},
            "can_auto_enroll": {"type": "boolean"},
            "enrollment": {"$ref": "#/$defs/EnrollmentCreateIn"},
        },
    },
    "CommissionResponse": {
        "type": "object",
        "required": ["programs"],
        "properties": {
            "programs": {"type": "array", "items": {"$ref": "#/$defs/Program"}},
            "enrollment": {"anyOf": [{"$ref": "#/$defs/Enrollment"}, {"type": "null"}]},
        },
    },
    "Program": {
        "type": "object",
        "required": [
            "id",
            "name",
            "description",
            "eligible_device_types",
            "can_auto_enroll",
            "minimum_reserve_percentage",
            "minimum_commitment_months",
            "participation_months",
            "earnings_for_site_upfront",
            "earnings_for_site_yearly",
            "created_at",
            "updated_at",
            "enrollment_form",
            "terms_and_conditions_version",
            "terms_and_conditions_text",
        ],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "eligible_device_types": {"type": "array", "items": {"$ref": "#/$defs/DeviceType"}},
            "can_auto_enroll": {"type": "boolean"},
            "minimum_reserve_percentage": {"type": "integer", "minimum": 0, "maximum": 100},
            "minimum_commitment_months": {"type": ["integer", "null"]},
            "participation_months": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 12}},
            "earnings_for_site_upfront": {"type": "integer"},
            "earnings_for_site_yearly": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "enrollment_form": {"type": "array", "items": {"$ref": "#/$defs/EnrollmentFormField"}},
            "terms_and_conditions_version": {"type": ["string", "null"]},
            "terms_and_conditions_text": {"type": ["string", "null"]},
        },
    },
    "EnrollmentFormField": {
        "type": "object",
        "required": ["name", "label", "type"],
        "properties": {
            "name": {"type": "string"},
            "label": {"type": "string"},
            "type": {"$ref": "#/$defs/EnrollmentFormFieldType"},
            "hint": {"type": "string"},
        },
    },
    "EnrollmentFormFieldType": {"type": "string", "enum": ["boolean", "number", "string"]},
    "EnrollMethod": {"type": "string", "enum": ["AUTO_ENROLL", "USER_ACTION"]},
    "EnrollmentStatus": {"type": "string", "enum": ["ACTIVE", "NEEDS_ACTION", "PENDING", "REJECTED", "UNENROLLED"]},
    "ProgramSpecificAttribute": {
        "type": "object",
        "required": ["name", "value"],
        "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
    },
    "EnrollmentCreateIn": {
        "type": "object",
        "required": ["device_ids", "enroll_method"],
        "properties": {
            "device_ids": {"type": "array", "items": {"type": "string"}},
            "program_id": {"type": "string", "format": "uuid"},
            "enroll_method": {"$ref": "#/$defs/EnrollMethod"},
            "has_agreed_to_terms_and_conditions": {"type": ["boolean", "null"]},
            "terms_and_conditions_version": {"type": ["string", "null"]},
            "program_specific_attributes": {"type": "array", "items": {"$ref": "#/$defs/ProgramSpecificAttribute"}},
        },
    },
    "Enrollment": {
        "type": "object",
        "required": [
            "id",
            "device_ids",
            "site_id",
            "program_id",
            "enroll_method",
            "status",
            "status_reason",
            "enrolled_at",
            "unenrolled_at",
            "program_specific_attributes",
            "has_agreed_to_terms_and_conditions",
            "terms_and_conditions_version",
        ],
        "properties": {
            "object_type": {"$ref": "#/$defs/WebhookObjectType"},
            "id": {"type": "string", "format": "uuid"},
            "device_ids": {"type": "array", "items": {"type": "string"}},
            "site_id": {"type": "string"},
            "program_id": {"type": "string", "format": "uuid"},
            "enroll_method": {"$ref": "#/$defs/EnrollMethod"},
            "status": {"$ref": "#/$defs/EnrollmentStatus"},
            "status_reason": {"type": ["string", "null"]},
            "enrolled_at": {"type": ["string", "null"], "format": "date-time"},
            "unenrolled_at": {"type": ["string", "null"], "format": "date-time"},
            "program_specific_attributes": {"type": "array", "items": {"$ref": "#/$defs/ProgramSpecificAttribute"}},
            "has_agreed_to_terms_and_conditions": {"type": ["boolean", "null"]},
            "terms_and_conditions_version": {"type": ["string", "null"]},
        },
    },
    "SessionRequest": {
        "type": "object",
        "required": ["site"],
        "properties": {
            "site": {"$ref": "#/$defs/Site"},
            "devices": {"type": "array", "items": {"$ref": "#/$defs/DeviceCreateIn"}},
        },
    },
    "EventStatus": {"type": "string", "enum": ["UPCOMING", "ACTIVE", "COMPLETED", "CANCELED"]},
    "EventStatusFilter": {"type": "string", "enum": ["ACTIVE", "COMPLETED", "UPCOMING"]},
    "Event": {
        "type": "object",
        "required": ["id", "program_id", "site_id", "starts_at", "ends_at", "duration_s"],
        "properties": {
            "object_type": {"$ref": "#/$defs/WebhookObjectType"},
            "id": {"type": "string", "format": "uuid"},
            "program_id": {"type": "string", "format": "uuid"},
            "site_id": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": ["string", "null"], "format": "date-time"},
            "duration_s": {"type": ["number", "null"]},
            "schedule": {"type": "array", "items": {"$ref": "#/$defs/EventScheduleItem"}},
            "status": {"$ref": "#/$defs/EventStatus"},
            "is_participating": {"type": "boolean"},
            "device_settings": {"type": "array", "items": {"$ref": "#/$defs/EventBatterySettings"}},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "EventScheduleItem": {
        "type": "object",
        "required": ["device_ids", "starts_at", "ends_at", "duration_s", "is_preparatory_action", "mode"],
        "properties": {
            "device_ids": {"type": "array", "items": {"type": "string"}},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": ["string", "null"], "format": "date-time"},
            "duration_s": {"type": ["number", "null"]},
            "is_preparatory_action": {"type": "boolean"},
            "mode": {"$ref": "#/$defs/BatteryMode"},
        },
    },
    "EventBatterySettings": {
        "type": "object",
        "required": ["device_id"],
        "properties": {
            "device_id": {"type": "string"},
            "backup_reserve_percentage": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
            "maximum_charge_percentage": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
        },
    },
    "EventUpdateIn": {
        "type": "object",
        "properties": {
            "is_participating": {"type": "boolean"},
            "device_settings": {"type": "array", "items": {"$ref": "#/$defs/EventBatterySettings"}},
        },
    },
    "Command": {
        "type": "object",
        "required": [
            "id",
            "event_id",
            "device_id",
            "starts_at",
            "ends_at",
            "duration_s",
            "is_preparatory_action",
            "battery_commands",
            "status",
            "device_status",
            "created_at",
            "updated_at",
        ],
        "properties": {
            "object_type": {"$ref": "#/$defs/WebhookObjectType"},
            "id": {"type": "string", "format": "uuid"},
            "event_id": {"type": ["string", "null"], "format": "uuid"},
            "device_id": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": ["string", "null"], "format": "date-time"},
            "duration_s": {"type": ["number", "null"]},
            "is_preparatory_action": {"type": "boolean"},
            "battery_commands": {"$ref": "#/$defs/BatteryCommand"},
            "status": {"$ref": "#/$defs/CommandStatus"},
            "device_status": {"$ref": "#/$defs/DeviceStatus"},
            "device_status_reason": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "BatteryCommand": {
        "type": "object",
        "required": ["mode"],
        "properties": {
            "mode": {"$ref": "#/$defs/BatteryMode"},
            "power_mode": {"anyOf": [{"$ref": "#/$defs/PowerMode"}, {"type": "null"}]},
            "setpoint_w": {"type": ["integer", "null"], "minimum": 1},
            "enable_grid_import": {"type": ["boolean", "null"]},
            "enable_grid_export": {"type": ["boolean", "null"]},
            "backup_reserve_percentage": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
            "maximum_charge_percentage": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
        },
    },
    "BatteryMode": {
        "type": "string",
        "enum": ["BACKUP", "CHARGE", "DISCHARGE", "SAVINGS", "SELF_CONSUMPTION", "STANDBY"],
    },
    "PowerMode": {"type": "string", "enum": ["FOLLOW_LOAD", "SETPOINT"]},
    "CommandStatus": {"type": "string", "enum": ["CANCELED", "OK", "OPT_OUT"]},
    "DeviceStatus": {"type": "string", "enum": ["PENDING", "OK", "FAILED", "FAILED_OFFLINE", "FAILED_FAULT"]},
    "DeviceStatusUpdate": {"type": "string", "enum": ["OK", "FAILED_OFFLINE", "FAILED_FAULT", "FAILED"]},
    "CommandStatusUpdate": {
        "type": "object",
        "required": ["device_status"],
        "properties": {
            "device_status": {"$ref": "#/$defs/DeviceStatusUpdate"},
            "device_status_reason": {"type": "string"},
        },
    },
    "BatteryTelemetry": {
        "type": "object",
        "required": ["start_time", "duration_s", "device_id"],
        "if": {"required": ["last_is_online"], "properties": {"last_is_online": {"const": True}}},
        "then": {
            "required": [
                "last_mode",
                "battery_last_power_charge_w",
                "battery_last_power_discharge_w",
                "battery_total_energy_charge_wh",
                "battery_total_energy_discharge_wh",
                "battery_last_stored_energy_wh",
                "battery_last_capacity_energy_wh",
                "battery_last_state_of_charge_percentage",
                "battery_last_state_of_health_percentage",
                "last_is_grid_online",
                "home_total_energy_wh",
                "home_last_power_w",
                "solar_total_energy_wh",
                "solar_last_power_w",
            ],
            "properties": {
                "last_mode": {"not": {"type": "null"}},
                "battery_last_power_charge_w": {"not": {"type": "null"}},
                "battery_last_power_discharge_w": {"not": {"type": "null"}},
                "battery_total_energy_charge_wh": {"not": {"type": "null"}},
                "battery_total_energy_discharge_wh": {"not": {"type": "null"}},
                "battery_last_stored_energy_wh": {"not": {"type": "null"}},
                "battery_last_capacity_energy_wh": {"not": {"type": "null"}},
                "battery_last_state_of_charge_percentage": {"not": {"type": "null"}},
                "battery_last_state_of_health_percentage": {"not": {"type": "null"}},
                "last_is_grid_online": {"not": {"type": "null"}},
                "home_total_energy_wh": {"not": {"type": "null"}},
                "home_last_power_w": {"not": {"type": "null"}},
                "solar_total_energy_wh": {"not": {"type": "null"}},
                "solar_last_power_w": {"not": {"type": "null"}},
            },
        },
        "properties": {
            "start_time": {"type": "string", "format": "date-time"},
            "duration_s": {"type": "number"},
            "device_id": {"type": "string"},
            "last_is_online": {"type": ["boolean", "null"]},
            "last_mode": {"type": ["string", "null"]},
            "battery_last_power_charge_w": {"type": ["number", "null"], "minimum": 0},
            "battery_last_power_discharge_w": {"type": ["number", "null"], "minimum": 0},
            "battery_total_energy_charge_wh": {"type": ["number", "null"], "minimum": 0},
            "battery_total_energy_discharge_wh": {"type": ["number", "null"], "minimum": 0},
            "battery_last_stored_energy_wh": {"type": ["number", "null"], "minimum": 0},
            "battery_last_capacity_energy_wh": {"type": ["number", "null"], "minimum": 0},
            "battery_last_backup_reserve_percentage": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
            "battery_last_state_of_charge_percentage": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
            "battery_last_state_of_health_percentage": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
            "last_is_grid_online": {"type": ["boolean", "null"]},
            "home_total_energy_wh": {"type": ["number", "null"], "minimum": 0},
            "home_last_power_w": {"type": ["number", "null"], "minimum": 0},
            "solar_total_energy_wh": {"type": ["number", "null"], "minimum": 0},
            "solar_last_power_w": {"type": ["number", "null"], "minimum": 0},
            "oem_raw_data": {"type": "object", "additionalProperties": True},
        },
    },
    "BatteryTelemetryRequest": {
        "type": "object",
        "required": ["telemetry"],
        "properties": {
            "telemetry": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/$defs/BatteryTelemetry"}},
            "start_time": {"type": "string", "format": "date-time"},
            "duration_s": {"type": "integer"},
        },
    },
    "TelemetryResultStatus": {"type": "string", "enum": ["OK", "FAILED"]},
    "TelemetryResult": {
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "status": {"anyOf": [{"$ref": "#/$defs/TelemetryResultStatus"}, {"type": "null"}]},
            "message": {"type": ["string", "null"]},
        },
    },
    "BatteryCounterTelemetryRequest": {
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "telemetry": {"type": "array", "maxItems": 1000, "items": {"type": "object", "additionalProperties": True}}
        },
    },
    "WebhookEventType": {
        "type": "string",
        "enum": [
            "event.created",
            "event.updated",
            "event.canceled",
            "command.created",
            "command.started",
            "command.ended",
            "command.canceled",
            "command.updated",
            "enrollment.created",
            "enrollment.updated",
            "settings.apply",
        ],
    },
    "WebhookObjectType": {"type": "string", "enum": ["event", "command", "enrollment", "settings_request"]},
    "WebhookEnvelope": {
        "type": "object",
        "required": ["event_type", "event_object"],
        "properties": {
            "event_type": {"type": "string"},
            "event_object": {"type": "object", "additionalProperties": True},
            "timestamp": {"type": "string", "format": "date-time"},
        },
    },
    "CommandWebhook": {
        "type": "object",
        "required": ["event_type", "event_object"],
        "properties": {
            "event_type": {"type": "string"},
            "event_object": {"$ref": "#/$defs/Command"},
            "timestamp": {"type": "string", "format": "date-time"},
        },
    },
    "EventWebhook": {
        "type": "object",
        "required": ["event_type", "event_object"],
        "properties": {
            "event_type": {"type": "string"},
            "event_object": {"$ref": "#/$defs/Event"},
            "timestamp": {"type": "string", "format": "date-time"},
        },
    },
    "EnrollmentWebhook": {
        "type": "object",
        "required": ["event_type", "event_object"],
        "properties": {
            "event_type": {"type": "string"},
            "event_object": {"$ref": "#/$defs/Enrollment"},
            "timestamp": {"type": "string", "format": "date-time"},
        },
    },
    "SettingsRequestWebhook": {
        "type": "object",
        "required": ["event_type", "event_object"],
        "properties": {
            "event_type": {"type": "string"},
            "event_object": {"type": "object", "additionalProperties": True},
            "timestamp": {"type": "string", "format": "date-time"},
        },
    },
    "HTTPValidationError": {
        "type": "object",
        "properties": {"detail": {"type": "array", "items": {"$ref": "#/$defs/ValidationError"}}},
    },
    "ValidationError": {
        "type": "object",
        "required": ["loc", "msg", "type"],
        "additionalProperties": True,
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
    },
    "ErrorItem": {
        "type": "object",
        "additionalProperties": True,
        "properties": {"message": {"type": ["string", "null"]}, "path": {"type": ["string", "null"]}},
    },
    "ErrorResponse": {
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "code": {"type": ["string", "null"]},
            "message": {"type": ["string", "null"]},
            "error": {"type": ["string", "null"]},
            "detail": {
                "anyOf": [
                    {"type": "array", "items": {"$ref": "#/$defs/ValidationError"}},
                    {"type": "string"},
                    {"type": "null"},
                ]
            },
            "errors": {"type": ["array", "null"], "items": {"$ref": "#/$defs/ErrorItem"}},
            "status_code": {"type": ["integer", "null"]},
        },
    },
}
"""The spec's component schemas, which each `#/$defs/<Name>` above refers to. Never change them."""
