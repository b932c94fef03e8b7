"""The programs open to a kind of device (Cloud API)."""

from __future__ import annotations

from typing import Unpack

from flip_async import models
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import integer, member, query
from flip_async._raw import raw_response
from flip_async._resource import Resource


class Programs(Resource):
    """`flip.programs`: utility VPP programs, looked up by device rather than by site."""

    @operation("list_programs")
    async def list(
        self,
        send: Send[list[models.Program]],
        *,
        device_type: models.DeviceType | str,
        total_capacity_wh: int,
        total_power_w: int,
        **options: Unpack[CallOptions],
    ) -> list[models.Program]:
        """The programs Flip offers a device of this type, nominal capacity (Wh) and rated power (W), with no site
        needed: what a device could join before it is commissioned."""
        params = query(
            device_type=member(models.DeviceType, device_type, "device_type"),
            total_capacity_wh=integer(total_capacity_wh, "total_capacity_wh", minimum=1),
            total_power_w=integer(total_power_w, "total_power_w"),
        )
        return await send(params=params, **options)


class ProgramsWithRawResponse:
    """`flip.with_raw_response.programs`: each method answering with its RawResponse."""

    def __init__(self, programs: Programs) -> None:
        self.list = raw_response(programs.list)
