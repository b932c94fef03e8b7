"""The sandbox's own control surface under /_sandbox/: what a utility and Flip do, for a test in another process.

These routes are the sandbox's, not Flip's: they are not in the spec or the operation table, and no path of Flip's
starts with `/_sandbox/`. They take the sandbox's client token, and are served like Flip's operations (the same
authentication, 422s and JSON answers), but are not counted in the stats nor met by injected faults.
"""

from __future__ import annotations

import functools
from datetime import datetime
from types import MappingProxyType
from uuid import UUID

import attrs
from aiohttp import hdrs

from flip_async import models
from flip_async._spec_types import Auth, Operation, Parameter, Reply
from flip_async.errors import Problem
from flip_async.sandbox._handlers import Call, Implementation
from flip_async.sandbox._requests import model
from flip_async.sandbox._state import DEFAULT_COMMAND_SECONDS, DEFAULT_EVENT_SECONDS
from flip_async.sandbox._webhooks import WebhookSender
from flip_async.sandbox._wire import Invalid, problem_detail

__all__ = ["CONTROL_PREFIX", "CommandOrder", "EventOrder", "WebhookSettings", "control_routes"]

CONTROL_PREFIX = "/_sandbox"

_SECONDS = {"type": ["number", "null"], "exclusiveMinimum": 0}
_UUID = {"type": "string", "format": "uuid"}
_DATE_TIME = {"type": "string", "format": "date-time"}


@attrs.frozen(kw_only=True)
class EventOrder:
    """`POST /_sandbox/events`: a demand-response event for a site (`event.created`)."""

    site_id: str
    program_id: UUID | None = None
    """Default: the program of the site's latest enrollment."""
    starts_at: datetime | None = None
    """Default: a day from now."""
    duration_s: float | None = DEFAULT_EVENT_SECONDS
    """Null: open-ended."""


@attrs.frozen(kw_only=True)
class CommandOrder:
    """`POST /_sandbox/commands`: a command for a device, maybe for one of its site's events (`command.created`)."""

    device_id: str
    event_id: UUID | None = None
    starts_at: datetime | None = None
    """Default: a minute from now."""
    duration_s: float | None = DEFAULT_COMMAND_SECONDS
    """Null: open-ended."""
    battery_commands: models.BatteryCommand | None = None
    """Default: discharge following the home's load, down to a 20 % reserve."""
    is_preparatory_action: bool = False


@attrs.frozen(kw_only=True)
class WebhookSettings:
    """`PUT /_sandbox/webhooks`: where the sandbox posts its webhooks from now on, and the key it signs them with."""

    url: str
    secret: str = attrs.field(repr=False)


def _operation(
    operation_id: str,
    method: str,
    path: str,
    body: type | None,
    schema: dict[str, object] | None,
    answer: type | None,
    parameters: tuple[Parameter, ...] = (),
) -> Operation:
    """A control route described as the table describes Flip's operations, so that it is served the same way."""
    return Operation(
        operation_id=operation_id,
        summary=f"Sandbox control: {operation_id}",
        method=method,
        path=CONTROL_PREFIX + path,
        auth=Auth.CLIENT,
        parameters=parameters,
        body=body,
        body_schema=schema,
        body_required=body is not None,
        responses=MappingProxyType({200 if answer else 204: Reply(type=answer, schema=None)}),
    )


_COMMAND_ID = Parameter(name="commandId", location="path", type=UUID, required=True, schema=_UUID)

CREATE_EVENT = _operation(
    "create_event",
    hdrs.METH_POST,
    "/events",
    EventOrder,
    {
        "type": "object",
        "required": ["site_id"],
        "properties": {
            "site_id": {"type": "string", "minLength": 1},
            "program_id": _UUID,
            "starts_at": _DATE_TIME,
            "duration_s": _SECONDS,
        },
    },
    models.Event,
)
CREATE_COMMAND = _operation(
    "create_command",
    hdrs.METH_POST,
    "/commands",
    CommandOrder,
    {
        "type": "object",
        "required": ["device_id"],
        "properties": {
            "device_id": {"type": "string", "minLength": 1},
            "event_id": _UUID,
            "starts_at": _DATE_TIME,
            "duration_s": _SECONDS,
            "battery_commands": {"$ref": "#/$defs/BatteryCommand"},
            "is_preparatory_action": {"type": "boolean"},
        },
    },
    models.Command,
)
CANCEL_COMMAND = _operation(
    "cancel_command", hdrs.METH_POST, "/commands/{commandId}/cancel", None, None, models.Command, (_COMMAND_ID,)
)
CONFIGURE_WEBHOOKS = _operation(
    "configure_webhooks",
    hdrs.METH_PUT,
    "/webhooks",
    WebhookSettings,
    {
        "type": "object",
        "required": ["url", "secret"],
        "properties": {
            "url": {"type": "string", "pattern": "^https?://"},
            "secret": {"type": "string", "minLength": 1},
        },
    },
    None,
)


def _create_event(call: Call) -> models.Event:
    order: EventOrder = call.body
    event = call.state.create_event(
        order.site_id, program_id=order.program_id, starts_at=order.starts_at, duration_s=order.duration_s
    )
    return call.state.event(order.site_id, event.id)


def _create_command(call: Call) -> models.Command:
    order: CommandOrder = call.body
    return call.state.create_command(
        order.device_id,
        event_id=order.event_id,
        starts_at=order.starts_at,
        duration_s=order.duration_s,
        battery_commands=order.battery_commands,
        is_preparatory_action=order.is_preparatory_action,
    )


def _cancel_command(call: Call) -> models.Command:
    return call.state.cancel_command(call.params["commandId"])


def _configure_webhooks(webhooks: WebhookSender, call: Call) -> None:
    settings: WebhookSettings = call.body
    try:
        webhooks.configure(settings.url, settings.secret)
    except ValueError as exc:  # a secret that cannot sign (its message never holds the secret)
        raise Invalid([problem_detail("body", Problem("secret", str(exc)))]) from None


def control_routes(webhooks: WebhookSender) -> list[tuple[Operation, Implementation]]:
    """Every route of the control surface, with its implementation; `webhooks` is the sandbox's sender."""
    return [
        (CREATE_EVENT, Implementation(_create_event, model)),
        (CREATE_COMMAND, Implementation(_create_command, model)),
        (CANCEL_COMMAND, Implementation(_cancel_command, model)),
        (CONFIGURE_WEBHOOKS, Implementation(functools.partial(_configure_webhooks, webhooks), model)),
    ]
