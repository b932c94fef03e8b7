"""Fleet files in every supported format stream into the same wire rows; unreadable rows are reported, not fatal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import seed_row

from flip_async import models, rows
from flip_async._validation import validated
from flip_async.rows import (
    MAX_ROW_CHARS,
    FleetFileError,
    UnreadableRow,
    count_rows,
    detect_format,
    read_numbered_rows,
    read_rows,
)

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
        (
            '[{"site": {"id": "a"}}, {"site": ',
            UnreadableRow("line 1: the file ends before the JSON array is closed (cut short?)"),
        ),
        ('[{"site": {"id": "a"}}', UnreadableRow("line 1: the file ends before the JSON array is closed (cut short?)")),
        (
            '\n{"site": {"id": "a"}}',
            UnreadableRow(
                "line 2: the file is not a JSON array "
                "(a file of JSON objects, one per line, is JSON Lines: name it .jsonl)"
            ),
        ),
        # Text after the closing bracket: that was no array's end, so reading goes on, and the end is missing.
        (
            '[{"site": {"id": "a"}}] [5]',
            UnreadableRow("line 1: the file ends before the JSON array is closed (cut short?)"),
        ),
    ],
)
def test_a_broken_json_array_ends_with_an_unreadable_row(tmp_path: Path, text: str, last: UnreadableRow) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(text)
    assert list(read_rows(path))[-1] == last


def _json_says(document: str, element: str) -> str:
    """What Python's json says of `element` where it stands in `document`: its words vary from version to version
    (3.13 names a trailing comma as such, and one column earlier)."""
    try:
        json.JSONDecoder().raw_decode(document, document.index(element))
    except json.JSONDecodeError as exc:
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    raise AssertionError(f"{element!r} is valid JSON")


BROKEN_ARRAY = """[
  {"site": {"id": "s-0"}},
  {"site": {"id": "s-1",}},
  {"site": {"id": "s-2}},
  {"site": {"id": "s-3"}},
  {
    "site": {"id": "s-4"
  },
  {"site": {"id": "s-5"}},
  {"site": {"id": "s-6"}}},
  7,
  {"site": {"id": "s-8", "city": "Mayag\udcfcez"}},
  {"site": {"id": "s-9"}}
]
"""
ELEMENT_1 = '{"site": {"id": "s-1",}}'
ELEMENT_4 = '{\n    "site": {"id": "s-4"'


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 16])
def test_a_broken_json_array_element_costs_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(rows, "_CHUNK", chunk)
    path = tmp_path / "fleet.json"
    path.write_bytes(BROKEN_ARRAY.encode("utf-8", "surrogateescape"))  # a Latin-1 "ü" in element 9
    assert list(read_numbered_rows(path)) == [
        (2, {"site": {"id": "s-0"}}),
        (3, UnreadableRow(f"line 3: element 1 is not valid JSON ({_json_says(BROKEN_ARRAY, ELEMENT_1)})")),
        (4, UnreadableRow("line 4: element 2 is not valid JSON (Invalid control character at line 4, column 26)")),
        (5, {"site": {"id": "s-3"}}),
        (6, UnreadableRow(f"line 6: element 4 is not valid JSON ({_json_says(BROKEN_ARRAY, ELEMENT_4)})")),
        (9, {"site": {"id": "s-5"}}),
        (10, {"site": {"id": "s-6"}}),
        (10, UnreadableRow("line 10: element 7 is not valid JSON (Expecting value at line 10, column 26)")),
        (11, UnreadableRow("line 11: element 8: expected a JSON object")),
        (12, UnreadableRow("line 12: element 9 is not UTF-8 (byte 0xFC at line 12, column 40)")),
        (13, {"site": {"id": "s-9"}}),
    ]


def test_a_broken_element_of_a_one_line_array_is_skipped_to_its_comma(tmp_path: Path) -> None:
    path = tmp_path / "fleet.json"
    text = '[{"site": {"id": "a"}}, {"site": {"id": "b",}, "devices": [{}]}, {"site": {"id": "c"}}]'
    path.write_text(text)
    why = _json_says(text, '{"site": {"id": "b",}')
    assert list(read_rows(path)) == [
        {"site": {"id": "a"}},
        UnreadableRow(f"line 1: element 1 is not valid JSON ({why})"),
        {"site": {"id": "c"}},
    ]


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_row_longer_than_the_limit_is_unreadable_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setattr(rows, "MAX_ROW_CHARS", 100)
    monkeypatch.setattr(rows, "_CHUNK", 16)
    path = tmp_path / f"fleet{suffix}"
    sites = [{"site": {"id": "a"}}, {"site": {"id": "b" * 500}}, {"site": {"id": "c"}}]
    path.write_text(
        json.dumps(sites, indent=1) if suffix == ".json" else "".join(json.dumps(site) + "\n" for site in sites)
    )
    first, long, last = read_rows(path)
    assert (first, last) == (sites[0], sites[2])
    assert isinstance(long, UnreadableRow)
    assert long.reason.endswith("longer than 100 characters")
    assert MAX_ROW_CHARS == 1 << 20


def test_the_row_limit_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows, "MAX_ROW_CHARS", 40)
    path = tmp_path / "fleet.jsonl"
    fits, over = '{"site": {"id": "%s"}}' % ("a" * 20), '{"site": {"id": "%s"}}' % ("b" * 21)
    assert len(fits) == 40
    path.write_text(f"{fits}\r\n{over}\r\n{fits}")
    assert list(read_rows(path)) == [
        {"site": {"id": "a" * 20}},
        UnreadableRow("line 2: longer than 40 characters"),
        {"site": {"id": "a" * 20}},
    ]


def test_json_lines_name_the_line_of_bytes_that_are_not_utf_8(tmp_path: Path) -> None:
    path = tmp_path / "fleet.jsonl"
    path.write_bytes(b'{"site": {"id": "a"}}\n{"site": {"id": "b", "city": "Mayag\xfcez"}}\n{"site": {"id": "c"}}\n')
    assert list(read_rows(path)) == [
        {"site": {"id": "a"}},
        UnreadableRow("line 2: byte 0xFC at column 36 is not UTF-8"),
        {"site": {"id": "c"}},
    ]
    assert count_rows(path) == 3


@pytest.mark.parametrize(("name", "content"), [("fleet.json", "[  ]"), ("fleet.json", " \n"), ("fleet.jsonl", "\n\n")])
def test_a_file_without_rows_counts_0(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert list(read_rows(path)) == []
    assert count_rows(path) == 0


def test_a_utf_16_file_is_refused_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text("site.id\ns-1\n", encoding="utf-16")
    with pytest.raises(FleetFileError, match="the file is UTF-16 text; save it as UTF-8"):
        list(read_rows(path))


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


def test_csv_rows_that_cannot_be_read_are_unreadable_with_their_line_and_the_rest_are_read(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_bytes(
        b"site.id,site.city\n"
        b"s-1,Springfield\n"
        b"s-2,Mayag\xfcez\n"  # Latin-1, as a spreadsheet may save it
        b"s-3," + b"x" * 200_000 + b"\n"  # past the csv module's field size limit
        b"s-4,Springfield,extra\n"
        b"s-5\n"
        b'"s-6","two\nlines"\n'
        b"\n"
        b",\n"  # a row with no cell filled in is a blank line, not a row
        b"s-7,Springfield\n"
    )
    assert list(read_numbered_rows(path)) == [
        (2, {"site": {"id": "s-1", "city": "Springfield"}}),
        (3, UnreadableRow("line 3: the site.city cell is not UTF-8 text (byte 0xFC); save the file as UTF-8")),
        (4, UnreadableRow("line 4: not readable as CSV (field larger than field limit (131072))")),
        (5, UnreadableRow("line 5: 3 cells, but the header has 2 columns")),
        (6, UnreadableRow("line 6: 1 cells, but the header has 2 columns")),
        (7, {"site": {"id": "s-6", "city": "two\nlines"}}),
        (11, {"site": {"id": "s-7", "city": "Springfield"}}),
    ]
    assert count_rows(path) == 7


def test_csv_cells_are_stripped_and_semicolons_are_read(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text("\ufeff site.id ; site.zip_code ;can_auto_enroll\r\n s-1 ; 88800 ; TRUE \r\n")
    assert list(read_rows(path)) == [{"site": {"id": "s-1", "zip_code": "88800"}, "can_auto_enroll": True}]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("site.id,site.zip_code,site.id", "line 1: the CSV header names column 'site.id' twice"),
        ("site.id, site.zip_code ,site.zip_code", "line 1: the CSV header names column 'site.zip_code' twice"),
    ],
)
def test_a_csv_header_naming_a_column_twice_is_refused_as_a_whole(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(f"{header}\ns-1,1,2\n")
    with pytest.raises(FleetFileError, match=f"^{message}$"):
        list(read_rows(path))
    with pytest.raises(FleetFileError):
        count_rows(path)


def test_csv_list_indices_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(
        "site.id,devices.0.id,devices.1.id,devices.2.id,devices.2.type\ns-1,d-0,,d-2,BATERY\ns-2,d-0,d-1,d-2,BATERY\n"
    )
    gap, full = read_rows(path)
    assert gap == UnreadableRow(
        "line 2: devices[2] is given (columns devices.2.*) but devices[1] is not: "
        "number the devices from devices.0 without gaps"
    )
    assert isinstance(full, dict)
    with pytest.raises(Exception, match=r"devices\[2\]\.type: 'BATERY'"):
        validated(full, models.CommissionRequest)


def test_a_csv_value_in_a_nameless_column_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text("site.id,\ns-1,\ns-2,oops\n")
    assert list(read_rows(path)) == [
        {"site": {"id": "s-1"}},
        UnreadableRow("line 3: cell 2 has a value, but its column has no name"),
    ]


@pytest.mark.parametrize("content", ["", "site.id,site.zip_code\n", "\n\nsite.id\n\n,\n"])
def test_a_csv_without_rows_counts_0(tmp_path: Path, content: str) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(content)
    assert list(read_rows(path)) == []
    assert count_rows(path) == 0
