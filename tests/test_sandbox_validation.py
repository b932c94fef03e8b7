"""The sandbox checks requests by the spec's JSON Schemas, independently of the SDK, and names each problem exactly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from support import add_site, seed_request, seed_row

from flip_async import FlipClient, RequestValidationError, UnprocessableEntityError, _validation
from flip_async.sandbox import Sandbox


class Api:
    """Raw aiohttp to one sandbox, bypassing the SDK: what a request is refused for is the sandbox's own judgement."""

    def __init__(self, http: aiohttp.ClientSession, sandbox: Sandbox) -> None:
        self._http = http
        self.sandbox = sandbox

    async def __call__(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token or self.sandbox.token}"}
        async with self._http.request(method, self.sandbox.base_url + path, headers=headers, **kwargs) as response:
            return response.status, await response.json()

    async def refused(self, method: str, path: str, **kwargs: Any) -> list[tuple[list[str | int], str]]:
        """The (loc, msg) of each problem of a request that must be a 422."""
        status, body = await self(method, path, **kwargs)
        assert status == 422, body
        assert all(detail["type"] for detail in body["detail"])
        return [(detail["loc"], detail["msg"]) for detail in body["detail"]]


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    async with Sandbox() as sandbox, aiohttp.ClientSession() as http:
        yield Api(http, sandbox)


async def test_a_body_flips_schema_allows_is_accepted_though_the_sdk_would_refuse_it(api: Api) -> None:
    body = seed_row("site-1")
    body["site"]["nickname"] = "the cabin"  # not in the spec: the SDK refuses it as a likely typo, FastAPI ignores it
    body["devices"][0]["colour"] = "red"
    async with FlipClient(api.sandbox.token, base_url=api.sandbox.base_url) as flip:
        with pytest.raises(RequestValidationError, match="nickname"):
            await flip.commission(body)
    assert not api.sandbox.stats.requests
    status, _ = await api("POST", "/v1/commission", json=body)
    assert status == 200
    assert api.sandbox.state.sites["site-1"].id == "site-1"


@pytest.fixture
def buggy_sdk_validation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the SDK's request validation had bugs: enums take any value, and commissioning has no rules."""
    monkeypatch.setattr(_validation, "_MODEL_RULES", {})
    monkeypatch.setattr(_validation, "_enum_check", lambda enum_class: _validation._accept)
    _validation._object_check.cache_clear()  # checks are compiled once per model
    yield
    monkeypatch.undo()
    _validation._object_check.cache_clear()


@pytest.mark.usefixtures("buggy_sdk_validation")
async def test_a_request_a_bug_in_the_sdks_validation_lets_through_is_still_refused(api: Api) -> None:
    body = seed_row("site-1", state_code="ZZ")
    body["devices"][0]["site_id"] = "site-2"
    async with FlipClient(api.sandbox.token, base_url=api.sandbox.base_url) as flip:
        with pytest.raises(UnprocessableEntityError) as raised:
            await flip.commission(body)
    assert [detail["loc"] for detail in raised.value.body["detail"]] == [["body", "site", "state_code"]]
    body["site"]["state_code"] = "CA"
    async with FlipClient(api.sandbox.token, base_url=api.sandbox.base_url) as flip:
        with pytest.raises(UnprocessableEntityError) as raised:
            await flip.commission(body)
    assert [detail["loc"] for detail in raised.value.body["detail"]] == [["body", "devices", 0, "site_id"]]
    assert not api.sandbox.state.sites


async def test_a_body_breaking_the_schema_sent_raw_is_refused_with_every_problem_named(api: Api) -> None:
    body = seed_request()
    body["site"] |= {"state_code": "ZZ", "email": "maria garcia at example.com", "zip_code": 88800}
    device = body["devices"][0]
    del device["serial_number"]
    device |= {"type": "SOLAR", "install_date": "22/02/2022", "configuration": {"reserve_percentage": 101}}
    device["attributes"]["battery_capacity_wh"] = "15 kWh"
    body["can_auto_enroll"] = "yes"
    assert await api.refused("POST", "/v1/commission", json=body) == [
        (["body", "site", "email"], "'maria garcia at example.com' is not a valid email address"),
        (["body", "site", "state_code"], "'ZZ' is not a valid state code (one of 51: AK, AL, AR, AZ, …, WY)"),
        (["body", "site", "zip_code"], "expected a string or null, got 88800"),
        (["body", "devices", 0, "serial_number"], "Field required"),
        (["body", "devices", 0, "type"], "'SOLAR' is not a valid device type (one of BATTERY, EV_CHARGER)"),
        (["body", "devices", 0, "attributes", "battery_capacity_wh"], "expected an integer, got '15 kWh'"),
        (["body", "devices", 0, "configuration", "reserve_percentage"], "must be at most 100, got 101"),
        (
            ["body", "devices", 0, "install_date"],
            "'22/02/2022' is not a valid date-time (such as 2025-04-30T12:00:00Z)",
        ),
        (["body", "can_auto_enroll"], "expected true or false, got 'yes'"),
    ]
    assert not api.sandbox.state.sites


async def test_a_nullable_enum_of_the_wrong_type_names_every_type_it_takes(api: Api) -> None:
    add_site(api.sandbox, "site-1")
    token = api.sandbox.site_token("site-1")
    problems = await api.refused("PATCH", "/v1/site/site-1", token=token, json={"state_code": 5, "email": None})
    assert problems == [(["body", "state_code"], "expected a state code or null, got 5")]


@pytest.mark.parametrize(
    "install_date",
    [
        "2022-02-22",
        "2025-04-30 12:00:00.000Z",
        "2025-04-30T12:00:00Z",
        "2025-04-30T12:00:00.123456+01:00",
        "2025-04-30T12:00",
    ],
)
async def test_flips_own_spellings_of_a_date_time_pass(api: Api, install_date: str) -> None:
    body = seed_row("site-1")
    body["devices"][0]["install_date"] = install_date
    status, _ = await api("POST", "/v1/commission", json=body)
    assert status == 200


@pytest.mark.parametrize(
    "install_date", ["2022-02-30", "2022-2-22", "20220222", "2025-04-30T25:00:00Z", "2025-04-30T12:00:00.1234567Z", ""]
)
async def test_other_date_times_are_refused(api: Api, install_date: str) -> None:
    body = seed_row("site-1")
    body["devices"][0]["install_date"] = install_date
    ((loc, msg),) = await api.refused("POST", "/v1/commission", json=body)
    assert loc == ["body", "devices", 0, "install_date"]
    assert "is not a valid date-time" in msg


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("ada@example.com", True),
        ("ada.lovelace+flip@mail.example.co.uk", True),
        ("josé@exemple.fr", True),
        ("ada@example", False),
        ("ada@@example.com", False),
        ("ada.@example.com", False),
        ("ada@-example.com", False),
        ("", False),
    ],
)
async def test_emails_are_checked_as_addresses(api: Api, email: str, valid: bool) -> None:
    status, _ = await api("POST", "/v1/commission", json=seed_row("site-1", email=email))
    assert status == (200 if valid else 422)


async def test_a_huge_bad_value_is_quoted_short(api: Api) -> None:
    ((loc, msg),) = await api.refused("POST", "/v1/commission", json=seed_row("site-1", email="x" * 100_000))
    assert loc == ["body", "site", "email"]
    assert len(msg) < 120


async def test_path_query_and_body_problems_are_named_together(api: Api) -> None:
    problems = await api.refused("PATCH", "/v1/command/not-a-uuid", json={"device_status": "PENDING", "extra": 1})
    assert problems == [
        (["path", "commandId"], "'not-a-uuid' is not a valid UUID"),
        (
            ["body", "device_status"],
            "'PENDING' is not a valid device status update (one of OK, FAILED_OFFLINE, FAILED_FAULT, FAILED)",
        ),
    ]
    missing = await api.refused("GET", "/v1/programs?device_type=BATTERY&total_capacity_wh=0")
    assert missing == [
        (["query", "total_capacity_wh"], "must be at least 1, got 0"),
        (["query", "total_power_w"], "Field required"),
    ]


async def test_a_missing_body_is_a_422_at_body(api: Api) -> None:
    assert await api.refused("PATCH", "/v1/settings/s-1") == [(["body"], "Field required")]


async def test_the_rules_the_schema_cannot_say_are_422s_naming_each_device(api: Api) -> None:
    body = seed_row("site-1")
    twin = {**body["devices"][0], "serial_number": "2"}
    elsewhere = {**body["devices"][0], "id": "other", "site_id": "site-2"}
    body["devices"] += [twin, elsewhere]
    assert await api.refused("POST", "/v1/commission", json=body) == [
        (["body", "devices", 1, "id"], "'site-1-battery' is the id of an earlier device of this request"),
        (["body", "devices", 2, "site_id"], "'site-2' does not match site.id 'site-1'"),
    ]
    no_devices = {**body, "devices": []}
    assert await api.refused("POST", "/v1/commission", json=no_devices) == [
        (["body", "devices"], "must contain at least one device")
    ]
    assert not api.sandbox.state.sites


async def test_a_whole_number_written_as_a_float_is_an_integer_while_it_fits_in_64_bits(api: Api) -> None:
    body = seed_row("site-1")
    body["devices"][0]["attributes"] |= {"battery_capacity_wh": 15000.0, "battery_power_input_w": 1e20}
    ((loc, msg),) = await api.refused("POST", "/v1/commission", json=body)
    assert (loc, msg) == (
        ["body", "devices", 0, "attributes", "battery_power_input_w"],
        "expected an integer, got 1e+20",
    )
    body["devices"][0]["attributes"]["battery_power_input_w"] = 6000
    assert (await api("POST", "/v1/commission", json=body))[0] == 200
    assert api.sandbox.state.devices["site-1-battery"].attributes.battery_capacity_wh == 15000
