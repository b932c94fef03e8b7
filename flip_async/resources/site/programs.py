"""The programs a site can join (Mobile App API)."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from flip_async import models
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import integer, member, query, uuid_text
from flip_async._raw import raw_response
from flip_async._resource import SiteResource


class SitePrograms(SiteResource):
    """`flip.site(site_id).programs`."""

    @operation("list_site_programs")
    async def list(
        self,
        send: Send[list[models.Program]],
        *,
        device_type: models.DeviceType | str,
        zip_code: str | None = None,
        skip: int = 0,
        limit: int = 100,
        **options: Unpack[CallOptions],
    ) -> list[models.Program]:
        """One page of the programs the site could join with a device of this type, at the homeowner's zip code, each
        with the site's estimated earnings and the enrollment form it needs.

        Pass `zip_code`: it is optional here because one version of Flip's page marks it required and another does
        not, but both known clients of Flip's API always send it. Without it the sandbox uses the site's; what Flip
        does then is not documented.
        """
        params = query(
            zip_code=zip_code,
            device_type=member(models.DeviceType, device_type, "device_type"),
            skip=integer(skip, "skip"),
            limit=integer(limit, "limit"),
        )
        return await send(params=params, **options)

    @operation("get_site_program")
    async def get(
        self, send: Send[models.Program], program_id: UUID | str, **options: Unpack[CallOptions]
    ) -> models.Program:
        """One program, by id, as it applies to this site (estimated earnings, enrollment form, terms)."""
        return await send(path={"programId": uuid_text(program_id, "program_id")}, **options)


class SiteProgramsWithRawResponse:
    """`site.with_raw_response.programs`: each method answering with its RawResponse."""

    def __init__(self, site_programs: SitePrograms) -> None:
        self.list = raw_response(site_programs.list)
        self.get = raw_response(site_programs.get)
