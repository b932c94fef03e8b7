"""Supplements (Cloud API), a newer operation Flip lists without documenting it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flip_async._operations import Send, operation
from flip_async._params import OBJECT_OR_NOTHING, json_object
from flip_async._resource import Resource


class Supplements(Resource):
    """`flip.supplements`."""

    @operation("create_supplement", "POST", "/v1/supplements")
    async def create(self, send: Send[Supplements], supplement: Mapping[str, Any]) -> dict[str, Any] | None:
        """Send a supplement (POST /v1/supplements): the body goes as given, the answer comes back as sent (or None)."""
        return await send(OBJECT_OR_NOTHING, body=json_object(supplement, "supplement"))
