"""Keeping secrets out of what an error carries: tokens a server echoes back, and the spec's secret fields."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from multidict import CIMultiDict

from flip_async import models

__all__ = ["REDACTED", "SECRET_FIELDS", "Redactor"]

REDACTED = "[redacted]"


def _secret_fields() -> frozenset[str]:
    # The spec marks secret properties `x-flip-secret`; codegen turns that into repr=False.
    return frozenset(
        field.metadata.get("wire_name", field.name)
        for model in vars(models).values()
        if isinstance(model, type) and not issubclass(model, enum.Enum) and attrs.has(model)
        for field in attrs.fields(model)
        if not field.repr
    )


SECRET_FIELDS = _secret_fields()
"""The wire names of secret properties (e.g. `site_access_token`), whose values are hidden wherever they appear."""


class Redactor:
    """Hides `secrets` (tokens) wherever they appear, however a server wrote them, and every secret field's value."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = set()
        for secret in secrets:
            if secret:
                # PHP and some Java encoders write "/" as "\/" inside JSON strings.
                forms.update({secret, secret.replace("/", "\\/")})
        # Longest first, so that a secret containing another is replaced whole.
        self._forms = sorted(forms, key=len, reverse=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self._forms)} forms>)"

    def text(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def headers(self, headers: Mapping[str, str]) -> CIMultiDict[str]:
        return CIMultiDict((name, self.text(value)) for name, value in headers.items())

    def document(self, document: object) -> object:
        """A copy of decoded JSON with every string redacted and every secret field hidden, at any depth.

        Walked with an explicit stack, not recursion: a hostile body may nest far deeper than Python's stack.
        """
        root: list[Any] = [document]
        pending: list[tuple[Any, Any]] = [(root, 0)]
        while pending:
            parent, key = pending.pop()
            value = parent[key]
            if isinstance(value, dict):
                copied = {self.text(name) if isinstance(name, str) else name: item for name, item in value.items()}
                parent[key] = copied
                for name in copied:
                    if name in SECRET_FIELDS:
                        copied[name] = REDACTED
                    else:
                        pending.append((copied, name))
            elif isinstance(value, list):
                parent[key] = copied_list = list(value)
                pending.extend((copied_list, index) for index in range(len(copied_list)))
            elif isinstance(value, str):
                parent[key] = self.text(value)
        return root[0]
