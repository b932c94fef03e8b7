"""The programs a site can join (Mobile App API)."""

from __future__ import annotations

from uuid import UUID

from flip_async import models
from flip_async._operations import Auth, Send, operation
from flip_async._params import integer, member, query, uuid_text
from flip_async._resource import SiteResource


class SitePrograms(SiteResource):
    """`flip.site(site_id).programs`."""

    @operation("list_site_programs", "GET", "/v1/site/{siteId}/programs", auth=Auth.SITE)
    async def list(
        self,
        send: Send[SitePrograms],
        *,
        device_type: models.DeviceType | str,
        zip_code: str | None = None,
        skip: int = 0,
        limit: int = 100,
    ) -> list[models.Program]:
        """One page of the programs for a device type and the homeowner's zip code (default: the site's)."""
        params = query(
            zip_code=zip_code,
            device_type=member(models.DeviceType, device_type, "device_type"),
            skip=integer(skip, "skip"),
            limit=integer(limit, "limit"),
        )
        return await send(list[models.Program], params=params)

    @operation("get_site_program", "GET", "/v1/site/{siteId}/program/{programId}", auth=Auth.SITE)
    async def get(self, send: Send[SitePrograms], program_id: UUID | str) -> models.Program:
        return await send(models.Program, path={"programId": uuid_text(program_id, "program_id")})
