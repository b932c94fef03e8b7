# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: tests/codegen/fixture.yaml. Regenerate with `make generate` (python codegen/generate.py);
# `make check-generated` fails while this file differs from a fresh generation.
"""Every operation of tests/codegen/fixture.yaml (method, path, token, parameters, body, answers) as data."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any
from uuid import UUID

from flip_async import models
from flip_async._spec_types import Auth, Operation, Parameter, Reply

__all__ = ["DEFS", "OPERATIONS"]

OPERATIONS: MappingProxyType[str, Operation] = MappingProxyType(
    {
        "list_widgets": Operation(
            operation_id="list_widgets",
            summary="List Widgets",
            method="GET",
            path="/v1/shop/{shopId}/widgets",
            auth=Auth.SITE,
            parameters=(
                Parameter(name="shopId", location="path", type=str, required=True, schema={"type": "string"}),
                Parameter(
                    name="color",
                    location="query",
                    type=list[models.Color],
                    required=False,
                    schema={"type": "array", "items": {"$ref": "#/$defs/Color"}},
                ),
                Parameter(
                    name="limit",
                    location="query",
                    type=int,
                    required=True,
                    schema={"type": "integer", "minimum": 1, "default": 10},
                ),
            ),
            responses=MappingProxyType(
                {200: Reply(type=list[models.Widget], schema={"type": "array", "items": {"$ref": "#/$defs/Widget"}})}
            ),
        ),
        "create_widget": Operation(
            operation_id="create_widget",
            summary="Create Widget",
            method="POST",
            path="/v1/shop/{shopId}/widgets",
            auth=Auth.CLIENT,
            parameters=(Parameter(name="shopId", location="path", type=str, required=True, schema={"type": "string"}),),
            body=models.Widget,
            body_schema={"$ref": "#/$defs/Widget"},
            body_required=True,
            responses=MappingProxyType(
                {200: Reply(type=models.Widget, schema={"$ref": "#/$defs/Widget"}), 204: Reply(type=None, schema=None)}
            ),
        ),
        "put_notes": Operation(
            operation_id="put_notes",
            summary="Replace Notes",
            method="PUT",
            path="/v1/widget/{widgetId}/notes",
            auth=Auth.CLIENT,
            parameters=(
                Parameter(
                    name="widgetId",
                    location="path",
                    type=UUID,
                    required=True,
                    schema={"type": "string", "format": "uuid"},
                ),
            ),
            body=dict[str, object],
            body_schema={"type": "object", "additionalProperties": True},
            body_required=False,
            responses=MappingProxyType(
                {200: Reply(type=dict[str, object], schema={"type": "object", "additionalProperties": True})}
            ),
        ),
    }
)
"""Every operation of the spec, by operationId."""

DEFS: dict[str, Any] = {
    "Color": {"type": "string", "enum": ["RED", "dark-green", "2tone"]},
    "Dimensions": {
        "type": "object",
        "required": ["width_mm"],
        "properties": {"width_mm": {"type": "integer", "minimum": 1}, "depth_mm": {"type": ["integer", "null"]}},
    },
    "Widget": {
        "type": "object",
        "required": ["id", "name", "color", "made_at", "tags", "dimensions", "retired_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string"},
            "color": {"$ref": "#/$defs/Color"},
            "trim": {"anyOf": [{"$ref": "#/$defs/Color"}, {"type": "null"}]},
            "made_at": {"type": "string", "format": "date-time"},
            "shipped_on": {"type": ["string", "null"], "format": "date"},
            "retired_at": {"type": ["string", "null"], "format": "date-time"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
            "dimensions": {"$ref": "#/$defs/Dimensions"},
            "parts": {"type": "array", "items": {"$ref": "#/$defs/Dimensions"}},
            "weight_kg": {"type": "number", "minimum": 0},
            "contact": {"type": ["string", "null"], "format": "email"},
            "months": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 12}},
            "in_stock": {"type": "boolean"},
            "class": {"type": "string"},
            "serialNumber": {"type": "string"},
            "legacy_code": {"type": "string"},
            "api_key": {"type": "string"},
            "extra": {"type": "object", "additionalProperties": True},
        },
    },
}
"""The spec's component schemas, which each `#/$defs/<Name>` above refers to. Never change them."""
