"""Telemetry uploads: streamed in batches of at most 1,000, one result per point in input order, nothing lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import orjson
import pytest
from aioresponses import CallbackResult, aioresponses
from support import BASE, NOW, add_site, mocked_client, sandboxed, sent

from flip_async import InternalServerError, RequestValidationError, models
from flip_async.resources.telemetry import MAX_BATCH_SIZE

BATTERY = f"{BASE}/v1/telemetry/BATTERY"
OK, FAILED = models.TelemetryResultStatus.OK, models.TelemetryResultStatus.FAILED


def point(device_id: str, minute: int = 0, **values: Any) -> dict[str, Any]:
    start = f"2025-06-01T{minute // 60 % 24:02}:{minute % 60:02}:00Z"
    return {"device_id": device_id, "start_time": start, "duration_s": 60, "home_last_power_w": 800} | values


async def test_2500_points_go_in_3_batches_with_every_result_in_input_order() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, "site-1", "battery-1", "battery-2", "battery-unsent")
        points: list[Any] = [point(f"battery-{1 + n % 2}", n) for n in range(2500)]
        for n in range(7, 2500, 500):  # unknown to Flip: sent, and FAILED by the sandbox
            points[n] = point("battery-unknown", n)
        for n in range(11, 2500, 500):  # invalid: FAILED here, never sent
            points[n] = point("battery-unsent", n, home_last_power_w=-1)
        points[2498] = models.BatteryTelemetry(device_id="battery-1", start_time=NOW, duration_s=60)
        points[2499] = models.BatteryTelemetry(**point("battery-2", 2499))  # a string for a date-time

        report = await flip.telemetry.report_battery(iter(points))

    assert [result.index for result in report.results] == list(range(2500))
    assert report.requests == sandbox.stats.requests["report_battery_telemetry"] == 3
    assert not report.failed_batches
    assert not report.ok
    failed = {result.index: result for result in report.failed}
    assert set(failed) == set(range(7, 2500, 500)) | set(range(11, 2500, 500)) | {2499}
    assert failed[7].message == "device 'battery-unknown' not found"
    assert failed[7].error is None
    assert "home_last_power_w: must be at least 0" in failed[11].message
    assert isinstance(failed[11].error, RequestValidationError)
    assert "battery-unsent" not in sandbox.state.last_telemetry
    assert "cannot be written as JSON" in failed[2499].message
    assert sandbox.state.last_telemetry["battery-1"]["start_time"] == "2025-06-01T12:00:00Z"
    assert sandbox.state.last_telemetry["battery-2"]["start_time"] == points[2497]["start_time"]


async def test_points_are_read_as_they_are_sent_not_all_first(mock_api: aioresponses) -> None:
    pulled = 0
    pulled_at_each_request: list[int] = []

    def points() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for n in range(2500):
            pulled += 1
            yield point("battery-1", n)

    def answer(_: object, **kwargs: Any) -> CallbackResult:
        pulled_at_each_request.append(pulled)
        return CallbackResult(
            payload=[{"status": "OK", "message": ""}] * len(orjson.loads(kwargs["data"])["telemetry"])
        )

    mock_api.post(BATTERY, callback=answer, repeat=True)
    async with mocked_client() as flip:
        report = await flip.telemetry.report_battery(points())
    assert report.ok
    assert len(report.results) == 2500
    assert pulled_at_each_request == [1000, 2000, 2500]
    assert [len(call["body"]["telemetry"]) for call in sent(mock_api, "POST", "/v1/telemetry/BATTERY")] == [
        1000,
        1000,
        500,
    ]


async def test_each_point_goes_out_as_its_wire_document_with_explicit_nulls_kept(mock_api: aioresponses) -> None:
    given = point("battery-1", 0, last_is_online=False, last_mode=None)
    with_python_values = {**point("battery-1", 1), "start_time": datetime(2025, 6, 1, 0, 1, tzinfo=UTC)}
    as_model = models.BatteryTelemetry(
        device_id="battery-1", start_time=datetime(2025, 6, 1, 0, 2, tzinfo=UTC), duration_s=60, home_last_power_w=800
    )
    mock_api.post(BATTERY, payload=[{"status": "OK", "message": ""}] * 3)
    async with mocked_client() as flip:
        report = await flip.telemetry.report_battery([given, with_python_values, as_model])
    assert report.ok
    [call] = sent(mock_api, "POST", "/v1/telemetry/BATTERY")
    assert call["body"] == {
        "telemetry": [
            given,
            point("battery-1", 1) | {"start_time": "2025-06-01T00:01:00Z"},
            point("battery-1", 2),
        ]
    }
    assert given == point("battery-1", 0, last_is_online=False, last_mode=None)  # the caller's dict is left alone


async def test_a_batch_that_fails_for_good_marks_its_points_failed_and_the_rest_still_go(
    mock_api: aioresponses,
) -> None:
    mock_api.post(BATTERY, payload=[{"status": "OK", "message": ""}] * 3)
    for _ in range(3):  # the first attempt and both retries
        mock_api.post(BATTERY, status=503, payload={"message": "overloaded"})
    mock_api.post(BATTERY, payload=[{"status": "OK", "message": ""}, {"status": "FAILED", "message": "stale"}])

    async with mocked_client() as flip:
        report = await flip.telemetry.report_battery([point("battery-1", n) for n in range(8)], batch_size=3)

    assert [result.status for result in report.results] == [OK] * 3 + [FAILED] * 3 + [OK, FAILED]
    assert report.requests == 3
    [failure] = report.failed_batches
    assert failure.indices == (3, 4, 5)
    assert isinstance(failure.error, InternalServerError)
    assert all(result.error is failure.error for result in report.results[3:6])
    assert report.results[3].message.startswith("not saved: ")
    assert "overloaded" in report.results[3].message
    assert (report.results[7].message, report.results[7].error) == ("stale", None)


async def test_a_point_flip_gave_no_result_for_is_not_counted_as_saved(mock_api: aioresponses) -> None:
    mock_api.post(BATTERY, payload=[{"status": "OK", "message": ""}])
    async with mocked_client() as flip:
        report = await flip.telemetry.report_battery([point("battery-1", 0), point("battery-1", 1)])
    assert [result.status for result in report.results] == [OK, FAILED]
    assert report.results[1].message == "Flip returned no result for this point"


async def test_counter_readings_are_any_json_objects_and_anything_else_fails_unsent() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, "site-1", "battery-1")
        reading = {"device_id": "battery-1", "timestamp": "2025-06-01T12:00:00Z", "battery_energy_charge_wh": 10}
        report = await flip.telemetry.report_battery_counter([reading, ["not", "an", "object"]])  # type: ignore[list-item]
    assert [result.status for result in report.results] == [OK, FAILED]
    assert sandbox.state.last_telemetry["battery-1"] == reading
    assert sandbox.stats.requests["report_battery_counter_telemetry"] == 1


async def test_nothing_to_send_sends_nothing(mock_api: aioresponses) -> None:
    async with mocked_client() as flip:
        report = await flip.telemetry.report_battery([])
        invalid_only = await flip.telemetry.report_battery([{"device_id": "x"}])
    assert (report.results, report.requests) == ((), 0)
    assert (invalid_only.requests, invalid_only.results[0].status) == (0, FAILED)
    assert not mock_api.requests


async def test_the_batch_size_stays_within_flips_limit(mock_api: aioresponses) -> None:
    async with mocked_client() as flip:
        with pytest.raises(ValueError, match="at most 1000"):
            await flip.telemetry.report_battery([], batch_size=MAX_BATCH_SIZE + 1)
        with pytest.raises(RequestValidationError, match="batch_size"):
            await flip.telemetry.report_battery([], batch_size=0)


# Flip's page: "In case the device was online, all telemetry items must be supplied and must not be null."
ONLINE: dict[str, Any] = {
    "last_is_online": True,
    "last_mode": "SELF_CONSUMPTION",
    "battery_last_power_charge_w": 0,
    "battery_last_power_discharge_w": 1200,
    "battery_total_energy_charge_wh": 0,
    "battery_total_energy_discharge_wh": 100,
    "battery_last_stored_energy_wh": 9000,
    "battery_last_capacity_energy_wh": 15000,
    "battery_last_state_of_charge_percentage": 60,
    "battery_last_state_of_health_percentage": 98,
    "last_is_grid_online": True,
    "home_total_energy_wh": 150,
    "home_last_power_w": 1800,
    "solar_total_energy_wh": 50,
    "solar_last_power_w": 600,
}


async def test_an_online_point_without_every_item_is_failed_naming_them_and_never_sent() -> None:
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, "site-1", "battery-1")
        complete = point("battery-1", 0, **ONLINE)
        partial = point("battery-1", 1, last_is_online=True, last_mode="BACKUP")
        nulled = point("battery-1", 2, **(ONLINE | {"solar_last_power_w": None}))
        offline = point("battery-1", 3, last_is_online=False, home_last_power_w=None)  # unknown while offline
        report = await flip.telemetry.report_battery([complete, partial, nulled, offline])
    assert [result.status for result in report.results] == [OK, FAILED, FAILED, OK]
    assert report.requests == 1
    missing = [name for name in ONLINE if name not in ("last_is_online", "last_mode", "home_last_power_w")]
    assert report.results[1].message == "invalid, not sent: " + "; ".join(
        f"{name}: is required while last_is_online is true" for name in missing
    )
    assert report.results[2].message == (
        "invalid, not sent: solar_last_power_w: must not be null while last_is_online is true"
    )
    assert sandbox.state.last_telemetry["battery-1"]["start_time"] == offline["start_time"]


async def test_the_sandbox_fails_an_online_point_without_every_item_that_another_client_sends() -> None:
    async with sandboxed() as (sandbox, _), aiohttp.ClientSession() as http:
        add_site(sandbox, "site-1", "battery-1")
        points = [
            point("battery-1", **ONLINE),
            point("battery-1", **(ONLINE | {"last_mode": None, "solar_last_power_w": 0})),
        ]
        del points[1]["home_last_power_w"]
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        async with http.post(
            f"{sandbox.base_url}/v1/telemetry/BATTERY", json={"telemetry": points}, headers=headers
        ) as response:
            assert response.status == 200
            assert await response.json() == [
                {"status": "OK", "message": ""},
                {
                    "status": "FAILED",
                    "message": "home_last_power_w: Field required while last_is_online is true; "
                    "last_mode: must not be null while last_is_online is true",
                },
            ]


@pytest.mark.parametrize("depth", [300, 5000])
async def test_a_point_nested_too_deep_fails_alone_and_its_batch_still_goes(depth: int) -> None:
    deep: Any = {}
    for _ in range(depth):
        deep = {"inner": deep}
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, "site-1", "battery-1")
        points = [point("battery-1", 0), point("battery-1", 1, oem_raw_data=deep), point("battery-1", 2)]
        report = await flip.telemetry.report_battery(points)
    assert [result.status for result in report.results] == [OK, FAILED, OK]
    assert "oem_raw_data: nested deeper than 128 levels" in report.results[1].message
    assert report.requests == 1
    assert not report.failed_batches
