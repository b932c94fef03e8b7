"""Sites of the fleet (Cloud API): list them page by page, and issue site tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Unpack

from flip_async import models
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import integer, query
from flip_async._raw import raw_response
from flip_async._resource import Resource

DEFAULT_PAGE_SIZE = 100


class Sites(Resource):
    """`flip.sites`: the sites registered at Flip, and their site tokens."""

    @operation("list_sites")
    async def list(
        self,
        send: Send[list[models.Site]],
        *,
        skip: int = 0,
        limit: int = DEFAULT_PAGE_SIZE,
        **options: Unpack[CallOptions],
    ) -> list[models.Site]:
        """One page of the sites registered at Flip: at most `limit` after the first `skip`; `iter()` reads them all."""
        return await send(params=query(skip=integer(skip, "skip"), limit=integer(limit, "limit")), **options)

    async def iter(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, **options: Unpack[CallOptions]
    ) -> AsyncIterator[models.Site]:
        """Every site, fetched a page at a time; the first page shorter than `page_size` is the last."""
        integer(page_size, "page_size", minimum=1)
        skip = 0
        while True:
            page = await self.list(skip=skip, limit=page_size, **options)
            for site in page:
                yield site
            if len(page) < page_size:
                return
            skip += len(page)

    @operation("get_site_token")
    async def token(
        self, send: Send[models.SiteToken], site_id: str, **options: Unpack[CallOptions]
    ) -> models.SiteToken:
        """A new site token for the Mobile App API (expires after an hour); `flip.site(site_id)` manages them for you.

        Its `repr()` hides the token; do not log `site_access_token` itself.
        """
        return await send(path={"siteId": site_id}, **options)


class SitesWithRawResponse:
    """`flip.with_raw_response.sites`: each method answering with its RawResponse."""

    def __init__(self, sites: Sites) -> None:
        self.list = raw_response(sites.list)
        self.token = raw_response(sites.token)
