"""Dispatch commands (Cloud API): poll them, and acknowledge each one."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from flip_async import models
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import uuid_text
from flip_async._raw import raw_response
from flip_async._resource import Resource
from flip_async._validation import validated


class Commands(Resource):
    """`flip.commands`: per-device instructions for an event; prefer the `command.*` webhooks to polling."""

    @operation("list_commands")
    async def list(self, send: Send[list[models.Command]], **options: Unpack[CallOptions]) -> list[models.Command]:
        """The commands Flip holds for the fleet."""
        return await send(**options)

    @operation("update_command_status")
    async def acknowledge(
        self,
        send: Send[models.Command],
        command_id: UUID | str,
        device_status: models.DeviceStatusUpdate | str,
        reason: str | None = None,
        **options: Unpack[CallOptions],
    ) -> models.Command:
        """Tell Flip whether the device took the command: OK once scheduled, else a failure value with a `reason`.

        Flip treats a command unacknowledged after 15 minutes as failed; a CANCELED or OPT_OUT change must be
        acknowledged again. `reason=None` leaves `device_status_reason` out.
        """
        update = {"device_status": device_status} | ({} if reason is None else {"device_status_reason": reason})
        return await send(
            path={"commandId": uuid_text(command_id, "command_id")},
            body=validated(update, models.CommandStatusUpdate),
            **options,
        )


class CommandsWithRawResponse:
    """`flip.with_raw_response.commands`: each method answering with its RawResponse."""

    def __init__(self, commands: Commands) -> None:
        self.list = raw_response(commands.list)
        self.acknowledge = raw_response(commands.acknowledge)
