"""flip.site(site_id): the Mobile App API with site tokens fetched once, renewed in time, and kept per site."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import uuid4

import attrs
import pytest
from aioresponses import aioresponses
from support import BASE, NOW, TOKEN, Clock, add_site, device, mocked_client, sandboxed, sent

from flip_async import AuthenticationError, RequestValidationError, models

SITE = "site-1"


async def test_every_site_operation_works_against_the_sandbox() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, SITE, "battery-1", first_name="Ada")
        site = flip.site(SITE)
        assert (await site.get()).first_name == "Ada"
        assert (await site.update(last_name="Lovelace")).last_name == "Lovelace"

        created = await site.devices.create(device("battery-2", SITE))
        assert created.id == "battery-2"
        assert {listed.id for listed in await site.devices.list()} == {"battery-1", "battery-2"}
        updated = await site.devices.update("battery-2", configuration={"reserve_percentage": 35})
        assert updated.configuration == models.DeviceBatteryConfig(reserve_percentage=35)
        assert (await site.devices.get("battery-2")).configuration == updated.configuration
        await site.devices.delete("battery-2")
        assert "battery-2" not in sandbox.state.devices

        [program] = await site.programs.list(device_type="BATTERY", zip_code="88800")
        assert (await site.programs.get(program.id)).name == program.name
        enrollment = await site.enrollments.create(
            models.EnrollmentCreateIn(
                device_ids=["battery-1"], program_id=program.id, enroll_method=models.EnrollMethod.USER_ACTION
            )
        )
        assert enrollment.status is models.EnrollmentStatus.PENDING
        assert [listed.id for listed in await site.enrollments.list()] == [enrollment.id]
        assert (await site.enrollments.get(enrollment.id)).id == enrollment.id
        await site.enrollments.delete(str(enrollment.id))
        assert sandbox.state.enrollments[enrollment.id].status is models.EnrollmentStatus.UNENROLLED

        upcoming = sandbox.state.create_event(SITE, starts_at=sandbox.state.now() + timedelta(hours=2))
        past = sandbox.state.create_event(SITE, starts_at=sandbox.state.now() - timedelta(days=2))
        events = await site.events.list(status=[models.EventStatus.UPCOMING, "ACTIVE"])
        assert upcoming.id in {event.id for event in events}
        assert past.id not in {event.id for event in events}
        completed = await site.events.list(status="COMPLETED")
        assert past.id in {event.id for event in completed}
        assert {event.status for event in completed} == {models.EventStatus.COMPLETED}
        assert (await site.events.get(upcoming.id)).status is models.EventStatus.UPCOMING
        opted_out = await site.events.update_participation(upcoming.id, models.EventUpdateIn(is_participating=False))
        assert (opted_out.id, opted_out.is_participating) == (upcoming.id, False)
        settings = [{"device_id": "battery-1", "backup_reserve_percentage": 40}]
        reserved = await site.events.update_participation(str(upcoming.id), {"device_settings": settings})
        assert reserved.device_settings == [
            models.EventBatterySettings(device_id="battery-1", backup_reserve_percentage=40)
        ]
        assert reserved.is_participating is False
        assert sandbox.stats.requests["get_site_token"] == 1


async def test_a_participation_update_that_breaks_the_spec_is_never_sent() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, SITE, "battery-1")
        event = sandbox.state.create_event(SITE)
        events = flip.site(SITE).events
        with pytest.raises(RequestValidationError) as raised:
            await events.update_participation(
                event.id,
                {
                    "opt_out": True,
                    "is_participating": "no",
                    "device_settings": [{"device_id": "battery-1", "backup_reserve_percentage": 120}],
                },
            )
        assert [str(problem) for problem in raised.value.problems] == [
            "opt_out: unknown field (expected one of: is_participating, device_settings)",
            "is_participating: expected true or false, got str",
            "device_settings[0].backup_reserve_percentage: must be at most 100, got 120",
        ]
        with pytest.raises(RequestValidationError, match="status"):
            await events.list(status=models.EventStatus.CANCELED)  # not a value of Flip's filter
        assert sandbox.stats.requests["update_event_participation"] == sandbox.stats.requests["list_events"] == 0


async def test_fifty_concurrent_calls_fetch_the_site_token_once() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, SITE)
        sites = await asyncio.gather(*(flip.site(SITE).get() for _ in range(50)))
        assert {site.id for site in sites} == {SITE}
        assert sandbox.stats.requests["get_site_token"] == 1
        assert sandbox.stats.requests["get_site"] == 50


async def test_the_token_is_renewed_a_minute_before_it_expires() -> None:
    clock = Clock()
    async with sandboxed(clock) as (sandbox, flip):
        add_site(sandbox, SITE)
        site = flip.site(SITE)
        await site.get()
        clock.advance(minutes=58)
        await site.get()
        assert sandbox.stats.requests["get_site_token"] == 1
        clock.advance(minutes=1, seconds=1)  # 59:01 in: inside the 60 s margin, still valid at the sandbox
        await flip.site(SITE).get()  # a new SiteClient for the same site shares the token
        assert sandbox.stats.requests["get_site_token"] == 2
        assert sandbox.stats.requests.total() == sandbox.stats.requests["get_site_token"] + 3


async def test_a_token_refused_with_401_is_renewed_once_and_the_call_succeeds() -> None:
    sandbox_clock = Clock()
    # The sandbox's clock runs ahead of the client's: the client still trusts a token the sandbox has expired.
    async with sandboxed(sandbox_clock, client_clock=Clock()) as (sandbox, flip):
        add_site(sandbox, SITE)
        site = flip.site(SITE)
        await site.get()
        sandbox_clock.advance(hours=2)
        assert (await site.get()).id == SITE
        assert sandbox.stats.requests["get_site_token"] == 2
        assert sandbox.stats.requests["get_site"] == 3


async def test_a_second_401_stands(mock_api: aioresponses) -> None:
    _site_tokens(mock_api, SITE, "tok-1", "tok-2")
    mock_api.get(f"{BASE}/v1/site/{SITE}", status=401, payload={"detail": "revoked"}, repeat=True)
    async with mocked_client() as flip:
        with pytest.raises(AuthenticationError):
            await flip.site(SITE).get()
    assert [call["token"] for call in sent(mock_api, "GET", f"/v1/site/{SITE}")] == ["tok-1", "tok-2"]
    assert [call["token"] for call in sent(mock_api, "POST", f"/v1/auth/site/{SITE}")] == [TOKEN, TOKEN]


async def test_each_site_gets_its_own_token_and_create_device_takes_the_client_token(mock_api: aioresponses) -> None:
    _site_tokens(mock_api, "site-a", "tok-a")
    _site_tokens(mock_api, "site-b", "tok-b")
    for site_id in ("site-a", "site-b"):
        mock_api.get(f"{BASE}/v1/site/{site_id}", payload={"id": site_id}, repeat=True)
        mock_api.get(f"{BASE}/v1/site/{site_id}/devices", payload=[], repeat=True)
    mock_api.post(f"{BASE}/v1/site/site-b/devices", payload=_device_payload("battery-9", "site-b"))
    async with mocked_client() as flip:
        await asyncio.gather(*(flip.site(site_id).get() for site_id in ("site-a", "site-b", "site-a", "site-b")))
        await flip.site("site-a").devices.list()
        await flip.site("site-b").devices.create(device("battery-9", "site-b"))
    assert {call["token"] for call in sent(mock_api, "GET", "/v1/site/site-a")} == {"tok-a"}
    assert {call["token"] for call in sent(mock_api, "GET", "/v1/site/site-b")} == {"tok-b"}
    assert [call["token"] for call in sent(mock_api, "GET", "/v1/site/site-a/devices")] == ["tok-a"]
    assert [call["token"] for call in sent(mock_api, "POST", "/v1/site/site-b/devices")] == [TOKEN]


async def test_a_device_for_another_site_is_refused_before_sending(mock_api: aioresponses) -> None:
    async with mocked_client() as flip:
        with pytest.raises(RequestValidationError, match="site_id"):
            await flip.site(SITE).devices.create(device("battery-9", "site-2"))
    assert not mock_api.requests


async def test_a_device_created_without_site_id_is_sent_with_this_sites_which_create_device_requires() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, SITE)
        created = await flip.site(SITE).devices.create(attrs.evolve(device("battery-9", "elsewhere"), site_id=None))
        assert created.site_id == SITE
        assert sandbox.state.devices["battery-9"].site_id == SITE


async def test_a_patch_sends_only_the_given_fields_and_none_clears_one() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, SITE, first_name="Ada", city="London", email="ada@example.com")
        await flip.site(SITE).update(city=None, state_code="CA")
        stored = sandbox.state.sites[SITE]
        assert (stored.first_name, stored.email, stored.city, stored.state_code) == (
            "Ada",
            "ada@example.com",
            None,
            models.StateCode.CA,
        )


async def test_patch_bodies_on_the_wire(mock_api: aioresponses) -> None:
    _site_tokens(mock_api, SITE, "tok-1")
    mock_api.patch(f"{BASE}/v1/site/{SITE}", payload={"id": SITE}, repeat=True)
    mock_api.patch(f"{BASE}/v1/site/{SITE}/device/battery-1", payload=_device_payload("battery-1", SITE))
    async with mocked_client() as flip:
        site = flip.site(SITE)
        await site.update(email=None, state_code=models.StateCode.NY)
        await site.update()
        await site.devices.update("battery-1", attributes=models.DeviceBatteryAttributesUpdate(battery_capacity_wh=9))
    assert [call["body"] for call in sent(mock_api, "PATCH", f"/v1/site/{SITE}")] == [
        {"email": None, "state_code": "NY"},
        {},
    ]
    assert sent(mock_api, "PATCH", f"/v1/site/{SITE}/device/battery-1") == [
        {"body": {"attributes": {"battery_capacity_wh": 9}}, "token": "tok-1"}
    ]


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (lambda site: site.devices.update("battery-1", attributes=None), "attributes: must not be null"),
        (lambda site: site.devices.update("battery-1", configuration={"reserve_percentage": 101}), "at most 100"),
        (lambda site: site.update(email="not an address"), "email"),
        (lambda site: site.update(state_code="DC"), "state_code"),
        (lambda site: site.update(nickname="x"), "nickname: unknown field"),
    ],
)
async def test_a_patch_the_spec_refuses_is_never_sent(mock_api: aioresponses, call: Any, problem: str) -> None:
    async with mocked_client() as flip:
        with pytest.raises(RequestValidationError, match=problem):
            await call(flip.site(SITE))
    assert not mock_api.requests  # not even a token was fetched


async def test_events_filter_by_a_repeated_status_parameter(mock_api: aioresponses) -> None:
    _site_tokens(mock_api, SITE, "tok-1")
    mock_api.get(f"{BASE}/v1/site/{SITE}/events?status=ACTIVE&status=UPCOMING", payload=[])
    mock_api.get(f"{BASE}/v1/site/{SITE}/events", payload=[])
    async with mocked_client() as flip:
        assert await flip.site(SITE).events.list(status=("ACTIVE", models.EventStatus.UPCOMING)) == []
        assert await flip.site(SITE).events.list() == []
        with pytest.raises(RequestValidationError, match=r"status\[1\]"):
            await flip.site(SITE).events.list(status=["ACTIVE", "DONE"])
    assert len(sent(mock_api, "GET", f"/v1/site/{SITE}/events", "status=ACTIVE&status=UPCOMING")) == 1
    assert len(sent(mock_api, "GET", f"/v1/site/{SITE}/events")) == 1


def test_a_site_clients_repr_shows_its_site_not_its_token() -> None:
    flip = mocked_client()
    assert repr(flip.site(SITE)) == f"SiteClient(site_id='{SITE}', base_url='{BASE}')"


def _site_tokens(mock_api: aioresponses, site_id: str, *tokens: str) -> None:
    for token in tokens:
        expires_at = (NOW + timedelta(days=365 * 100)).isoformat()
        mock_api.post(f"{BASE}/v1/auth/site/{site_id}", payload={"site_access_token": token, "expires_at": expires_at})


def _device_payload(device_id: str, site_id: str) -> dict[str, Any]:
    return {
        "id": device_id,
        "site_id": site_id,
        "type": "BATTERY",
        "attributes": {"battery_capacity_wh": 9, "battery_power_input_w": 1, "battery_power_output_w": 1},
        "configuration": None,
    }


async def test_a_participation_update_is_sent_as_flips_own_body_model_or_mapping(mock_api: aioresponses) -> None:
    event_id = uuid4()
    path = f"/v1/site/{SITE}/event/{event_id}"
    _site_tokens(mock_api, SITE, "tok-1")
    event = {
        "id": str(event_id),
        "program_id": str(uuid4()),
        "site_id": SITE,
        "starts_at": "2025-06-02T17:00:00Z",
        "ends_at": None,
        "duration_s": None,
        "is_participating": False,
    }
    mock_api.patch(f"{BASE}{path}", payload=event, repeat=True)
    setting = models.EventBatterySettings(device_id="battery-1", backup_reserve_percentage=40)
    async with mocked_client() as flip:
        events = flip.site(SITE).events
        answered = await events.update_participation(event_id, models.EventUpdateIn(is_participating=False))
        await events.update_participation(event_id, {"device_settings": [setting]})
    assert answered.is_participating is False
    assert sent(mock_api, "PATCH", path) == [
        {"body": {"is_participating": False}, "token": "tok-1"},
        {"body": {"device_settings": [{"device_id": "battery-1", "backup_reserve_percentage": 40}]}, "token": "tok-1"},
    ]
