"""Keeping secrets that Flip sends back (site tokens) out of what errors carry."""

from __future__ import annotations

import enum
from typing import Any

import attrs

from flip_async import models

REDACTED = "[redacted]"


def _secret_wire_names() -> frozenset[str]:
    # The spec marks secret properties `x-flip-secret`; codegen turns that into repr=False.
    return frozenset(
        field.metadata.get("wire_name", field.name)
        for model in vars(models).values()
        if isinstance(model, type) and not issubclass(model, enum.Enum) and attrs.has(model)
        for field in attrs.fields(model)
        if not field.repr
    )


SECRET_WIRE_NAMES = _secret_wire_names()


def redact_secrets(document: Any) -> Any:
    """`document` (decoded JSON) with the value of every secret property replaced, at any depth."""
    if isinstance(document, dict):
        return {key: REDACTED if key in SECRET_WIRE_NAMES else redact_secrets(value) for key, value in document.items()}
    if isinstance(document, list):
        return [redact_secrets(item) for item in document]
    return document
