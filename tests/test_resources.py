"""The Cloud API resources on FlipClient: behaviour against the sandbox, exact request shapes against mocks."""

from __future__ import annotations

from uuid import uuid4

import pytest
from aioresponses import aioresponses
from support import BASE, TOKEN, add_site, mocked_client, sandboxed, sent

from flip_async import NotFoundError, RequestValidationError, ResponseValidationError, models


async def test_iter_walks_250_sites_in_3_pages_and_list_returns_one_page() -> None:
    async with sandboxed() as (sandbox, flip):
        for number in range(250):
            add_site(sandbox, f"site-{number:03}")
        ids = [site.id async for site in flip.sites.iter(page_size=100)]
        assert ids == [f"site-{number:03}" for number in range(250)]
        assert sandbox.stats.requests["list_sites"] == 3
        page = await flip.sites.list(skip=240, limit=5)
        assert [site.id for site in page] == [f"site-{number}" for number in range(240, 245)]


async def test_iter_stops_on_an_empty_page_when_the_count_is_a_multiple_of_the_page_size() -> None:
    async with sandboxed() as (sandbox, flip):
        for number in range(4):
            add_site(sandbox, f"site-{number}")
        assert len([site async for site in flip.sites.iter(page_size=2)]) == 4
        assert sandbox.stats.requests["list_sites"] == 3


async def test_a_bad_page_size_is_refused_before_anything_is_sent() -> None:
    async with sandboxed() as (sandbox, flip):
        with pytest.raises(RequestValidationError, match="page_size"):
            _ = [site async for site in flip.sites.iter(page_size=0)]
        assert sandbox.stats.requests["list_sites"] == 0


async def test_a_site_token_from_sites_token_opens_that_site_and_an_unknown_site_is_404() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, "site-1")
        token = await flip.sites.token("site-1")
        assert token.site_access_token
        assert token.expires_at.tzinfo is not None
        with pytest.raises(NotFoundError):
            await flip.sites.token("nowhere")


async def test_a_session_commissions_a_new_site_and_answers_as_sent() -> None:
    async with sandboxed() as (sandbox, flip):
        session = await flip.sessions.create({"site": {"id": "site-9", "zip_code": "88801"}})
        assert session["site_id"] == "site-9"
        assert session["session_token"]
        assert "site-9" in sandbox.state.sites
        with pytest.raises(RequestValidationError, match="site"):
            await flip.sessions.create({"devices": []})


async def test_commands_are_listed_and_acknowledged_with_a_reason() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, "site-1", "battery-1")
        command = sandbox.state.create_command("battery-1")
        assert [listed.id for listed in await flip.commands.list()] == [command.id]
        acknowledged = await flip.commands.acknowledge(command.id, "OK", reason="Scheduled on the BMS")
        assert acknowledged.device_status is models.DeviceStatus.OK
        stored = sandbox.state.commands[command.id]
        assert (stored.device_status, stored.device_status_reason) == (models.DeviceStatus.OK, "Scheduled on the BMS")
        # FAILED, of the older pages, the Control guide and a working integration, is taken as well as the newer two.
        for failure in ("FAILED", models.DeviceStatusUpdate.FAILED_OFFLINE, models.DeviceStatusUpdate.FAILED_FAULT):
            acknowledged = await flip.commands.acknowledge(command.id, failure, reason="Inverter offline")
            assert acknowledged.device_status == failure


async def test_an_acknowledgement_that_breaks_the_spec_is_never_sent() -> None:
    async with sandboxed() as (sandbox, flip):
        with pytest.raises(RequestValidationError, match="device_status"):
            await flip.commands.acknowledge(uuid4(), "PENDING")  # Flip's to set, never the fleet's
        with pytest.raises(RequestValidationError, match="command_id"):
            await flip.commands.acknowledge("xyz-123", "OK")
        assert sandbox.stats.requests["update_command_status"] == 0


async def test_programs_are_found_by_device_and_bad_parameters_never_leave() -> None:
    async with sandboxed() as (sandbox, flip):
        programs = await flip.programs.list(device_type="BATTERY", total_capacity_wh=16000, total_power_w=5000)
        assert programs
        assert all(models.DeviceType.BATTERY in p.eligible_device_types for p in programs)
        with pytest.raises(RequestValidationError, match="total_capacity_wh"):
            await flip.programs.list(device_type="BATTERY", total_capacity_wh=0, total_power_w=5000)
        with pytest.raises(RequestValidationError, match="device_type"):
            await flip.programs.list(device_type="battery", total_capacity_wh=1, total_power_w=1)
        assert sandbox.stats.requests["list_programs"] == 1


async def test_settings_and_supplements_send_their_free_form_bodies_as_given() -> None:
    async with sandboxed() as (sandbox, flip):
        settings = await flip.settings.update("sr-1", {"status": "APPLIED", "details": {"mode": "ECO"}})
        assert settings is not None
        assert settings["status"] == "APPLIED"
        assert sandbox.state.settings_requests["sr-1"]["details"] == {"mode": "ECO"}
        supplement = await flip.supplements.create({"kind": "note", "text": "hello"})
        assert supplement is not None
        assert supplement["text"] == "hello"
        with pytest.raises(RequestValidationError, match="supplement"):
            await flip.supplements.create(["not", "an", "object"])  # type: ignore[arg-type]


async def test_query_strings_bodies_and_the_client_token_are_exactly_as_specified(mock_api: aioresponses) -> None:
    command_id = uuid4()
    mock_api.get(f"{BASE}/v1/sites?skip=0&limit=100", payload=[{"id": "a"}])
    mock_api.get(f"{BASE}/v1/programs?device_type=BATTERY&total_capacity_wh=16000&total_power_w=5000", payload=[])
    mock_api.patch(f"{BASE}/v1/command/{command_id}", payload=_command(command_id))
    async with mocked_client() as flip:
        assert [site.id for site in await flip.sites.list()] == ["a"]
        await flip.programs.list(device_type=models.DeviceType.BATTERY, total_capacity_wh=16000, total_power_w=5000)
        await flip.commands.acknowledge(str(command_id).upper(), models.DeviceStatusUpdate.FAILED_OFFLINE)
    assert sent(mock_api, "GET", "/v1/sites", "skip=0&limit=100") == [{"body": None, "token": TOKEN}]
    assert sent(mock_api, "PATCH", f"/v1/command/{command_id}") == [
        {"body": {"device_status": "FAILED_OFFLINE"}, "token": TOKEN}  # no reason given: none sent, not null
    ]


async def test_an_answer_without_a_body_reads_as_none(mock_api: aioresponses) -> None:
    mock_api.patch(f"{BASE}/v1/settings/sr-1", status=204)
    async with mocked_client() as flip:
        assert await flip.settings.update("sr-1", {"status": "APPLIED"}) is None


async def test_an_answer_that_does_not_fit_names_the_expected_type(mock_api: aioresponses) -> None:
    mock_api.get(f"{BASE}/v1/sites?skip=0&limit=100", payload=[{"first_name": "no id"}])
    async with mocked_client() as flip:
        with pytest.raises(ResponseValidationError, match=r"list\[Site\]") as caught:
            await flip.sites.list()
    assert [str(problem) for problem in caught.value.problems] == ["[0].id: required field is missing"]


async def test_an_id_the_path_cannot_carry_is_refused(mock_api: aioresponses) -> None:
    async with mocked_client() as flip:
        for bad in ("a/b", "..", "", "a%2Fb"):
            with pytest.raises(RequestValidationError, match="siteId"):
                await flip.sites.token(bad)
    assert not mock_api.requests


def test_reprs_name_no_token() -> None:
    flip = mocked_client()
    shown = " ".join(map(repr, (flip, flip.sites, flip.telemetry, flip.site("site-1"), flip.site("site-1").devices)))
    assert TOKEN not in shown
    assert "site-1" in shown


def _command(command_id: object) -> dict[str, object]:
    return {
        "id": str(command_id),
        "event_id": None,
        "device_id": "battery-1",
        "starts_at": "2025-06-01T12:00:00Z",
        "ends_at": None,
        "duration_s": None,
        "is_preparatory_action": False,
        "battery_commands": {"mode": "DISCHARGE"},
        "status": "OK",
        "device_status": "FAILED_OFFLINE",
        "created_at": "2025-06-01T12:00:00Z",
        "updated_at": "2025-06-01T12:00:00Z",
    }
