"""A site's devices (Mobile App API; creating one takes the client token, per Flip's page for it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

import attrs

from flip_async import models
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import patch_body
from flip_async._raw import raw_response
from flip_async._resource import SiteResource
from flip_async._validation import validated
from flip_async.errors import Problem, RequestValidationError


class DeviceChanges(TypedDict, total=False):
    """Update Device's fields, each optional; neither may be null (tests/test_coverage.py checks this on the spec)."""

    attributes: models.DeviceBatteryAttributesUpdate | Mapping[str, Any]
    configuration: models.DeviceBatteryConfigUpdate | Mapping[str, Any]


class Devices(SiteResource):
    """`flip.site(site_id).devices`."""

    @operation("create_device")
    async def create(
        self,
        send: Send[models.Device],
        device: models.DeviceCreateIn | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> models.Device:
        """Add a device to this (already commissioned) site; Flip answers the device as it stored it.

        Its `site_id`, which Create Device requires, must be this site's, and is sent as this site's when left out.
        Per Flip's page for it, this one takes the client token.
        """
        valid = validated(device, models.DeviceCreateIn)
        if valid.site_id is None:
            valid = attrs.evolve(valid, site_id=self.site_id)
        elif valid.site_id != self.site_id:
            raise RequestValidationError([Problem("site_id", f"{valid.site_id!r} is not this site, {self.site_id!r}")])
        return await send(body=valid, **options)

    @operation("list_devices")
    async def list(self, send: Send[list[models.Device]], **options: Unpack[CallOptions]) -> list[models.Device]:
        """Every device Flip holds for the site, with its attributes and configuration."""
        return await send(**options)

    @operation("get_device")
    async def get(self, send: Send[models.Device], device_id: str, **options: Unpack[CallOptions]) -> models.Device:
        """One of the site's devices, by the id it was commissioned with; NotFoundError when the site has none."""
        return await send(path={"deviceId": device_id}, **options)

    @operation("update_device")
    async def update(
        self,
        send: Send[models.Device],
        device_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        **changes: Unpack[DeviceChanges],
    ) -> models.Device:
        """Change the fields given (only those are sent); within them, unset sub-fields keep their values.

        Flip answers the device as it is now.
        """
        body = patch_body(changes, models.DeviceUpdateIn)
        return await send(path={"deviceId": device_id}, body=body, timeout=timeout, max_retries=max_retries)

    @operation("delete_device")
    async def delete(self, send: Send[None], device_id: str, **options: Unpack[CallOptions]) -> None:
        """Remove the device from the site at Flip; the answer has no body."""
        return await send(path={"deviceId": device_id}, **options)


class DevicesWithRawResponse:
    """`site.with_raw_response.devices`: each method answering with its RawResponse."""

    def __init__(self, devices: Devices) -> None:
        self.create = raw_response(devices.create)
        self.list = raw_response(devices.list)
        self.get = raw_response(devices.get)
        self.update = raw_response(devices.update)
        self.delete = raw_response(devices.delete)
