"""A site's demand-response events (Mobile App API)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from flip_async import models
from flip_async._operations import Auth, Send, operation
from flip_async._params import json_object, members, query, uuid_text
from flip_async._resource import SiteResource

Status = models.EventStatus | str


class Events(SiteResource):
    """`flip.site(site_id).events`."""

    @operation("list_events", "GET", "/v1/site/{siteId}/events", auth=Auth.SITE)
    async def list(self, send: Send[Events], *, status: Status | Iterable[Status] = ()) -> list[models.Event]:
        """The site's events, newest first; only those with one of the `status` values when any are given."""
        statuses = [status] if isinstance(status, str) else status
        return await send(list[models.Event], params=query(status=members(models.EventStatus, statuses, "status")))

    @operation("get_event", "GET", "/v1/site/{siteId}/event/{eventId}", auth=Auth.SITE)
    async def get(self, send: Send[Events], event_id: UUID | str) -> models.Event:
        return await send(models.Event, path={"eventId": uuid_text(event_id, "event_id")})

    @operation("update_event_participation", "PATCH", "/v1/site/{siteId}/event/{eventId}", auth=Auth.SITE)
    async def update_participation(
        self, send: Send[Events], event_id: UUID | str, update: Mapping[str, Any]
    ) -> models.Event:
        """Change the site's participation (e.g. the homeowner opts out). Flip does not document the body: it is
        sent as given."""
        return await send(
            models.Event, path={"eventId": uuid_text(event_id, "event_id")}, body=json_object(update, "update")
        )
