"""The bulk run's append-only JSON Lines journal: which sites are done, and a record of every finished row."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from flip_async._outcomes import DONE


class Journal:
    """One JSON object per finished row, written and flushed before the row's outcome is reported.

    A rerun reads it back: sites whose last record says `commissioned` or `already_commissioned` are done and are not
    sent again. A line cut short by a crash is ignored, and the next record starts on a fresh line.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        # What earlier runs finished; this run's own records do not change it.
        self.done: frozenset[str] = self._done_sites() if self.path.exists() else frozenset()
        self._file: IO[bytes] = self.path.open("ab")
        if self._file.tell() and not self._ends_with_newline():
            self._file.write(b"\n")

    def record(self, entry: dict[str, Any]) -> None:
        """Append one finished row; it is on its way to disk (flushed to the OS) when this returns."""
        entry = {**entry, "at": datetime.now(UTC).isoformat(timespec="milliseconds")}
        # One write call per line: a crash can cut a line short, never interleave two.
        self._file.write(orjson.dumps(entry) + b"\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _done_sites(self) -> frozenset[str]:
        return frozenset(
            entry["site_id"]
            for entry in self._entries()
            if isinstance(entry.get("site_id"), str) and entry.get("status") in DONE
        )

    def _entries(self) -> Iterator[dict[str, Any]]:
        with self.path.open("rb") as lines:
            for line in lines:
                try:
                    entry = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue  # the tail of a crashed run: that row was never reported, so it is simply redone
                if isinstance(entry, dict):
                    yield entry

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as existing:
            existing.seek(-1, os.SEEK_END)
            return existing.read(1) == b"\n"
