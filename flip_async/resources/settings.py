"""Device settings requests (Cloud API), the other half of the `settings.apply` webhook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from flip_async._operations import CallOptions, Send, operation
from flip_async._params import json_object
from flip_async._raw import raw_response
from flip_async._resource import Resource


class Settings(Resource):
    """`flip.settings`: report on the settings requests Flip sends with `settings.apply` webhooks."""

    @operation("update_settings_request")
    async def update(
        self,
        send: Send[dict[str, object] | None],
        settings_request_id: str,
        update: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> dict[str, object] | None:
        """Report back on a settings request that Flip sent with a `settings.apply` webhook.

        Flip does not document the body or the answer: `update` is sent as given, and the answer comes back as sent
        (None when it has no body).
        """
        return await send(
            path={"settingsRequestId": settings_request_id}, body=json_object(update, "update"), **options
        )


class SettingsWithRawResponse:
    """`flip.with_raw_response.settings`: each method answering with its RawResponse."""

    def __init__(self, settings: Settings) -> None:
        self.update = raw_response(settings.update)
