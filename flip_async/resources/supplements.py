"""Supplements (Cloud API), a newer operation Flip lists without documenting it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from flip_async._operations import CallOptions, Send, operation
from flip_async._params import json_object
from flip_async._raw import raw_response
from flip_async._resource import Resource


class Supplements(Resource):
    """`flip.supplements`."""

    @operation("create_supplement")
    async def create(
        self,
        send: Send[dict[str, object] | None],
        supplement: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> dict[str, object] | None:
        """Send Flip a supplement. Flip lists this operation without saying what it does or what it takes: the body
        goes as given, the answer comes back as sent (or None)."""
        return await send(body=json_object(supplement, "supplement"), **options)


class SupplementsWithRawResponse:
    """`flip.with_raw_response.supplements`: each method answering with its RawResponse."""

    def __init__(self, supplements: Supplements) -> None:
        self.create = raw_response(supplements.create)
