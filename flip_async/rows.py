"""Reading fleet files (JSON Lines, a JSON array, or CSV with dotted columns) as a stream of commissioning rows."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeAlias, cast

import attrs

from flip_async import models
from flip_async._validation import field_type

FORMATS = ("jsonl", "json", "csv")
MAX_ROW_CHARS = 1 << 20
"""The longest line (JSON Lines, CSV) or JSON array element read as a row; a longer one is an unreadable row, and is
skipped without being held in memory, so memory stays flat whatever the file holds."""

_CHUNK = 1 << 16
_INDEX = re.compile(r"0|[1-9][0-9]*")
_INTEGER = re.compile(r"[+-]?\d+")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
# Files are decoded with errors="surrogateescape", so each byte that is not UTF-8 arrives as one of these code points
# and can be reported on its own row instead of failing the whole file.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_BLANK = re.compile(r"\s*")
_BLANK_OR_COMMAS = re.compile(r"[\s,]*")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_JSON_STRUCTURE = re.compile(r'["{}\[\],]')
_JSON_IN_STRING = re.compile(r'\\[^\n]|["\n]')


class FleetFileError(ValueError):
    """The file as a whole cannot be read as a fleet (a CSV header naming a column twice, say): no row is read."""


@attrs.frozen
class UnreadableRow:
    """A row that could not be read at all (broken JSON, say); bulk commissioning reports it as invalid."""

    reason: str


FileRow: TypeAlias = dict[str, Any] | UnreadableRow
"""One row of a fleet file: its wire mapping, or why it could not be read."""


def detect_format(path: Path) -> str:
    """The format named by the file's extension, else guessed from its first non-blank character."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("json", "csv"):
        return suffix
    with _open(path, "jsonl") as text:
        head = text.read(4096).lstrip()
    return "json" if head.startswith("[") else "jsonl" if head.startswith("{") else "csv"


def read_rows(path: Path, file_format: str | None = None) -> Iterator[FileRow]:
    """Stream the rows of a fleet file one at a time; memory stays flat whatever the file's size.

    A row that cannot be read (broken JSON, bytes that are not UTF-8, a CSV row with the wrong number of cells) is an
    UnreadableRow naming its file line, and the rows after it are read as usual. FleetFileError means the file as a
    whole is unusable (a UTF-16 file, a CSV header naming a column twice).
    """
    for _, row in read_numbered_rows(path, file_format):
        yield row


class ReadPosition:
    """How far into its file a reader has got, in bytes: progress for a file whose rows are not counted first."""

    def __init__(self) -> None:
        self.bytes = 0


def read_numbered_rows(
    path: Path, file_format: str | None = None, *, position: ReadPosition | None = None
) -> Iterator[tuple[int, FileRow]]:
    """Like read_rows, with the file line where each row starts (for messages about rows that parsed but are wrong);
    `position`, when given, follows the reading."""
    file_format = file_format or detect_format(path)
    with _open(path, file_format) as text:
        if file_format == "jsonl":
            rows = _jsonl_rows(_Lines(text))
        elif file_format == "json":
            rows = _JsonArray(text).rows()
        else:
            rows = _csv_rows(_Lines(text))
        for numbered in rows:
            if position is not None:
                position.bytes = cast(BinaryIO, text.buffer).tell()
            yield numbered


def count_rows(path: Path, file_format: str | None = None) -> int | None:
    """How many rows the file holds, cheaply, for progress and ETA. For a JSON array (where counting would mean
    parsing it all) None, or 0 when it has no element."""
    file_format = file_format or detect_format(path)
    if file_format == "json":
        return 0 if next(read_rows(path, file_format), None) is None else None
    with _open(path, file_format) as text:
        lines = _Lines(text)
        if file_format == "jsonl":
            return sum(1 for _ in _jsonl_lines(lines))
        return sum(1 for _ in _csv_records(lines, _csv_header(lines)))


def _open(path: Path, file_format: str) -> io.TextIOWrapper:
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r} (expected one of {', '.join(FORMATS)})")
    with path.open("rb") as raw:
        if raw.read(2) in _UTF16_BOMS:
            raise FleetFileError("the file is UTF-16 text; save it as UTF-8")
    # newline="" lets the csv module see the line endings inside quoted cells, as it requires.
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="" if file_format == "csv" else None)


class _LineTooLong(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: longer than {MAX_ROW_CHARS} characters")
        self.line = line


class _Lines:
    """A text file's lines, counted; one longer than MAX_ROW_CHARS raises _LineTooLong and is skipped, never held.

    An iterator class rather than a generator so that it goes on after raising: the csv module, reading from it, then
    carries on with the next record.
    """

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self.number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._text.readline(MAX_ROW_CHARS + 2)  # room for "\r\n"
        if not line:
            raise StopIteration
        self.number += 1
        if len(line.rstrip("\r\n")) > MAX_ROW_CHARS:
            while line and not line.endswith(("\n", "\r")):
                line = self._text.readline(_CHUNK)
            raise _LineTooLong(self.number)
        return line


def _jsonl_lines(lines: _Lines) -> Iterator[tuple[int, str | _LineTooLong]]:
    """The non-blank lines, numbered."""
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except _LineTooLong as exc:
            yield exc.line, exc
        else:
            if line.strip():
                yield lines.number, line


def _jsonl_rows(lines: _Lines) -> Iterator[tuple[int, FileRow]]:
    for number, line in _jsonl_lines(lines):
        yield number, UnreadableRow(str(line)) if isinstance(line, _LineTooLong) else _object(line, number)


def _object(document: str, line: int) -> FileRow:
    not_utf8 = _not_utf8(document)
    if not_utf8 is not None:
        return UnreadableRow(f"line {line}: {_byte(not_utf8.group())} at column {not_utf8.start() + 1} is not UTF-8")
    try:
        value = json.loads(document)
    except json.JSONDecodeError as exc:
        return UnreadableRow(f"line {line}: not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})")
    return value if isinstance(value, dict) else UnreadableRow(f"line {line}: expected a JSON object")


def _not_utf8(text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """The first byte in text[start:end] that was not UTF-8 (read as a surrogate escape), if any."""
    # isascii() costs nothing (CPython knows it of every string), and most fleet files are ASCII.
    return None if text.isascii() else _NOT_UTF8.search(text, start, len(text) if end is None else end)


def _byte(escaped: str) -> str:
    return f"byte 0x{ord(escaped) - 0xDC00:02X}"


class _JsonArray:
    """The elements of a top-level JSON array, decoded one by one as the file is read, in chunks.

    An element that does not decode is reported, and reading resumes after it. In an indented file (elements starting
    lines) that is at the next line indented like the elements: the broken one's closing brace, or the next element;
    so a lost quote or bracket costs only its own element. Otherwise it is at the next comma or bracket outside
    strings (which end at a line break, as valid JSON never breaks a line inside one) and nested brackets. A closing
    bracket with more than whitespace after it is taken for a broken element's, and reading goes on.
    """

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._decoder = json.JSONDecoder()
        self._buffer = ""
        self._position = 0
        self._eof = False
        self._began_line = False  # whether the last _next_character() crossed a line break
        self._indent: int | None = None  # how far elements are indented, in an indented file
        # The line and column (1-based) of self._counted, a position in the buffer that only moves forward.
        self._counted, self._line, self._column = 0, 1, 1

    def rows(self) -> Iterator[tuple[int, FileRow]]:
        first = self._next_character(commas=False)
        if not first:
            return
        if first != "[":
            hint = " (a file of JSON objects, one per line, is JSON Lines: name it .jsonl)" if first == "{" else ""
            line = self._where()[0]
            yield line, UnreadableRow(f"line {line}: the file is not a JSON array{hint}")
            return
        self._position += 1
        index = 0
        while True:
            character = self._next_character(commas=True)
            line, column = self._where()
            if not character:
                yield line, UnreadableRow(f"line {line}: the file ends before the JSON array is closed (cut short?)")
                return
            if character == "]":
                self._position += 1
                if not self._next_character(commas=False):
                    return
                continue  # text goes on after it: a broken element's bracket, not the array's
            if self._began_line and self._indent is None:
                self._indent = column - 1
            indent = self._indent
            yield line, self._element(f"line {line}: element {index}", line, column, indent)
            index += 1

    def _element(self, where: str, line: int, column: int, indent: int | None) -> FileRow:
        while True:
            start = self._position
            try:
                value, end = self._decoder.raw_decode(self._buffer, start)
            except json.JSONDecodeError as exc:
                if self._eof or not _maybe_cut_short(exc, len(self._buffer)):
                    reason = self._undecodable(where, exc.pos, exc.msg, start, line, column)
                    self._skip_element(indent)
                    return UnreadableRow(reason)
            else:
                if end < len(self._buffer) or self._eof:  # else a number, say, may go on in the next chunk
                    self._position = end
                    not_utf8 = _not_utf8(self._buffer, start, end)
                    if not_utf8 is not None:
                        return UnreadableRow(self._undecodable(where, not_utf8.start(), "", start, line, column))
                    return value if isinstance(value, dict) else UnreadableRow(f"{where}: expected a JSON object")
            if len(self._buffer) - start > MAX_ROW_CHARS:
                self._skip_element(indent)
                return UnreadableRow(f"{where} is longer than {MAX_ROW_CHARS} characters")
            self._fill()

    def _undecodable(self, where: str, at: int, message: str, start: int, line: int, column: int) -> str:
        """Why the element that starts at `start` (`line`, `column`) does not decode, and where: `at` in the buffer."""
        newlines = self._buffer.count("\n", start, at)
        if newlines:
            line, column = line + newlines, at - self._buffer.rindex("\n", start, at)
        else:
            column += at - start
        spot = f"line {line}, column {column}"
        if at < len(self._buffer) and _NOT_UTF8.fullmatch(self._buffer[at]):
            return f"{where} is not UTF-8 ({_byte(self._buffer[at])} at {spot})"
        return f"{where} is not valid JSON ({message.removesuffix(' at')} at {spot})"

    def _skip_element(self, indent: int | None) -> None:
        """Move the position past the element there: to its comma, the array's closing bracket, or the end of the file.
        Nothing skipped is kept, so this takes no memory however long the element is."""
        if indent is None:
            self._skip_brackets()
            return
        while self._skip_line():
            next_indent, first = self._line_start()
            if next_indent < indent or (next_indent == indent and first != "}"):
                return  # the array's closing bracket, or the next element
            if next_indent == indent:  # the element's closing brace, whatever was lost before it
                self._position = self._buffer.index("}", self._position) + 1
                return

    def _skip_line(self) -> bool:
        """Move the position past the next line break; False at the end of the file."""
        while (newline := self._buffer.find("\n", self._position)) < 0:
            self._position = len(self._buffer)
            if self._fill() < 0:
                return False
        self._position = newline + 1
        return True

    def _skip_brackets(self) -> None:
        """Skip to the first comma or closing bracket outside strings and the element's own brackets."""
        depth, in_string = 0, False
        while True:
            found = (_JSON_IN_STRING if in_string else _JSON_STRUCTURE).search(self._buffer, self._position)
            if found is None:
                # The last character is read again with the next chunk: it may be a backslash escaping the next one.
                self._position = max(self._position, len(self._buffer) - 1)
                if self._fill() < 0:
                    self._position = len(self._buffer)
                    return
                continue
            mark, self._position = found.group(), found.end()
            if in_string:
                in_string = len(mark) == 2  # an escape; a quote or a line break ends the string
            elif mark == '"':
                in_string = True
            elif mark in "{[":
                depth += 1
            elif depth > 0:
                if mark in "}]":
                    depth -= 1
            elif mark != "}":  # a comma, or the array's closing bracket (a stray "}" is part of the broken element)
                self._position = found.start()
                return

    def _line_start(self) -> tuple[int, str]:
        """The indentation and first character of the next non-blank line, from the position (after a line break)."""
        offset, indent = 0, 0
        while True:
            if self._position + offset >= len(self._buffer):
                if self._fill() < 0:
                    return indent, ""
                continue
            character = self._buffer[self._position + offset]
            if character == "\n":
                indent = 0
            elif character in " \t":
                indent += 1
            else:
                return indent, character
            offset += 1

    def _next_character(self, *, commas: bool) -> str:
        """The next character that is not whitespace (nor a comma, with `commas`), left at the position; "" at EOF."""
        blank = _BLANK_OR_COMMAS if commas else _BLANK
        self._began_line = False
        while True:
            skipped_from = self._position
            blanks = blank.match(self._buffer, skipped_from)
            assert blanks is not None  # it matches the empty string too
            self._position = blanks.end()
            self._began_line = self._began_line or self._buffer.find("\n", skipped_from, self._position) >= 0
            if self._position < len(self._buffer):
                return self._buffer[self._position]
            if self._fill() < 0:
                return ""

    def _fill(self) -> int:
        """Read the next chunk, dropping the text before the position; how many characters were dropped, or -1 at EOF
        (then nothing is dropped)."""
        if self._eof:
            return -1
        chunk = self._text.read(_CHUNK)
        if not chunk:
            self._eof = True
            return -1
        self._where()
        dropped = self._position
        self._buffer = self._buffer[dropped:] + chunk
        self._position, self._counted = 0, 0
        return dropped

    def _where(self) -> tuple[int, int]:
        """The line and column of the position."""
        start, end = self._counted, self._position
        newlines = self._buffer.count("\n", start, end)
        if newlines:
            self._line += newlines
            self._column = end - self._buffer.rindex("\n", start, end)
        else:
            self._column += end - start
        self._counted = end
        return self._line, self._column


def _maybe_cut_short(error: json.JSONDecodeError, length: int) -> bool:
    """Whether more text could make the decoding succeed: it failed in the last few characters (inside a `-Infinity`
    or a `\\ud83d\\ude00`, at most), or in a string still open where the text ends."""
    return error.pos >= length - 16 or error.msg.startswith("Unterminated string")


def _csv_rows(lines: _Lines) -> Iterator[tuple[int, FileRow]]:
    header = _csv_header(lines)
    for line, record in _csv_records(lines, header):
        yield line, record if isinstance(record, UnreadableRow) else _csv_row(header, record, line)


@attrs.frozen
class _CsvHeader:
    columns: tuple[str, ...]
    delimiter: str
    types: tuple[Any, ...] = attrs.field()
    """The schema's type at each column's path (None where it names no known field), looked up once per file."""

    @types.default
    def _types(self) -> tuple[Any, ...]:
        return tuple(field_type(models.CommissionRequest, column.split(".")) for column in self.columns)


def _csv_header(lines: _Lines) -> _CsvHeader:
    """The first non-blank line's column names, with the delimiter it uses (`,`, or `;` as some spreadsheets write)."""
    try:
        first = next((line for line in lines if line.strip()), "")
    except _LineTooLong as exc:
        raise FleetFileError(f"{exc} (the CSV header)") from None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        names = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error as exc:
        raise FleetFileError(f"line {lines.number}: the CSV header is not readable as CSV ({exc})") from None
    columns = tuple(name.strip() for name in names)
    seen: set[str] = set()
    for name in columns:
        if _not_utf8(name):
            raise FleetFileError(f"line {lines.number}: the CSV header is not UTF-8 text; save the file as UTF-8")
        if name in seen and name:
            raise FleetFileError(f"line {lines.number}: the CSV header names column {name!r} twice")
        seen.add(name)
    return _CsvHeader(columns, delimiter)


def _csv_records(lines: _Lines, header: _CsvHeader) -> Iterator[tuple[int, list[str] | UnreadableRow]]:
    """The records after the header with the line each starts on; blank ones (no cell filled in) left out."""
    reader = csv.reader(lines, delimiter=header.delimiter)
    while True:
        start = lines.number + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except _LineTooLong as exc:
            yield exc.line, UnreadableRow(str(exc))
        except csv.Error as exc:  # a cell over the csv module's field size limit
            yield start, UnreadableRow(f"line {start}: not readable as CSV ({exc})")
        else:
            if any(cell.strip() for cell in cells):
                yield start, cells


def _csv_row(header: _CsvHeader, cells: list[str], line: int) -> FileRow:
    if len(cells) != len(header.columns):
        return UnreadableRow(f"line {line}: {len(cells)} cells, but the header has {len(header.columns)} columns")
    filled: dict[str, Any] = {}
    for number, (column, hint, cell) in enumerate(zip(header.columns, header.types, cells, strict=True), start=1):
        value = cell.strip()
        if not value:
            continue
        not_utf8 = _not_utf8(value)
        if not_utf8 is not None:
            return UnreadableRow(
                f"line {line}: the {column or f'column {number}'} cell is not UTF-8 text "
                f"({_byte(not_utf8.group())}); save the file as UTF-8"
            )
        if not column:
            return UnreadableRow(f"line {line}: cell {number} has a value, but its column has no name")
        filled[column] = _typed(value, hint)
    try:
        return _nested(filled)
    except _CellsError as exc:
        return UnreadableRow(f"line {line}: {exc}")


class _CellsError(Exception):
    """The filled-in cells of a row do not make one nested mapping."""


def _nested(cells: dict[str, Any]) -> dict[str, Any]:
    """Dotted columns (`devices.0.attributes.battery_capacity_wh`) as the nested wire mapping."""
    root: dict[str, Any] = {}
    for column, cell in cells.items():
        parts = column.split(".")
        node = root
        for depth, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # columns "site" and "site.id" both filled in
                inside = ".".join(parts[: depth + 1])
                raise _CellsError(f"column {column!r} is inside {inside!r}, which has a value of its own")
        if isinstance(node.get(parts[-1]), dict):
            raise _CellsError(f"column {column!r} has a value and nested columns")
        node[parts[-1]] = cell
    return {key: _lists(value, key) for key, value in root.items()}


def _lists(node: Any, path: str) -> Any:
    """Objects whose keys are all list indices become lists; a gap is an error, so that `devices.2` stays devices[2]."""
    if not isinstance(node, dict):
        return node
    items = {key: _lists(value, f"{path}.{key}") for key, value in node.items()}
    if not (items and all(_INDEX.fullmatch(key) for key in items)):
        return items
    indices = sorted(map(int, items))
    for expected, index in enumerate(indices):
        if index != expected:
            raise _CellsError(
                f"{path}[{index}] is given (columns {path}.{index}.*) but {path}[{expected}] is not: "
                f"number the {path} from {path}.0 without gaps"
            )
    return [items[str(index)] for index in indices]


def _typed(value: str, hint: Any) -> Any:
    """A (stripped) cell as the schema's type wants it; left as text when it does not parse, so validation names it."""
    if hint is bool:
        lowered = value.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else value
    if hint is int and _INTEGER.fullmatch(value):
        return int(value)
    if hint is float:
        try:
            return float(value)
        except ValueError:
            return value
    return value
