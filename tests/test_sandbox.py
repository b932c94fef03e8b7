"""The embedded sandbox's behaviour, operation by operation, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import aiohttp
import attrs
import pytest
from support import commission_request

from flip_async import ConflictError, FlipClient, RetryPolicy, models
from flip_async._spec_types import Auth
from flip_async.sandbox import PROGRAMS, Faults, Rejected, Sandbox, serve
from flip_async.sandbox._auth import Authenticator

SITE = "site-1"
DEVICE = "battery-1"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PROGRAM_NAMES = {program.id: program.name for program in PROGRAMS}


@attrs.frozen
class Reply:
    status: int
    body: Any
    headers: Any


class Api:
    """Raw HTTP to one sandbox; the client token unless `token=` says otherwise (None: no Authorization header)."""

    def __init__(self, http: aiohttp.ClientSession, sandbox: Sandbox) -> None:
        self._http = http
        self.sandbox = sandbox

    async def __call__(
        self, method: str, path: str, *, token: str | bool | None = True, json: Any = None, **kwargs: Any
    ) -> Reply:
        bearer = self.sandbox.token if token is True else token
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        async with self._http.request(
            method, self.sandbox.base_url + path, headers=headers, json=json, **kwargs
        ) as response:
            body = await response.json() if response.content_type == "application/json" else await response.read()
            return Reply(response.status, body, response.headers)

    def site_token(self, site_id: str = SITE) -> str:
        return self.sandbox.site_token(site_id)


class Clock:
    """A settable "now" for the sandbox."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[Sandbox]:
    async with Sandbox(clock=clock) as running:
        yield running


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as http:
        yield Api(http, sandbox)


def device(device_id: str = DEVICE, site_id: str = SITE, kind: str = "BATTERY") -> dict[str, Any]:
    return {
        "id": device_id,
        "site_id": site_id,
        "manufacturer_name": "DeviceMaker",
        "product_name": "Model 1",
        "serial_number": f"SN-{device_id}",
        "type": kind,
        "attributes": {"battery_capacity_wh": 15000, "battery_power_input_w": 6000, "battery_power_output_w": 7500},
        "install_date": "2022-02-22",
    }


def commission_body(
    site_id: str = SITE, zip_code: str | None = "88800", kinds: tuple[str, ...] = ("BATTERY",), **extra: Any
) -> dict[str, Any]:
    devices = [device(f"{site_id}-{kind.lower()}-{index}", site_id, kind) for index, kind in enumerate(kinds)]
    return {"site": {"id": site_id, "zip_code": zip_code, "state_code": "CA"}, "devices": devices, **extra}


async def commissioned(api: Api, **body: Any) -> Any:
    reply = await api("POST", "/v1/commission", json=commission_body(**body))
    assert reply.status == 200, reply.body
    return reply.body


# Commissioning --------------------------------------------------------------------------------------------------------


async def test_auto_enrollment_in_88800_enrolls_every_device_and_flip_client_reads_it(sandbox: Sandbox) -> None:
    request = commission_body(kinds=("BATTERY", "BATTERY"), can_auto_enroll=True)
    async with FlipClient(sandbox.token, base_url=sandbox.base_url) as flip:
        response = await flip.commission(request)
    assert [program.name for program in response.programs] == ["Sandbox Summer Peak Rewards"]
    enrollment = response.enrollment
    assert enrollment is not None
    assert (enrollment.status, enrollment.enroll_method) == (
        models.EnrollmentStatus.ACTIVE,
        models.EnrollMethod.AUTO_ENROLL,
    )
    assert enrollment.device_ids == [item["id"] for item in request["devices"]]
    assert enrollment.program_id == response.programs[0].id
    assert enrollment.enrolled_at == NOW
    assert set(sandbox.state.devices) == set(enrollment.device_ids)
    assert sandbox.stats.sites_created == 1


@pytest.mark.parametrize(
    ("zip_code", "kinds", "programs"),
    [
        ("88800", ("BATTERY",), ["Sandbox Summer Peak Rewards"]),
        ("88800", ("EV_CHARGER",), ["Sandbox EV Smart Charging"]),
        ("88801", ("BATTERY",), ["Sandbox Battery Savers Plus", "Sandbox Winter Grid Support"]),
        ("88801", ("EV_CHARGER",), ["Sandbox Winter Grid Support"]),
        ("88802", ("BATTERY", "EV_CHARGER"), [program.name for program in PROGRAMS]),
        ("94110", ("BATTERY",), []),
        (None, ("BATTERY",), []),
    ],
)
async def test_each_zip_code_matches_its_programs_for_the_device_types(
    api: Api, zip_code: str | None, kinds: tuple[str, ...], programs: list[str]
) -> None:
    body = await commissioned(api, zip_code=zip_code, kinds=kinds)
    assert [program["name"] for program in body["programs"]] == programs
    assert "enrollment" not in body


@pytest.mark.parametrize(
    ("zip_code", "kinds", "enrolled_in"),
    [
        ("88800", ("EV_CHARGER",), "Sandbox EV Smart Charging"),
        ("88801", ("BATTERY",), None),  # gated by terms: never auto-enrolled
        ("88802", ("BATTERY", "EV_CHARGER"), None),  # no auto-enrollable program takes both device types
    ],
)
async def test_auto_enrollment_needs_an_auto_enrollable_program_taking_every_device(
    api: Api, zip_code: str, kinds: tuple[str, ...], enrolled_in: str | None
) -> None:
    body = await commissioned(api, zip_code=zip_code, kinds=kinds, can_auto_enroll=True)
    enrollment = body.get("enrollment")
    assert (PROGRAM_NAMES[UUID(enrollment["program_id"])] if enrollment else None) == enrolled_in


async def test_test_programs_carry_terms_forms_months_and_earnings(api: Api) -> None:
    body = await commissioned(api, zip_code="88801")
    gated = body["programs"][0]
    assert gated["can_auto_enroll"] is False
    assert gated["terms_and_conditions_version"] == "2025-01-01"
    assert gated["terms_and_conditions_text"]
    assert gated["enrollment_form"] == [
        {
            "name": "account_id",
            "label": "Utility Account Number",
            "type": "string",
            "hint": gated["enrollment_form"][0]["hint"],
        }
    ]
    assert gated["participation_months"] == list(range(1, 13))
    assert (gated["earnings_for_site_upfront"], gated["earnings_for_site_yearly"]) == (250, 300)


async def test_a_repeated_site_is_a_409_that_flip_client_raises_as_conflict(sandbox: Sandbox, api: Api) -> None:
    await commissioned(api)
    again = await api("POST", "/v1/commission", json=commission_body())
    assert (again.status, again.body) == (409, {"detail": f"site {SITE!r} is already commissioned"})
    async with FlipClient(sandbox.token, base_url=sandbox.base_url, retry_policy=RetryPolicy.immediate()) as flip:
        with pytest.raises(ConflictError) as raised:
            await flip.commission(commission_body())
    assert raised.value.attempts == 1
    # Flip's own words, from FastAPI's {"detail": ...}, are what the user reads.
    assert str(raised.value) == (
        f"409 Conflict from POST /v1/commission: site {SITE!r} is already commissioned"
        f" (request id {raised.value.request_id})"
    )
    assert (sandbox.stats.conflicts, sandbox.stats.sites_created) == (2, 1)


async def test_a_device_id_already_taken_is_a_409_and_creates_nothing(sandbox: Sandbox, api: Api) -> None:
    await commissioned(api, site_id="a")
    body = commission_body(site_id="b")
    body["devices"][0]["id"] = "a-battery-0"
    reply = await api("POST", "/v1/commission", json=body)
    assert (reply.status, reply.body) == (409, {"detail": "device 'a-battery-0' already exists"})
    assert list(sandbox.state.sites) == ["a"]


async def test_devices_may_leave_out_site_id_when_commissioned_but_not_when_created_alone(
    sandbox: Sandbox, api: Api
) -> None:
    body = commission_body()
    del body["devices"][0]["site_id"]  # Flip's newer commission body
    assert (await api("POST", "/v1/commission", json=body)).status == 200
    assert sandbox.state.devices[f"{SITE}-battery-0"].site_id == SITE
    alone = {key: value for key, value in device("battery-9").items() if key != "site_id"}
    refused = await api("POST", f"/v1/site/{SITE}/devices", json=alone)
    assert (refused.status, refused.body["detail"]) == (
        422,
        [
            {
                "loc": ["body", "site_id"],
                "msg": "is required by Create Device: the site in the path, 'site-1'",
                "type": "value_error",
            }
        ],
    )


async def test_a_body_breaking_the_spec_is_a_422_locating_each_problem(api: Api) -> None:
    body = commission_body()
    body["site"]["state_code"] = "ZZ"
    del body["devices"][0]["serial_number"]
    reply = await api("POST", "/v1/commission", json=body)
    assert reply.status == 422
    assert [detail["loc"] for detail in reply.body["detail"]] == [
        ["body", "site", "state_code"],
        ["body", "devices", 0, "serial_number"],
    ]
    assert all(detail["msg"] and detail["type"] for detail in reply.body["detail"])


async def test_the_sdk_rules_beyond_the_schema_are_422s_too(api: Api) -> None:
    body = commission_body()
    body["devices"][0]["site_id"] = "elsewhere"
    reply = await api("POST", "/v1/commission", json=body)
    assert reply.status == 422
    assert [detail["loc"] for detail in reply.body["detail"]] == [["body", "devices", 0, "site_id"]]


async def test_a_body_that_is_not_json_is_fastapis_422_on_every_operation(api: Api) -> None:
    commission = await api("POST", "/v1/commission", data=b'{"site": ')
    assert (commission.status, commission.body) == (
        422,
        {"detail": [{"loc": ["body", 9], "msg": "JSON decode error: unexpected end of data", "type": "json_invalid"}]},
    )
    supplement = await api("POST", "/v1/supplements", data=b"{nope")
    assert supplement.status == 422
    assert supplement.body["detail"][0]["type"] == "json_invalid"
    empty = await api("POST", "/v1/commission", data=b"")
    assert (empty.status, empty.body["detail"][0]["loc"]) == (422, ["body"])


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (None, "send the token as `Authorization: Bearer <token>`"),
        ("wrong", "this operation takes the client token"),
        ("Basic abc", "this operation takes the client token"),
    ],
)
async def test_a_missing_or_wrong_client_token_is_a_401_saying_why(api: Api, token: str | None, detail: str) -> None:
    reply = await api("POST", "/v1/commission", token=token, json=commission_body())
    assert (reply.status, reply.body) == (401, {"detail": detail})


async def test_unknown_paths_and_methods_answer_as_fastapi_does(api: Api) -> None:
    missing = await api("GET", "/v1/nowhere")
    assert (missing.status, missing.body) == (404, {"detail": "Not Found"})
    wrong_method = await api("DELETE", "/v1/commission")
    assert (wrong_method.status, wrong_method.body) == (405, {"detail": "Method Not Allowed"})
    assert "POST" in wrong_method.headers["Allow"]


async def test_every_answer_carries_its_own_request_id_which_outcomes_quote(sandbox: Sandbox, api: Api) -> None:
    replies = [
        await api("GET", "/v1/sites"),
        await api("GET", "/v1/nowhere"),
        await api("GET", "/v1/sites", token=None),
    ]
    ids = [reply.headers.get("x-request-id") for reply in replies]
    assert None not in ids
    assert len(set(ids)) == len(ids)
    async with FlipClient(sandbox.token, base_url=sandbox.base_url) as flip:
        outcomes = [outcome async for outcome in flip.commission_many([commission_body("site-rid")])]
    assert re.fullmatch("[0-9a-f]{32}", outcomes[0].request_id or "")


# Site tokens ----------------------------------------------------------------------------------------------------------


async def test_a_site_token_opens_its_own_site_only(api: Api) -> None:
    await commissioned(api)
    await commissioned(api, site_id="other")
    issued = await api("POST", f"/v1/auth/site/{SITE}")
    assert issued.status == 200
    token = issued.body["site_access_token"]
    assert issued.body["expires_at"] == "2025-06-01T13:00:00Z"
    assert (await api("GET", f"/v1/site/{SITE}", token=token)).body["id"] == SITE
    assert (await api("GET", "/v1/site/other", token=token)).status == 403
    # Each token type authenticates only its own operations.
    assert (await api("GET", f"/v1/site/{SITE}")).status == 401
    assert (await api("GET", "/v1/sites", token=token)).status == 401
    assert (await api("POST", "/v1/auth/site/unknown")).status == 404


async def test_a_site_token_expires_after_an_hour_by_the_sandbox_clock(api: Api, clock: Clock) -> None:
    await commissioned(api)
    token = (await api("POST", f"/v1/auth/site/{SITE}")).body["site_access_token"]
    clock.now = NOW + timedelta(minutes=59)
    assert (await api("GET", f"/v1/site/{SITE}", token=token)).status == 200
    clock.now = NOW + timedelta(hours=1)
    expired = await api("GET", f"/v1/site/{SITE}", token=token)
    assert (expired.status, expired.body) == (401, {"detail": "the site token has expired; request a new one"})


def test_expired_site_tokens_are_forgotten_so_a_long_running_sandbox_stays_small(clock: Clock) -> None:
    auth = Authenticator("client-token", clock)
    first = auth.issue(SITE).site_access_token
    for minute in range(1, 10 * 60):  # ten hours, a token a minute
        clock.now = NOW + timedelta(minutes=minute)
        auth.issue(SITE)
        if minute == 90:  # expired half an hour ago, and still told so
            with pytest.raises(Rejected, match="the site token has expired"):
                auth.check(Auth.SITE, f"Bearer {first}", SITE)
    # An hour of live tokens, and an hour of expired ones that still say so: never the ten hours' 600.
    assert auth.site_tokens == 121
    with pytest.raises(Rejected, match="takes a site token"):  # forgotten: as unknown as any other
        auth.check(Auth.SITE, f"Bearer {first}", SITE)


def test_expired_sessions_are_forgotten_as_new_ones_open(sandbox: Sandbox, clock: Clock) -> None:
    sandbox.state.commission(commission_request(SITE, device_ids=(DEVICE,), can_auto_enroll=False))
    for minute in range(0, 600, 5):
        clock.now = NOW + timedelta(minutes=minute)
        sandbox.state.open_session(models.SessionRequest(site=models.Site(id=SITE)))
    assert len(sandbox.state.sessions) == 3  # the last ten minutes' (a session lives ten minutes)


# Sites ----------------------------------------------------------------------------------------------------------------


async def test_sites_are_listed_in_order_with_skip_and_limit(api: Api) -> None:
    for index in range(5):
        await commissioned(api, site_id=f"s{index}")
    page = await api("GET", "/v1/sites", params={"skip": "1", "limit": "2"})
    assert [site["id"] for site in page.body] == ["s1", "s2"]
    assert len((await api("GET", "/v1/sites")).body) == 5
    bad = await api("GET", "/v1/sites", params={"limit": "many"})
    assert (bad.status, bad.body["detail"][0]["loc"]) == (422, ["query", "limit"])


async def test_patching_a_site_changes_only_the_keys_given_and_null_clears(api: Api, clock: Clock) -> None:
    await commissioned(api)
    clock.now = NOW + timedelta(minutes=5)
    token = api.site_token()
    reply = await api("PATCH", f"/v1/site/{SITE}", token=token, json={"city": "Oakland", "state_code": None})
    assert reply.status == 200
    assert (reply.body["city"], reply.body["zip_code"]) == ("Oakland", "88800")
    assert "state_code" not in reply.body
    assert reply.body["updated_at"] == "2025-06-01T12:05:00Z"
    assert reply.body["created_at"] == "2025-06-01T12:00:00Z"
    invalid = await api("PATCH", f"/v1/site/{SITE}", token=token, json={"state_code": "DC"})
    assert (invalid.status, invalid.body["detail"][0]["loc"]) == (422, ["body", "state_code"])


# Devices --------------------------------------------------------------------------------------------------------------


async def test_devices_can_be_created_read_updated_and_deleted(api: Api) -> None:
    await commissioned(api)
    token = api.site_token()
    created = await api("POST", f"/v1/site/{SITE}/devices", json=device("ev-1", kind="EV_CHARGER"))
    assert created.status == 200
    assert created.body["install_date"] == "2022-02-22T00:00:00Z"
    assert (await api("POST", f"/v1/site/{SITE}/devices", json=device("ev-1"))).status == 409
    listed = await api("GET", f"/v1/site/{SITE}/devices", token=token)
    assert [item["id"] for item in listed.body] == [f"{SITE}-battery-0", "ev-1"]
    path = f"/v1/site/{SITE}/device/{SITE}-battery-0"
    updated = await api(
        "PATCH",
        path,
        token=token,
        json={"attributes": {"battery_capacity_wh": 20000}, "configuration": {"reserve_percentage": 30.4}},
    )
    assert updated.body["attributes"] == {
        "battery_capacity_wh": 20000,
        "battery_power_input_w": 6000,
        "battery_power_output_w": 7500,
    }
    assert updated.body["configuration"] == {"reserve_percentage": 30}
    assert (await api("GET", path, token=token)).body == updated.body
    assert (await api("DELETE", path, token=token)).status == 204
    assert (await api("GET", path, token=token)).status == 404


async def test_a_new_device_must_name_an_existing_site_and_match_it(api: Api) -> None:
    await commissioned(api)
    assert (await api("POST", "/v1/site/nowhere/devices", json=device("d", site_id="nowhere"))).status == 404
    mismatched = await api("POST", f"/v1/site/{SITE}/devices", json=device("d", site_id="other"))
    assert (mismatched.status, mismatched.body["detail"][0]["loc"]) == (422, ["body", "site_id"])


# Programs and enrollments ---------------------------------------------------------------------------------------------


async def test_programs_are_found_by_device_type_and_zip_code(api: Api) -> None:
    await commissioned(api, zip_code="88801")
    token = api.site_token()
    missing = await api("GET", "/v1/programs", params={"device_type": "BATTERY"})
    assert [detail["loc"] for detail in missing.body["detail"]] == [
        ["query", "total_capacity_wh"],
        ["query", "total_power_w"],
    ]
    query = {"device_type": "EV_CHARGER", "total_capacity_wh": "60000", "total_power_w": "11000"}
    every_ev = await api("GET", "/v1/programs", params=query)
    assert [program["name"] for program in every_ev.body] == [
        "Sandbox EV Smart Charging",
        "Sandbox Winter Grid Support",
    ]
    site_programs = await api("GET", f"/v1/site/{SITE}/programs", token=token, params={"device_type": "BATTERY"})
    assert [program["name"] for program in site_programs.body] == [
        "Sandbox Battery Savers Plus",
        "Sandbox Winter Grid Support",
    ]
    elsewhere = {"device_type": "BATTERY", "zip_code": "88800", "limit": "1"}
    assert len((await api("GET", f"/v1/site/{SITE}/programs", token=token, params=elsewhere)).body) == 1
    program = await api("GET", f"/v1/site/{SITE}/program/{PROGRAMS[0].id}", token=token)
    assert program.body["name"] == PROGRAMS[0].name
    unknown = f"/v1/site/{SITE}/program/00000000-0000-0000-0000-000000000000"
    assert (await api("GET", unknown, token=token)).status == 404
    not_a_uuid = await api("GET", f"/v1/site/{SITE}/program/abc", token=token)
    assert (not_a_uuid.status, not_a_uuid.body["detail"][0]["loc"]) == (422, ["path", "programId"])


async def test_an_enrollment_starts_pending_and_unenrolling_keeps_its_record(api: Api, clock: Clock) -> None:
    await commissioned(api, zip_code="88801")
    token = api.site_token()
    gated = PROGRAMS[2]
    request = {
        "device_ids": [f"{SITE}-battery-0"],
        "program_id": str(gated.id),
        "enroll_method": "USER_ACTION",
        "has_agreed_to_terms_and_conditions": True,
        "terms_and_conditions_version": "2025-01-01",
        "program_specific_attributes": [{"name": "account_id", "value": "123456-0"}],
    }
    created = await api("POST", f"/v1/site/{SITE}/enrollments", token=token, json=request)
    assert created.status == 200
    assert (created.body["status"], created.body["enrolled_at"]) == ("PENDING", None)
    path = f"/v1/site/{SITE}/enrollment/{created.body['id']}"
    assert (await api("GET", path, token=token)).body == created.body
    clock.now = NOW + timedelta(minutes=30)
    assert (await api("DELETE", path, token=token)).status == 204
    listed = await api("GET", f"/v1/site/{SITE}/enrollments", token=token)
    assert [(item["status"], item["unenrolled_at"]) for item in listed.body] == [("UNENROLLED", "2025-06-01T12:30:00Z")]


async def test_an_enrollment_must_agree_to_the_terms_and_name_the_sites_eligible_devices(api: Api) -> None:
    await commissioned(api, zip_code="88801")
    await commissioned(api, site_id="other")
    token = api.site_token()
    request = {"device_ids": ["other-battery-0"], "program_id": str(PROGRAMS[2].id), "enroll_method": "USER_ACTION"}
    refused = await api("POST", f"/v1/site/{SITE}/enrollments", token=token, json=request)
    assert refused.status == 422
    assert [detail["loc"] for detail in refused.body["detail"]] == [
        ["body", "device_ids", 0],
        ["body", "has_agreed_to_terms_and_conditions"],
    ]
    unknown = dict(request, program_id="00000000-0000-0000-0000-000000000000")
    assert (await api("POST", f"/v1/site/{SITE}/enrollments", token=token, json=unknown)).status == 404


# Events and commands --------------------------------------------------------------------------------------------------


async def test_an_enrolled_site_has_seeded_events_filtered_by_repeated_status(api: Api) -> None:
    await commissioned(api, can_auto_enroll=True)
    token = api.site_token()
    events = (await api("GET", f"/v1/site/{SITE}/events", token=token)).body
    assert [(event["status"], event["starts_at"]) for event in events] == [
        ("UPCOMING", "2025-06-02T17:00:00Z"),
        ("COMPLETED", "2025-05-31T17:00:00Z"),
    ]
    upcoming = await api("GET", f"/v1/site/{SITE}/events", token=token, params={"status": "UPCOMING"})
    assert [event["id"] for event in upcoming.body] == [events[0]["id"]]
    both = await api("GET", f"/v1/site/{SITE}/events?status=UPCOMING&status=COMPLETED", token=token)
    assert len(both.body) == 2
    bad = await api("GET", f"/v1/site/{SITE}/events?status=UPCOMING&status=SOON", token=token)
    # FastAPI locates a bad item of a repeated query parameter by its position.
    assert (bad.status, bad.body["detail"][0]["loc"]) == (422, ["query", "status", 1])
    assert bad.body["detail"][0]["msg"] == (
        "'SOON' is not a valid event status filter (one of ACTIVE, COMPLETED, UPCOMING)"
    )
    one = await api("GET", f"/v1/site/{SITE}/event/{events[0]['id']}", token=token)
    assert one.body == events[0]


async def test_an_event_has_flips_shape_and_its_schedule_the_six_fields_flip_documents(api: Api) -> None:
    await commissioned(api, kinds=("BATTERY", "BATTERY"), can_auto_enroll=True)
    upcoming, _ = (await api("GET", f"/v1/site/{SITE}/events", token=api.site_token())).body
    assert set(upcoming) == {
        "id",
        "program_id",
        "site_id",
        "starts_at",
        "ends_at",
        "duration_s",
        "schedule",
        "status",
        "is_participating",
        "device_settings",
        "created_at",
        "updated_at",
    }
    assert upcoming["schedule"] == [
        {
            "device_ids": [f"{SITE}-battery-0", f"{SITE}-battery-1"],
            "starts_at": "2025-06-02T17:00:00Z",
            "ends_at": "2025-06-02T19:00:00Z",
            "duration_s": 7200.0,
            "is_preparatory_action": False,
            "mode": "DISCHARGE",
        }
    ]
    assert (upcoming["is_participating"], upcoming["created_at"]) == (True, "2025-06-01T12:00:00Z")


async def test_an_event_becomes_active_as_the_clock_reaches_it(sandbox: Sandbox, clock: Clock) -> None:
    sandbox.state.commission(commission_request(SITE, device_ids=(DEVICE,), can_auto_enroll=False))
    event = sandbox.state.create_event(SITE, starts_at=NOW + timedelta(hours=1), duration_s=None)
    clock.now = NOW + timedelta(days=30)
    assert sandbox.state.event(SITE, event.id).status == models.EventStatus.ACTIVE


@pytest.mark.parametrize("device_status", ["OK", "FAILED_OFFLINE", "FAILED_FAULT", "FAILED"])
async def test_a_command_is_listed_and_acknowledged_with_any_device_status_flip_documents(
    sandbox: Sandbox, api: Api, device_status: str
) -> None:
    await commissioned(api, can_auto_enroll=True)
    event = sandbox.state.site_events(SITE)[0]
    command = sandbox.state.create_command(f"{SITE}-battery-0", event_id=event.id)
    listed = await api("GET", "/v1/commands")
    assert [(item["id"], item["device_status"]) for item in listed.body] == [(str(command.id), "PENDING")]
    ack = {"device_status": device_status, "device_status_reason": "Scheduled on the device"}
    acknowledged = await api("PATCH", f"/v1/command/{command.id}", json=ack)
    assert (acknowledged.status, acknowledged.body["device_status"], acknowledged.body["device_status_reason"]) == (
        200,
        device_status,
        "Scheduled on the device",
    )
    unknown = await api("PATCH", "/v1/command/00000000-0000-0000-0000-000000000000", json=ack)
    assert (unknown.status, unknown.body) == (404, {"detail": "no command '00000000-0000-0000-0000-000000000000'"})
    refused = await api("PATCH", f"/v1/command/{command.id}", json={"device_status": "PENDING"})
    assert (refused.status, refused.body["detail"][0]["loc"]) == (422, ["body", "device_status"])


async def test_opting_out_turns_the_events_commands_opt_out_and_opting_back_in_turns_them_ok(
    sandbox: Sandbox, api: Api
) -> None:
    await commissioned(api, can_auto_enroll=True)
    event = sandbox.state.site_events(SITE)[0]
    command = sandbox.state.create_command(f"{SITE}-battery-0", event_id=event.id)
    other = sandbox.state.create_command(f"{SITE}-battery-0")  # for no event: no participation touches it
    path, token = f"/v1/site/{SITE}/event/{event.id}", api.site_token()

    # A key Flip never had changes nothing, as Flip's FastAPI ignores it.
    ignored = await api("PATCH", path, token=token, json={"opt_out": True})
    assert (ignored.status, ignored.body["is_participating"]) == (200, True)
    assert sandbox.state.commands[command.id].status == models.CommandStatus.OK

    opted_out = await api("PATCH", path, token=token, json={"is_participating": False})
    assert (opted_out.body["id"], opted_out.body["is_participating"]) == (str(event.id), False)
    assert (await api("GET", path, token=token)).body == opted_out.body
    stored = sandbox.state.commands[command.id]
    assert (stored.status, stored.device_status) == (models.CommandStatus.OPT_OUT, models.DeviceStatus.PENDING)
    late = sandbox.state.create_command(f"{SITE}-battery-0", event_id=event.id)
    assert late.status == models.CommandStatus.OPT_OUT

    await api("PATCH", path, token=token, json={"is_participating": True})
    assert {sandbox.state.commands[key].status for key in (command.id, late.id, other.id)} == {models.CommandStatus.OK}
    assert sandbox.state.commands[command.id].device_status_reason == "The homeowner opted back in to the event"


async def test_an_events_device_settings_are_stored_and_returned(sandbox: Sandbox, api: Api) -> None:
    await commissioned(api, kinds=("BATTERY", "BATTERY"), can_auto_enroll=True)
    event = sandbox.state.site_events(SITE)[0]
    path, token = f"/v1/site/{SITE}/event/{event.id}", api.site_token()
    assert (await api("GET", path, token=token)).body["device_settings"] == [
        {"device_id": f"{SITE}-battery-0"},
        {"device_id": f"{SITE}-battery-1"},
    ]
    setting = {"device_id": f"{SITE}-battery-1", "backup_reserve_percentage": 40, "maximum_charge_percentage": 90}
    updated = await api("PATCH", path, token=token, json={"device_settings": [setting]})
    assert updated.body["device_settings"] == [{"device_id": f"{SITE}-battery-0"}, setting]
    assert updated.body["is_participating"] is True
    assert (await api("GET", path, token=token)).body == updated.body
    foreign = await api("PATCH", path, token=token, json={"device_settings": [{"device_id": "ghost"}]})
    assert (foreign.status, foreign.body["detail"]) == (
        422,
        [
            {
                "loc": ["body", "device_settings", 0, "device_id"],
                "msg": "no device 'ghost' at this site",
                "type": "value_error",
            }
        ],
    )
    too_much = await api(
        "PATCH", path, token=token, json={"device_settings": [{**setting, "maximum_charge_percentage": 101}]}
    )
    assert (too_much.status, too_much.body["detail"][0]["loc"]) == (
        422,
        ["body", "device_settings", 0, "maximum_charge_percentage"],
    )


async def test_a_command_for_an_unknown_device_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(Rejected, match="no device 'ghost'"):
        sandbox.state.create_command("ghost")


# Telemetry ------------------------------------------------------------------------------------------------------------


def point(device_id: str = f"{SITE}-battery-0", **values: Any) -> dict[str, Any]:
    return {"device_id": device_id, "start_time": "2025-06-01T12:00:00Z", "duration_s": 300, **values}


async def test_telemetry_answers_a_status_per_point_in_order(sandbox: Sandbox, api: Api) -> None:
    await commissioned(api)
    points = [point(battery_total_energy_charge_wh=10), point("ghost"), point(battery_total_energy_charge_wh=-1), 7]
    reply = await api("POST", "/v1/telemetry/BATTERY", json={"telemetry": points})
    assert reply.status == 200
    assert [result["status"] for result in reply.body] == ["OK", "FAILED", "FAILED", "FAILED"]
    assert reply.body[0]["message"] == ""
    assert "ghost" in reply.body[1]["message"]
    assert reply.body[2]["message"].startswith("battery_total_energy_charge_wh: ")
    assert sandbox.state.last_telemetry[f"{SITE}-battery-0"] == points[0]


async def test_more_than_a_thousand_points_or_no_list_is_a_422(api: Api) -> None:
    too_many = await api("POST", "/v1/telemetry/BATTERY", json={"telemetry": [point()] * 1001})
    assert (too_many.status, too_many.body["detail"][0]["loc"]) == (422, ["body", "telemetry"])
    missing = await api("POST", "/v1/telemetry/BATTERY", json={})
    assert (missing.status, missing.body["detail"][0]["loc"]) == (422, ["body", "telemetry"])


async def test_counter_telemetry_answers_a_status_per_reading(api: Api) -> None:
    await commissioned(api)
    readings = [{"device_id": f"{SITE}-battery-0", "battery_lifetime_charge_wh": 1}, {"timestamp": "x"}, "bad"]
    reply = await api("POST", "/v1/telemetry/BATTERY_COUNTER", json={"telemetry": readings})
    assert [result["status"] for result in reply.body] == ["OK", "FAILED", "FAILED"]


# Sessions, settings, supplements --------------------------------------------------------------------------------------


async def test_a_session_commissions_a_new_site_and_its_token_is_single_use(sandbox: Sandbox, api: Api) -> None:
    body = {"site": {"id": "new"}, "devices": [{k: v for k, v in device("new-1").items() if k != "site_id"}]}
    first = await api("POST", "/v1/sessions", json=body)
    assert first.status == 200
    assert sandbox.state.devices["new-1"].site_id == "new"
    again = await api("POST", "/v1/sessions", json={"site": {"id": "new"}})
    assert again.body["session_token"] != first.body["session_token"]
    assert sandbox.stats.sites_created == 1
    assert sandbox.state.redeem_session(first.body["session_token"]) == "new"
    assert sandbox.state.redeem_session(first.body["session_token"]) is None


async def test_settings_requests_and_supplements_are_stored_and_echoed(sandbox: Sandbox, api: Api) -> None:
    first = await api("PATCH", "/v1/settings/req-1", json={"status": "APPLIED", "detail": {"reserve": 20}})
    assert first.body["status"] == "APPLIED"
    second = await api("PATCH", "/v1/settings/req-1", json={"status": "FAILED"})
    assert (second.body["id"], second.body["status"], second.body["detail"]) == ("req-1", "FAILED", {"reserve": 20})
    supplement = await api("POST", "/v1/supplements", json={"kind": "photo"})
    assert supplement.body["kind"] == "photo"
    assert list(sandbox.state.supplements.values()) == [supplement.body]
    not_an_object = await api("PATCH", "/v1/settings/req-1", json=[1])
    assert not_an_object.status == 422


# Counters -------------------------------------------------------------------------------------------------------------


async def test_stats_count_requests_per_operation_sites_and_conflicts(sandbox: Sandbox, api: Api) -> None:
    await commissioned(api)
    await api("POST", "/v1/commission", json=commission_body())
    await api("GET", "/v1/sites", token=None)
    await api("GET", "/v1/nowhere")
    assert sandbox.stats.requests == {"commission": 2, "list_sites": 1}
    assert (sandbox.stats.sites_created, sandbox.stats.conflicts) == (1, 1)
    assert not sandbox.stats.faults


async def test_the_sandbox_binds_loopback_and_hides_its_token(sandbox: Sandbox) -> None:
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    assert sandbox.token not in repr(sandbox)


async def test_a_closed_sandbox_has_no_url_and_keeps_its_state(clock: Callable[[], datetime]) -> None:
    sandbox = await Sandbox(token="tok", clock=clock).start()
    sandbox.state.commission(commission_request(SITE, device_ids=(DEVICE,), can_auto_enroll=False))
    await sandbox.close()
    await sandbox.close()
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.base_url
    assert list(sandbox.state.sites) == [SITE]


async def test_serve_runs_a_sandbox_until_cancelled() -> None:
    started: list[Sandbox] = []
    ready = asyncio.Event()

    def on_ready(sandbox: Sandbox) -> None:
        started.append(sandbox)
        ready.set()

    task = asyncio.create_task(serve(port=0, token="cli-token", faults=Faults(), ready=on_ready))
    await asyncio.wait_for(ready.wait(), timeout=10)
    (sandbox,) = started
    async with aiohttp.ClientSession() as http:
        assert (await Api(http, sandbox)("GET", "/v1/sites", token="cli-token")).status == 200
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.base_url
