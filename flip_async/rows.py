"""Reading fleet files (JSON Lines, a JSON array, or CSV with dotted columns) as a stream of commissioning rows."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs

from flip_async import models
from flip_async._validation import field_type

FORMATS = ("jsonl", "json", "csv")
_CHUNK = 1 << 16
_INDEX = re.compile(r"\d+")
_INTEGER = re.compile(r"[+-]?\d+")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})


@attrs.frozen
class UnreadableRow:
    """A row that could not be read at all (broken JSON, say); bulk commissioning reports it as invalid."""

    reason: str


def detect_format(path: Path) -> str:
    """The format named by the file's extension, else guessed from its first non-blank character."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("json", "csv"):
        return suffix
    with path.open(encoding="utf-8-sig") as text:
        head = text.read(4096).lstrip()
    return "json" if head.startswith("[") else "jsonl" if head.startswith("{") else "csv"


def read_rows(path: Path, file_format: str | None = None) -> Iterator[dict[str, Any] | UnreadableRow]:
    """Stream the rows of a fleet file one at a time; memory stays flat whatever the file's size."""
    file_format = file_format or detect_format(path)
    with path.open(encoding="utf-8-sig", newline="" if file_format == "csv" else None) as text:
        if file_format == "jsonl":
            yield from _jsonl_rows(text)
        elif file_format == "json":
            yield from _json_array_rows(text)
        elif file_format == "csv":
            yield from _csv_rows(text)
        else:
            raise ValueError(f"unknown format {file_format!r} (expected one of {', '.join(FORMATS)})")


def count_rows(path: Path, file_format: str | None = None) -> int | None:
    """How many rows the file holds, cheaply, for progress and ETA; None where that needs a full parse (JSON)."""
    file_format = file_format or detect_format(path)
    if file_format == "json":
        return None
    with path.open(encoding="utf-8-sig", newline="" if file_format == "csv" else None) as text:
        if file_format == "csv":
            return max(sum(1 for _ in csv.reader(text)) - 1, 0)
        return sum(1 for line in text if line.strip())


def _jsonl_rows(text: IO[str]) -> Iterator[dict[str, Any] | UnreadableRow]:
    for number, line in enumerate(text, start=1):
        if line.strip():
            yield _object(line, f"line {number}")


def _object(document: str, where: str) -> dict[str, Any] | UnreadableRow:
    try:
        value = json.loads(document)
    except json.JSONDecodeError as exc:
        return UnreadableRow(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})")
    return value if isinstance(value, dict) else UnreadableRow(f"{where}: expected a JSON object")


def _json_array_rows(text: IO[str]) -> Iterator[dict[str, Any] | UnreadableRow]:
    """The elements of a top-level JSON array, decoded one by one as the file is read."""
    decoder = json.JSONDecoder()
    buffer, position, index, started = "", 0, 0, False
    while True:
        chunk = text.read(_CHUNK)
        buffer = buffer[position:] + chunk
        position = 0
        while True:
            position = _skip(buffer, position, " \t\r\n" + ("," if started else ""))
            if position >= len(buffer):
                break
            if not started:
                if buffer[position] != "[":
                    yield UnreadableRow("the file is not a JSON array")
                    return
                started, position = True, position + 1
                continue
            if buffer[position] == "]":
                return
            try:
                value, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as exc:
                if chunk:
                    break  # the element continues in the next chunk
                yield UnreadableRow(f"element {index}: not valid JSON ({exc.msg})")
                return
            yield value if isinstance(value, dict) else UnreadableRow(f"element {index}: expected a JSON object")
            index, position = index + 1, end
        if not chunk:  # end of file before the closing bracket
            yield UnreadableRow("the JSON array is not closed" if started else "the file is not a JSON array")
            return


def _skip(buffer: str, position: int, characters: str) -> int:
    while position < len(buffer) and buffer[position] in characters:
        position += 1
    return position


def _csv_rows(text: IO[str]) -> Iterator[dict[str, Any] | UnreadableRow]:
    reader = csv.DictReader(text)
    for record in reader:
        if None in record:
            yield UnreadableRow(f"line {reader.line_num}: more cells than columns")
            continue
        yield _nested({column: cell for column, cell in record.items() if cell not in (None, "")}, reader.line_num)


def _nested(cells: dict[str, str], line: int) -> dict[str, Any] | UnreadableRow:
    """Dotted columns (`devices.0.attributes.battery_capacity_wh`) as the nested wire mapping, cells typed."""
    root: dict[str, Any] = {}
    for column, cell in cells.items():
        parts = column.split(".")
        node = root
        for depth, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # columns "site" and "site.id" both filled in
                return UnreadableRow(
                    f"line {line}: column {column!r} is inside {'.'.join(parts[: depth + 1])!r}, "
                    "which has a value of its own"
                )
        if isinstance(node.get(parts[-1]), dict):
            return UnreadableRow(f"line {line}: column {column!r} has a value and nested columns")
        node[parts[-1]] = _typed(cell, field_type(models.CommissionRequest, parts))
    return {key: _lists(value) for key, value in root.items()}


def _lists(node: Any) -> Any:
    """Objects whose keys are all list indices become lists, in index order."""
    if not isinstance(node, dict):
        return node
    items = {key: _lists(value) for key, value in node.items()}
    if items and all(_INDEX.fullmatch(key) for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def _typed(cell: str, hint: Any) -> Any:
    """A cell as the schema's type wants it; left as text when it does not parse, so validation can name it."""
    value = cell.strip()
    if hint is bool:
        lowered = value.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else cell
    if hint is int and _INTEGER.fullmatch(value):
        return int(value)
    if hint is float:
        try:
            return float(value)
        except ValueError:
            return cell
    return cell
