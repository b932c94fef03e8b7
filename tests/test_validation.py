"""Requests are checked against the spec and Flip's rules before anything is sent, every problem at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from aioresponses import aioresponses
from support import BASE, commission_request, mocked_client, sandboxed, seed_request, seed_row, sent

from flip_async import _converter, models
from flip_async._validation import validated
from flip_async.errors import RequestValidationError


def _problems(value: Any) -> dict[str, str]:
    with pytest.raises(RequestValidationError) as caught:
        validated(value, models.CommissionRequest)
    return {problem.path: problem.message for problem in caught.value.problems}


def test_a_valid_model_passes_through_unchanged() -> None:
    request = commission_request(state_code=models.StateCode.CA, email="jo@example.com")
    assert validated(request, models.CommissionRequest) is request


def test_the_seed_mapping_becomes_a_model() -> None:
    request = validated(seed_request(), models.CommissionRequest)
    assert isinstance(request, models.CommissionRequest)
    assert request.devices[0].attributes.battery_capacity_wh == 15000


def test_every_problem_is_listed_with_its_wire_path() -> None:
    request = commission_request(state_code="ZZ", email="not-an-email")  # type: ignore[arg-type]
    request.devices[0].site_id = "other-site"
    request.devices[0].attributes.battery_capacity_wh = "15000"  # type: ignore[assignment]
    problems = _problems(request)
    assert problems == {
        "site.state_code": "'ZZ' is not a valid state code",
        "site.email": "'not-an-email' is not a valid email address",
        "devices[0].attributes.battery_capacity_wh": "expected an integer, got '15000'",
        "devices[0].site_id": "'other-site' does not match site.id 'abc-789'",
    }


def test_the_message_lists_every_problem() -> None:
    with pytest.raises(RequestValidationError) as caught:
        validated(commission_request(state_code="ZZ", email="x"), models.CommissionRequest)  # type: ignore[arg-type]
    text = str(caught.value)
    assert "site.state_code: 'ZZ' is not a valid state code" in text
    assert "site.email: 'x' is not a valid email address" in text


def test_devices_must_not_be_empty() -> None:
    request = commission_request()
    request.devices = []
    assert _problems(request) == {"devices": "must contain at least one device"}


def test_mappings_report_missing_unknown_null_and_mistyped_fields() -> None:
    row = seed_request()
    del row["site"]["id"]
    row["site"]["zipcode"] = "88800"
    row["devices"][0]["type"] = None
    row["devices"][0]["install_date"] = "22/02/2022"
    row["devices"][0]["attributes"]["battery_power_input_w"] = True
    row["can_auto_enroll"] = "yes"
    problems = _problems(row)
    assert problems.keys() == {
        "site.id",
        "site.zipcode",
        "devices[0].type",
        "devices[0].install_date",
        "devices[0].attributes.battery_power_input_w",
        "can_auto_enroll",
    }
    assert problems["site.id"] == "is required"
    assert problems["site.zipcode"].startswith("unknown field")
    assert problems["devices[0].type"] == "must not be null"
    assert problems["devices[0].install_date"] == "'22/02/2022' is not a valid ISO 8601 date-time"
    assert problems["can_auto_enroll"] == "expected true or false, got str"


def test_integer_fields_reject_floats_and_booleans() -> None:
    request = commission_request()
    request.devices[0].attributes.battery_power_output_w = 7500.5  # type: ignore[assignment]
    request.devices[0].attributes.battery_power_input_w = False
    assert _problems(request) == {
        "devices[0].attributes.battery_power_output_w": "expected an integer, got 7500.5",
        "devices[0].attributes.battery_power_input_w": "expected an integer, got bool",
    }


def test_flip_s_rules_are_checked_beside_the_schema_even_in_a_malformed_mapping() -> None:
    row = seed_request()
    row["site"]["state_code"] = "ZZ"
    row["devices"].append({"site_id": "elsewhere"})
    problems = _problems(row)
    assert problems["site.state_code"] == "'ZZ' is not a valid state code"
    assert problems["devices[1].site_id"] == "'elsewhere' does not match site.id 'abc-789'"
    assert problems["devices[1].id"] == "is required"
    assert _problems({"devices": "none", "site": 3}).keys() == {"devices", "site"}


@pytest.mark.parametrize("value", [None, [], "text", 42])
def test_a_request_that_is_not_an_object(value: Any) -> None:
    assert _problems(value) == {
        "$": f"expected an object (CommissionRequest), got {type(value).__name__ if value is not None else 'null'}"
    }


def test_null_is_accepted_only_where_the_spec_allows_it() -> None:
    row = seed_request()
    row["site"]["email"] = None  # optional and nullable: sent as null
    row["devices"][0]["configuration"] = None  # optional, not nullable: leave it out instead
    row["can_auto_enroll"] = None  # likewise
    assert _problems(row) == {"devices[0].configuration": "must not be null", "can_auto_enroll": "must not be null"}


def test_mappings_may_carry_python_values_for_dates_and_ids() -> None:
    program_id = UUID("70c1146b-e933-4cb2-a789-bbca5312b517")
    row = {"device_ids": ["xyz-123"], "program_id": program_id, "enroll_method": models.EnrollMethod.USER_ACTION}
    assert validated(row, models.EnrollmentCreateIn).program_id == program_id
    seed = seed_request()
    seed["devices"][0]["install_date"] = datetime(2022, 2, 22, tzinfo=UTC)
    assert validated(seed, models.CommissionRequest).devices[0].install_date == datetime(2022, 2, 22, tzinfo=UTC)


def test_mappings_may_hold_models_and_tuples() -> None:
    row = seed_request()
    row["site"] = models.Site(id="abc-789", zip_code="88800")
    row["devices"] = tuple(row["devices"])
    request = validated(row, models.CommissionRequest)
    assert request.site.zip_code == "88800"
    assert request.devices[0].id == "xyz-123"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("devices", 0, "attributes", "battery_capacity_wh"), 2**64, "18446744073709551616 does not fit in 64 bits"),
        (("site", "city"), "Mayag\udcfcez", "'Mayag\\udcfcez' is not valid Unicode text"),
    ],
)
def test_values_json_cannot_carry_are_rejected(path: tuple[Any, ...], value: Any, message: str) -> None:
    row = seed_request()
    node = row
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    assert _problems(row) == {".".join(str(step) for step in path).replace(".0.", "[0]."): message}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "1"])
def test_numbers_must_be_finite_numbers(value: Any) -> None:
    point = {"device_id": "d", "start_time": "2025-01-01T00:00:00Z", "duration_s": value}
    with pytest.raises(RequestValidationError) as caught:
        validated(point, models.BatteryTelemetry)
    assert caught.value.problems[0].path == "duration_s"


@pytest.mark.parametrize("site_id", ["", ".", "..", "abc/789", "abc%2F789", "%41bc"])
def test_a_site_id_a_url_path_cannot_carry_is_invalid_before_anything_is_sent(site_id: str) -> None:
    """Later calls put the site id in a path (its site token, the Mobile App API): it must arrive as written."""
    row = seed_request()
    row["site"]["id"] = row["devices"][0]["site_id"] = site_id
    row["devices"][0]["id"] = f"{site_id}/battery"
    problems = _problems(row)
    assert set(problems) == {"site.id", "devices[0].id"}
    assert "cannot go in a URL path" in problems["site.id"]


async def test_bulk_reports_such_a_row_invalid_and_sends_nothing_for_it() -> None:
    async with sandboxed() as (sandbox, flip):
        rows = [commission_request("a/b", device_ids=("a-1",)), commission_request("ok", device_ids=("ok-1",))]
        outcomes = {o.row: o async for o in flip.commission_many(rows)}
    assert outcomes[0].status == "invalid"
    assert "site.id" in str(outcomes[0].error)
    assert outcomes[1].status == "commissioned"
    assert sandbox.stats.requests["commission"] == 1


def test_a_bare_date_in_a_date_time_field_goes_out_in_rfc_3339_with_an_offset() -> None:
    row = seed_request()
    assert row["devices"][0]["install_date"] == "2022-02-22"
    sent = _converter.unstructure(validated(row, models.CommissionRequest))
    assert sent["devices"][0]["install_date"] == "2022-02-22T00:00:00Z"


# Devices that leave out site_id: Flip's newer commission body. The SDK sends site.id in its place, so that the body is
# valid under the seed's contract (site_id required) and the newer one alike.


def test_a_device_without_site_id_is_sent_on_site_id_and_the_callers_request_is_left_as_it_was() -> None:
    request = commission_request(device_ids=("battery-1", "battery-2"))
    request.devices[1].site_id = None
    sent = validated(request, models.CommissionRequest)
    assert [device.site_id for device in sent.devices] == ["abc-789", "abc-789"]
    assert request.devices[1].site_id is None
    assert sent.devices[0] is request.devices[0]
    mapping = seed_request()
    del mapping["devices"][0]["site_id"]
    assert validated(mapping, models.CommissionRequest).devices[0].site_id == "abc-789"
    assert "site_id" not in mapping["devices"][0]


def test_a_given_site_id_must_still_be_the_sites_whatever_the_other_devices_say() -> None:
    mapping = seed_request()
    mapping["devices"] = [
        {key: value for key, value in mapping["devices"][0].items() if key != "site_id"},
        {**mapping["devices"][0], "id": "xyz-456", "site_id": "elsewhere"},
    ]
    assert _problems(mapping) == {"devices[1].site_id": "'elsewhere' does not match site.id 'abc-789'"}


async def test_commission_and_commission_many_send_each_device_with_its_sites_id(mock_api: aioresponses) -> None:
    mock_api.post(f"{BASE}/v1/commission", payload={"programs": []}, repeat=True)
    rows = [seed_row(site_id) for site_id in ("site-a", "site-b")]
    for row in rows:
        del row["devices"][0]["site_id"]
    async with mocked_client() as flip:
        await flip.commission(rows[0])
        outcomes = [outcome async for outcome in flip.commission_many(rows[1:])]
    assert [outcome.status for outcome in outcomes] == ["commissioned"]
    bodies = [call["body"] for call in sent(mock_api, "POST", "/v1/commission")]
    assert [(body["site"]["id"], body["devices"][0]["site_id"]) for body in bodies] == [
        ("site-a", "site-a"),
        ("site-b", "site-b"),
    ]
