"""A site's demand-response events (Mobile App API)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Unpack
from uuid import UUID

from flip_async import models
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import members, query, uuid_text
from flip_async._raw import raw_response
from flip_async._resource import SiteResource
from flip_async._validation import validated

Status = models.EventStatusFilter | str


class Events(SiteResource):
    """`flip.site(site_id).events`."""

    @operation("list_events")
    async def list(
        self,
        send: Send[list[models.Event]],
        *,
        status: Status | Iterable[Status] = (),
        **options: Unpack[CallOptions],
    ) -> list[models.Event]:
        """The site's events, newest first; only those with one of the `status` values when any are given.

        The filter takes ACTIVE, COMPLETED and UPCOMING (what Flip documents for it); a CANCELED event is listed
        unfiltered, with `status` CANCELED.
        """
        statuses = [status] if isinstance(status, str) else status
        return await send(params=query(status=members(models.EventStatusFilter, statuses, "status")), **options)

    @operation("get_event")
    async def get(self, send: Send[models.Event], event_id: UUID | str, **options: Unpack[CallOptions]) -> models.Event:
        """One of the site's events, with its schedule, its battery settings and the site's participation as Flip
        now has them; `NotFoundError` when Flip has no such event for this site."""
        return await send(path={"eventId": uuid_text(event_id, "event_id")}, **options)

    @operation("update_event_participation")
    async def update_participation(
        self,
        send: Send[models.Event],
        event_id: UUID | str,
        update: models.EventUpdateIn | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> models.Event:
        """Change the site's participation in the event; returns the event as Flip now has it.

        `{"is_participating": False}` opts the homeowner out (Flip then sets the event's commands to OPT_OUT, to be
        acknowledged again) and `{"device_settings": [{"device_id": ..., "backup_reserve_percentage": 40}]}` changes a
        device's settings for the event. Checked before it is sent, like every body: an unknown key is refused.
        """
        return await send(
            path={"eventId": uuid_text(event_id, "event_id")}, body=validated(update, models.EventUpdateIn), **options
        )


class EventsWithRawResponse:
    """`site.with_raw_response.events`: each method answering with its RawResponse."""

    def __init__(self, events: Events) -> None:
        self.list = raw_response(events.list)
        self.get = raw_response(events.get)
        self.update_participation = raw_response(events.update_participation)
