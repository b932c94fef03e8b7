# pyright: strict
"""What users write, type-checked as they would (`make typecheck`: mypy --strict and pyright in strict mode).

Never run: it only has to type-check. `assert_type` states what each call is typed as.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import assert_type

from flip_async import FlipClient, RawResponse, SiteClient, errors, models
from flip_async.bulk import CommissionOutcome, OutcomeStatus


async def tasks(flip: FlipClient, site_ids: list[str]) -> None:
    token_task = asyncio.create_task(flip.sites.token("abc-789"))
    assert_type(await token_task, models.SiteToken)
    async with asyncio.TaskGroup() as group:
        sites = [group.create_task(flip.site(site_id).get()) for site_id in site_ids]
    assert_type(sites[0].result(), models.Site)
    assert_type(await asyncio.gather(*(flip.site(s).devices.list() for s in site_ids)), list[list[models.Device]])


async def per_call_options(flip: FlipClient) -> None:
    assert_type(await flip.sites.list(timeout=3), list[models.Site])
    assert_type(await flip.sites.list(skip=100, limit=100, max_retries=0), list[models.Site])
    quick = flip.with_options(timeout=5, max_retries=1)
    assert_type(quick, FlipClient)
    site = quick.site("abc-789")
    assert_type(site, SiteClient)
    assert_type(await site.update(email="jo@example.com", city=None, timeout=2), models.Site)
    assert_type(await site.devices.delete("xyz-123", max_retries=0), None)
    assert_type(await flip.settings.update("s-1", {"status": "APPLIED"}), dict[str, object] | None)
    assert_type(await flip.sessions.create({"site": {"id": "abc-789"}}), dict[str, object])
    async for listed in flip.sites.iter(page_size=50, timeout=10):
        assert_type(listed, models.Site)


async def raw_responses(flip: FlipClient) -> None:
    raw = await flip.with_raw_response.sites.list(limit=10, timeout=3)
    assert_type(raw, RawResponse[list[models.Site]])
    assert_type(raw.parse(), list[models.Site])
    assert_type(raw.request_id, str | None)
    device = await flip.with_raw_response.site("abc-789").devices.get("xyz-123", max_retries=0)
    assert_type(device.parse(), models.Device)
    assert_type((await flip.site("abc-789").with_raw_response.get()).attempts, int)


async def commissioning(flip: FlipClient) -> None:
    request = models.CommissionRequest(
        site=models.Site(id="abc-789", zip_code="88800", state_code=models.StateCode.CA),
        devices=[
            models.DeviceCreateIn(
                id="xyz-123",
                site_id="abc-789",
                manufacturer_name="DeviceMaker",
                product_name="Model 1",
                serial_number="123456789",
                type=models.DeviceType.BATTERY,
                attributes=models.DeviceBatteryAttributes(
                    battery_capacity_wh=15000, battery_power_input_w=6000, battery_power_output_w=7500
                ),
                install_date=datetime(2022, 2, 22, tzinfo=UTC),
            )
        ],
        can_auto_enroll=True,
    )
    try:
        response = await flip.commission(request, timeout=10)
    except errors.ConflictError as exc:
        assert_type(exc.status_code, int)
        return
    assert_type(response.programs, list[models.Program])
    async for outcome in flip.commission_many([request, {"site": {"id": "x"}}], concurrency=8, max_retries=1):
        assert_type(outcome, CommissionOutcome)
        if outcome.status is OutcomeStatus.FAILED:
            assert_type(outcome.error, errors.FlipError | None)


async def devices_on_their_site_and_event_participation(flip: FlipClient, event_id: str) -> None:
    # A device may leave out site_id when commissioned with its site: it is sent with site.id.
    battery = models.DeviceCreateIn(
        id="xyz-123",
        manufacturer_name="DeviceMaker",
        product_name="Model 1",
        serial_number="123456789",
        type=models.DeviceType.BATTERY,
        attributes=models.DeviceBatteryAttributes(
            battery_capacity_wh=15000, battery_power_input_w=6000, battery_power_output_w=7500
        ),
        install_date=datetime(2022, 2, 22, tzinfo=UTC),
    )
    await flip.commission(models.CommissionRequest(site=models.Site(id="abc-789"), devices=[battery]))
    events = flip.site("abc-789").events
    opted_out = await events.update_participation(event_id, models.EventUpdateIn(is_participating=False))
    assert_type(opted_out.is_participating, bool | None)
    assert_type(await events.update_participation(event_id, {"is_participating": True}), models.Event)
    for item in opted_out.schedule or []:
        assert_type(item.mode, models.BatteryMode)
    assert_type(await events.list(status=[models.EventStatusFilter.UPCOMING, "ACTIVE"]), list[models.Event])
