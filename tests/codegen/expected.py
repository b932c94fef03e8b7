# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: tests/codegen/fixture.yaml. Regenerate with `make generate` (python codegen/generate.py);
# `make check-generated` fails while this file differs from a fresh generation.
"""The Flip API's schemas as attrs classes and StrEnums, generated from tests/codegen/fixture.yaml."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import attrs


class Color(StrEnum):
    """A colour on the wire."""

    RED = "RED"
    DARK_GREEN = "dark-green"
    FIELD_2TONE = "2tone"


@attrs.define(kw_only=True)
class Dimensions:
    width_mm: int = attrs.field(metadata={"minimum": 1})
    depth_mm: int | None = attrs.field(default=None, metadata={"nullable": True})


@attrs.define(kw_only=True)
class Widget:
    """Everything a widget can carry."""

    id: UUID
    name: str
    """Display name."""
    color: Color
    made_at: datetime
    retired_at: datetime | None
    tags: list[str] = attrs.field(metadata={"maxItems": 10})
    dimensions: Dimensions
    trim: Color | None = attrs.field(default=None, metadata={"nullable": True})
    shipped_on: date | None = attrs.field(default=None, metadata={"nullable": True})
    parts: list[Dimensions] | None = None
    weight_kg: float | None = attrs.field(default=None, metadata={"minimum": 0})
    contact: str | None = attrs.field(default=None, metadata={"format": "email", "nullable": True})
    months: list[int] | None = attrs.field(default=None, metadata={"items": {"maximum": 12, "minimum": 1}})
    in_stock: bool | None = None
    class_: str | None = attrs.field(default=None, metadata={"wire_name": "class"})
    """A keyword-named field."""
    serial_number: str | None = attrs.field(default=None, metadata={"wire_name": "serialNumber"})
    """A camelCase wire name."""
    legacy_code: str | None = None
    """Deprecated."""
    api_key: str | None = attrs.field(default=None, repr=False)
    """Kept out of the repr."""
    extra: dict[str, Any] | None = None
