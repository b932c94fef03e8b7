"""A site's devices (Mobile App API; creating one takes the client token, per Flip's page for it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from flip_async import models
from flip_async._operations import Auth, Send, operation
from flip_async._params import patch_body
from flip_async._resource import SiteResource
from flip_async._validation import validated
from flip_async.errors import Problem, RequestValidationError


class DeviceChanges(TypedDict, total=False):
    """Update Device's fields, each optional; neither may be null (tests/test_coverage.py checks this on the spec)."""

    attributes: models.DeviceBatteryAttributesUpdate | Mapping[str, Any]
    configuration: models.DeviceBatteryConfigUpdate | Mapping[str, Any]


class Devices(SiteResource):
    """`flip.site(site_id).devices`."""

    # The client token, not the site's: Flip's page for Create Device says so (openapi/README.md, contradictions).
    @operation("create_device", "POST", "/v1/site/{siteId}/devices", auth=Auth.CLIENT)
    async def create(self, send: Send[Devices], device: models.DeviceCreateIn | Mapping[str, Any]) -> models.Device:
        """Add a device to this (already commissioned) site; its `site_id` must be this site's."""
        valid = validated(device, models.DeviceCreateIn)
        if valid.site_id != self.site_id:
            raise RequestValidationError([Problem("site_id", f"{valid.site_id!r} is not this site, {self.site_id!r}")])
        return await send(models.Device, body=valid)

    @operation("list_devices", "GET", "/v1/site/{siteId}/devices", auth=Auth.SITE)
    async def list(self, send: Send[Devices]) -> list[models.Device]:
        """The site's devices."""
        return await send(list[models.Device])

    @operation("get_device", "GET", "/v1/site/{siteId}/device/{deviceId}", auth=Auth.SITE)
    async def get(self, send: Send[Devices], device_id: str) -> models.Device:
        return await send(models.Device, path={"deviceId": device_id})

    @operation("update_device", "PATCH", "/v1/site/{siteId}/device/{deviceId}", auth=Auth.SITE)
    async def update(self, send: Send[Devices], device_id: str, **changes: Unpack[DeviceChanges]) -> models.Device:
        """Change the fields given (only those are sent); within them, unset sub-fields keep their values."""
        body = patch_body(changes, models.DeviceUpdateIn)
        return await send(models.Device, path={"deviceId": device_id}, body=body)

    @operation("delete_device", "DELETE", "/v1/site/{siteId}/device/{deviceId}", auth=Auth.SITE)
    async def delete(self, send: Send[Devices], device_id: str) -> None:
        return await send(type(None), path={"deviceId": device_id})
