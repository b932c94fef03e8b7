"""Fleet files in every supported format stream into the same wire rows; unreadable rows are reported, not fatal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import seed_row

from flip_async import models, rows
from flip_async._validation import validated
from flip_async.rows import UnreadableRow, count_rows, detect_format, read_rows

CSV_HEADER = (
    "site.id,site.zip_code,site.state_code,site.email,devices.0.id,devices.0.site_id,devices.0.manufacturer_name,"
    "devices.0.product_name,devices.0.serial_number,devices.0.type,devices.0.attributes.battery_capacity_wh,"
    "devices.0.attributes.battery_power_input_w,devices.0.attributes.battery_power_output_w,devices.0.install_date,"
    "devices.1.id,devices.1.site_id,devices.1.manufacturer_name,devices.1.product_name,devices.1.serial_number,"
    "devices.1.type,devices.1.attributes.battery_capacity_wh,devices.1.attributes.battery_power_input_w,"
    "devices.1.attributes.battery_power_output_w,devices.1.install_date,can_auto_enroll\n"
)


def _sites(count: int) -> list[dict[str, Any]]:
    return [seed_row(f"site-{number}") for number in range(count)]


def test_json_lines_stream_row_by_row_and_report_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "fleet.jsonl"
    good = _sites(3)
    path.write_text(json.dumps(good[0]) + "\n\n" + "{broken\n" + json.dumps(good[1]) + "\n[1]\n" + json.dumps(good[2]))
    read = list(read_rows(path))
    assert read[0] == good[0]
    assert read[1] == UnreadableRow(
        "line 3: not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    )
    assert read[2] == good[1]
    assert read[3] == UnreadableRow("line 5: expected a JSON object")
    assert read[4] == good[2]
    assert count_rows(path) == 5


@pytest.mark.parametrize("chunk", [7, 64, 1 << 16])
def test_a_json_array_is_decoded_element_by_element_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(rows, "_CHUNK", chunk)
    path = tmp_path / "fleet.json"
    fleet = _sites(5)
    path.write_text(json.dumps(fleet, indent=2))
    assert list(read_rows(path)) == fleet
    assert count_rows(path) is None


@pytest.mark.parametrize(
    ("text", "last"),
    [
        ('[{"site": {"id": "a"}}, {"site": ', UnreadableRow("element 1: not valid JSON (Expecting value)")),
        ('[{"site": {"id": "a"}}', UnreadableRow("the JSON array is not closed")),
        ('{"site": {"id": "a"}}', UnreadableRow("the file is not a JSON array")),
    ],
)
def test_a_broken_json_array_ends_with_an_unreadable_row(tmp_path: Path, text: str, last: UnreadableRow) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(text)
    assert list(read_rows(path))[-1] == last


def test_csv_dotted_columns_become_typed_nested_rows(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(
        CSV_HEADER
        + "s-1,08800,CA,jo@example.com,d-1,s-1,Maker,M1,001,BATTERY,15000,6000,7500,2022-02-22,"
        + "d-2,s-1,Maker,M1,002,BATTERY,10000,5000,5000,2023-01-01T00:00:00Z,TRUE\n"
        + "s-2,,,,d-3,s-2,Maker,M1,003,EV_CHARGER,0,11500,0,2024-05-05,,,,,,,,,,,0\n"
    )
    first, second = read_rows(path)
    assert first["site"] == {"id": "s-1", "zip_code": "08800", "state_code": "CA", "email": "jo@example.com"}
    assert first["devices"][1]["attributes"]["battery_capacity_wh"] == 10000
    assert first["can_auto_enroll"] is True
    assert second["site"] == {"id": "s-2"}  # empty cells are "not given"
    assert len(second["devices"]) == 1
    assert second["can_auto_enroll"] is False
    request = validated(first, models.CommissionRequest)
    assert request.site.zip_code == "08800"  # a string column stays a string, leading zero and all
    assert count_rows(path) == 2


def test_csv_cells_that_do_not_parse_are_left_for_validation_to_name(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(
        "site.id,devices.0.attributes.battery_capacity_wh,can_auto_enroll,site.zipcode\ns-1,13.5 kWh,maybe,1\n"
    )
    (row,) = read_rows(path)
    assert row == {
        "site": {"id": "s-1", "zipcode": "1"},
        "devices": [{"attributes": {"battery_capacity_wh": "13.5 kWh"}}],
        "can_auto_enroll": "maybe",
    }


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.jsonl", "", "jsonl"),
        ("a.ndjson", "", "jsonl"),
        ("a.json", "", "json"),
        ("a.csv", "", "csv"),
        ("a.txt", "  [{}]", "json"),
        ("a.txt", '{"site": {}}', "jsonl"),
        ("a.txt", "site.id\nx", "csv"),
    ],
)
def test_format_detection(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert detect_format(path) == expected


def test_a_csv_column_that_is_also_a_parent_makes_that_row_unreadable_not_the_run(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text("site,site.id\nx,s-1\n,s-2\n")
    first, second = read_rows(path)
    assert first == UnreadableRow("line 2: column 'site.id' is inside 'site', which has a value of its own")
    assert second == {"site": {"id": "s-2"}}
