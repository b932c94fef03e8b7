"""Flip webhook bodies as typed events: the envelope read leniently, its object structured by the kind it names."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeAlias

import attrs
import orjson

from flip_async import models
from flip_async._converter import WireShapeError, structure
from flip_async.errors import FlipError, Problem

__all__ = ["EventData", "WebhookEvent", "WebhookPayloadError", "parse_event"]

EventData: TypeAlias = models.Command | models.Event | models.Enrollment | dict[str, Any]

# Keyed by event_object.object_type; the event_type prefix ("command.created") names the same kinds, which is what
# makes it a fallback for older payloads without object_type. settings_request has no documented schema: raw dict.
_MODELS: dict[str, type[models.Command | models.Event | models.Enrollment]] = {
    models.WebhookObjectType.COMMAND: models.Command,
    models.WebhookObjectType.EVENT: models.Event,
    models.WebhookObjectType.ENROLLMENT: models.Enrollment,
}

_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number"}


class WebhookPayloadError(FlipError):
    """A webhook body is not a Flip envelope at all: not JSON, not a JSON object, or without an `event_type`."""


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """One Flip webhook. `data` is a model for a known kind, else the raw `event_object` (see `problems`)."""

    type: str
    """The raw event_type, e.g. "command.created" (compare with models.WebhookEventType)."""
    data: EventData
    """models.Command, models.Event or models.Enrollment; a dict for settings.apply, an unknown kind, or a misfit."""
    raw: dict[str, Any] = attrs.field(repr=False)
    """The whole envelope as received."""
    timestamp: datetime | None = None
    """When the event happened (the envelope's `timestamp`), if given and readable."""
    object_type: str | None = None
    """event_object.object_type as sent; None in older payloads that leave it out."""
    webhook_id: str | None = None
    """The webhook-id header: the same on every re-delivery, so a key for idempotent processing."""
    problems: tuple[Problem, ...] = ()
    """Why part of the payload could not be typed (the raw values are kept in `data` and `raw`); empty when all fit."""


def parse_event(body: bytes, *, webhook_id: str | None = None) -> WebhookEvent:
    """The typed event in a webhook body. Only a body that is no envelope at all raises WebhookPayloadError."""
    envelope = _envelope(body)
    timestamp, timestamp_problems = _timestamp(envelope.get("timestamp"))
    data, data_problems = _data(envelope)
    return WebhookEvent(
        type=envelope["event_type"],
        data=data,
        raw=envelope,
        timestamp=timestamp,
        object_type=_object_type(envelope.get("event_object")),
        webhook_id=webhook_id,
        problems=timestamp_problems + data_problems,
    )


def _envelope(body: bytes) -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise WebhookPayloadError(f"the webhook body is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise WebhookPayloadError(f"the webhook body is {_json_kind(document)}, not a JSON object")
    if "event_type" not in document:
        raise WebhookPayloadError("the webhook body has no event_type")
    event_type = document["event_type"]
    if not isinstance(event_type, str):
        raise WebhookPayloadError(f"the webhook body's event_type must be a string, got {_json_kind(event_type)}")
    if not event_type.strip():
        raise WebhookPayloadError("the webhook body's event_type is empty")
    return document


def _timestamp(value: Any) -> tuple[datetime | None, tuple[Problem, ...]]:
    if value is None:
        return None, ()
    try:
        return structure(value, datetime), ()
    except WireShapeError as exc:
        return None, _within("timestamp", exc.problems)


def _data(envelope: dict[str, Any]) -> tuple[EventData, tuple[Problem, ...]]:
    if "event_object" not in envelope:
        return {}, (Problem(path="event_object", message="required field is missing"),)
    event_object = envelope["event_object"]
    if not isinstance(event_object, dict):
        return {}, (Problem(path="event_object", message=f"expected an object, got {_json_kind(event_object)}"),)
    model = _MODELS.get(_object_type(event_object) or envelope["event_type"].partition(".")[0])
    if model is None:
        return event_object, ()
    try:
        return structure(event_object, model), ()
    except WireShapeError as exc:
        return event_object, _within("event_object", exc.problems)


def _object_type(event_object: Any) -> str | None:
    value = event_object.get("object_type") if isinstance(event_object, dict) else None
    return value if isinstance(value, str) and value else None


def _within(prefix: str, problems: list[Problem]) -> tuple[Problem, ...]:
    """Problems re-pathed from a part of the envelope to the whole (`starts_at` -> `event_object.starts_at`)."""
    return tuple(
        Problem(path=prefix if problem.path == "$" else f"{prefix}.{problem.path}", message=problem.message)
        for problem in problems
    )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return _JSON_KINDS.get(type(value), type(value).__name__)
