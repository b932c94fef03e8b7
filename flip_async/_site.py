"""The Mobile App API for one site, with its site token fetched on first use and renewed before it expires."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

import attrs

from flip_async import models
from flip_async._base_client import BaseClient, Call, Parsed
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import patch_body
from flip_async._raw import raw_response
from flip_async._resource import resource
from flip_async._spec_types import Auth
from flip_async._time import aware
from flip_async.errors import AuthenticationError
from flip_async.resources.site import (
    Devices,
    DevicesWithRawResponse,
    Enrollments,
    EnrollmentsWithRawResponse,
    Events,
    EventsWithRawResponse,
    SitePrograms,
    SiteProgramsWithRawResponse,
)

__all__ = ["SiteChanges", "SiteClient", "SiteClientWithRawResponse", "SiteTokenKeeper", "SiteTokens"]

logger = logging.getLogger("flip_async")

Clock = Callable[[], datetime]
IssueToken = Callable[[str], Awaitable[models.SiteToken]]


class SiteChanges(TypedDict, total=False):
    """Update Site's fields, each optional; None clears one (the spec lets every one be null)."""

    first_name: str | None
    last_name: str | None
    company_name: str | None
    email: str | None
    state_code: models.StateCode | str | None
    city: str | None
    zip_code: str | None
    street_address: str | None
    street_address2: str | None


@attrs.frozen
class _Grant:
    """A site token and when it expires."""

    token: str = attrs.field(repr=False)
    expires_at: datetime


class SiteTokenKeeper:
    """One site's token: issued on first use, reused until `margin` before it expires, then issued again.

    One lock per site: however many calls need a token at once, one request fetches it and the rest wait for it.
    """

    def __init__(self, site_id: str, issue: IssueToken, *, clock: Clock, margin: timedelta) -> None:
        self._site_id = site_id
        self._issue = issue
        self._clock = clock
        self._margin = margin
        self._grant: _Grant | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        expires_at = self._grant.expires_at.isoformat() if self._grant else None
        return f"{type(self).__name__}(site_id={self._site_id!r}, expires_at={expires_at!r})"

    async def get(self, *, stale: _Grant | None = None) -> _Grant:
        """A usable token; never `stale` (one the API just refused), which is replaced unless already replaced."""
        if self._usable(self._grant, stale):
            assert self._grant is not None
            return self._grant
        async with self._lock:
            # Another call may have fetched a fresh token while this one waited for the lock.
            if not self._usable(self._grant, stale):
                issued = await self._issue(self._site_id)
                self._grant = _Grant(issued.site_access_token, aware(issued.expires_at))
                logger.debug("Got a site token for site %s, expiring at %s", self._site_id, issued.expires_at)
            assert self._grant is not None
            return self._grant

    def _usable(self, grant: _Grant | None, stale: _Grant | None) -> bool:
        return grant is not None and grant is not stale and self._clock() < grant.expires_at - self._margin


class SiteTokens:
    """The token keepers of the `size` sites used most recently, so that a site's token outlives its SiteClient."""

    def __init__(self, issue: IssueToken, *, clock: Clock, margin: timedelta, size: int = 10_000) -> None:
        self._issue = issue
        self._clock = clock
        self._margin = margin
        self._size = size
        self._keepers: OrderedDict[str, SiteTokenKeeper] = OrderedDict()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(sites={len(self._keepers)}, size={self._size})"

    def keeper(self, site_id: str) -> SiteTokenKeeper:
        keeper = self._keepers.get(site_id)
        if keeper is None:
            keeper = SiteTokenKeeper(site_id, self._issue, clock=self._clock, margin=self._margin)
            self._keepers[site_id] = keeper
            if len(self._keepers) > self._size:
                self._keepers.popitem(last=False)
        else:
            self._keepers.move_to_end(site_id)
        return keeper


class SiteClient:
    """The Mobile App API for one site: `get()`, `update(...)`, `devices`, `enrollments`, `events`, `programs`.

    Get one with `flip.site(site_id)`. It sends through its FlipClient (its connection pool and default options),
    with this site's token (or the client token, for the operations the spec says take it). A token the API refuses
    with 401 is replaced once and the call sent again; a second 401 is raised.
    """

    devices = resource(Devices)
    """`Devices`: the site's batteries and chargers."""
    enrollments = resource(Enrollments)
    """`Enrollments`: the site's enrollments in programs."""
    events = resource(Events)
    """`Events`: the demand-response events the site takes part in."""
    programs = resource(SitePrograms)
    """`SitePrograms`: the programs the site can join."""

    def __init__(self, client: BaseClient, site_id: str, tokens: SiteTokenKeeper) -> None:
        self._client = client
        self.site_id = site_id
        """The site's id, as it was commissioned."""
        self._tokens = tokens

    def __repr__(self) -> str:
        return f"SiteClient(site_id={self.site_id!r}, base_url={self._client.base_url!r})"

    @functools.cached_property
    def with_raw_response(self) -> SiteClientWithRawResponse:
        """This site's methods answering with their RawResponse (status, headers, request id, attempts, parse())."""
        return SiteClientWithRawResponse(self)

    @operation("get_site")
    async def get(self, send: Send[models.Site], **options: Unpack[CallOptions]) -> models.Site:
        """The site as Flip holds it: the homeowner's name, email and address."""
        return await send(**options)

    @operation("update_site")
    async def update(
        self,
        send: Send[models.Site],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        **changes: Unpack[SiteChanges],
    ) -> models.Site:
        """Change the given fields only: `update(email="a@b.co", city=None)` sets the email, clears the city and
        leaves the rest as they are. Flip answers the site as it is now."""
        body = patch_body(changes, models.SiteUpdateIn)
        return await send(body=body, timeout=timeout, max_retries=max_retries)

    async def _send(self, call: Call) -> Parsed[Any]:
        call = attrs.evolve(call, path={"siteId": self.site_id, **call.path})
        if call.operation.auth is Auth.CLIENT:
            return await self._client._send(call)
        grant = await self._tokens.get()
        try:
            return await self._client._send(call, token=grant.token)
        except AuthenticationError:
            # Expired early or revoked: a new token, once. The request was refused, so sending it again is safe.
            logger.debug("Site token for site %s refused (401); getting a new one", self.site_id)
            grant = await self._tokens.get(stale=grant)
            return await self._client._send(call, token=grant.token)


class SiteClientWithRawResponse:
    """`flip.site(site_id).with_raw_response`: each method answering with its RawResponse."""

    def __init__(self, site: SiteClient) -> None:
        self.get = raw_response(site.get)
        self.update = raw_response(site.update)
        self.devices = DevicesWithRawResponse(site.devices)
        self.enrollments = EnrollmentsWithRawResponse(site.enrollments)
        self.events = EventsWithRawResponse(site.events)
        self.programs = SiteProgramsWithRawResponse(site.programs)
