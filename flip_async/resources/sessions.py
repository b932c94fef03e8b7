"""White-label portal sessions (Cloud API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from flip_async import models
from flip_async._operations import CallOptions, Send, operation
from flip_async._raw import raw_response
from flip_async._resource import Resource
from flip_async._validation import validated


class Sessions(Resource):
    """`flip.sessions`: single-use tokens that open Flip's white-label portal for a site."""

    @operation("create_session")
    async def create(
        self,
        send: Send[dict[str, object]],
        request: models.SessionRequest | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> dict[str, object]:
        """Open a session for the site, commissioning it first when Flip does not know it.

        Flip does not document the answer (presumably it holds the session token), so it comes back as sent.
        """
        return await send(body=validated(request, models.SessionRequest), **options)


class SessionsWithRawResponse:
    """`flip.with_raw_response.sessions`: each method answering with its RawResponse."""

    def __init__(self, sessions: Sessions) -> None:
        self.create = raw_response(sessions.create)
