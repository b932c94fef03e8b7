"""The bulk run's append-only JSON Lines journal: which API it belongs to, what was sent, and every finished row."""

from __future__ import annotations

import os
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from flip_async._outcomes import DONE
from flip_async.errors import FlipError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; two runs on one journal are then the caller's to prevent
    fcntl = None  # type: ignore[assignment]

__all__ = ["FORMAT", "Journal", "JournalError", "JournalInUseError", "JournalMismatchError"]

FORMAT = "flip-async journal"
_VERSION = 2
_SENDING = "sending"
_UNANSWERED = frozenset({_SENDING, "unconfirmed"})


class JournalError(FlipError):
    """A journal cannot be used for this run (nothing was sent)."""


class JournalInUseError(JournalError):
    """Another run holds the journal."""


class JournalMismatchError(JournalError):
    """The journal belongs to another API than the one this run sends to."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    """One line per event of a run, each written and flushed at once: a crash (even SIGKILL) loses nothing reported.

    The first line names the API the journal belongs to (`api`: a base URL, or `sandbox`); a run against another
    API refuses it (JournalMismatchError) unless `allow_other_api`. Each run adds a line with its pid; before a row's
    request is sent its `sending` line is written, and when the row finishes its outcome. A rerun reads it back:
    sites whose last line says `commissioned` or `already_commissioned` are done and not sent again; sites sent whose
    answer never came (a `sending` line last, or `unconfirmed`) are `unconfirmed`: checked at Flip before anything is
    sent again. One run at a time holds a journal, through an advisory lock that a crash releases
    (JournalInUseError names the holder's pid). A line cut short by a crash is ignored; journals written before the
    first line named an API (version 1) still load. `done` and `unconfirmed` are the sites as the journal had them
    when it was opened (sets, to be read, not changed).
    """

    def __init__(self, path: str | os.PathLike[str], *, api: str, allow_other_api: bool = False) -> None:
        self.path = Path(path)
        self.api = api
        self._file: IO[bytes] = self.path.open("ab")
        try:
            self._lock()
            # What earlier runs left; this run's own lines do not change it.
            header, self.done, self.unconfirmed = self._read()
            if header is not None and header.get("api") != api and not allow_other_api:
                raise JournalMismatchError(
                    f"{self.path} belongs to {header.get('api')!r}, not to {api!r}: use another journal, or allow "
                    "resuming against another API explicitly"
                )
            if self._file.tell() == 0:
                self._write({"journal": FORMAT, "version": _VERSION, "api": api, "created_at": _now()})
            elif not self._ends_with_newline():
                self._file.write(b"\n")
            self._write({"run": os.getpid(), "api": api, "at": _now()})
        except BaseException:
            self._file.close()
            raise

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r}, api={self.api!r}, done={len(self.done)})"

    def sending(self, row: int, site_id: str) -> None:
        """Record that the row's request is about to be sent (write-ahead): it is on its way to disk on return."""
        self._write({"row": row, "site_id": site_id, "status": _SENDING, "at": _now()})

    def record(self, entry: dict[str, Any]) -> None:
        """Append one finished row; it is on its way to disk (flushed to the OS) when this returns."""
        self._write({**entry, "at": _now()})

    def close(self) -> None:
        """Close the file, which releases the lock for the next run."""
        self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _write(self, entry: dict[str, Any]) -> None:
        # One write call per line: a crash can cut a line short, never interleave two.
        self._file.write(orjson.dumps(entry) + b"\n")
        self._file.flush()

    def _lock(self) -> None:
        if fcntl is None:
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._last_run_pid()
            raise JournalInUseError(
                f"{self.path} is in use by another run (pid {holder if holder is not None else 'unknown'}); "
                "wait for it to finish, or give this run another journal"
            ) from None

    def _read(self) -> tuple[dict[str, Any] | None, AbstractSet[str], AbstractSet[str]]:
        """The header (None for a version 1 journal), the sites done, and the sites sent without an answer."""
        header: dict[str, Any] | None = None
        # Each site's last status sorts it straight into one of the two sets: for a journal of millions of lines, a
        # dict of every site's status beside them would take half as much memory again.
        done: set[str] = set()
        unconfirmed: set[str] = set()
        for number, entry in enumerate(self._entries()):
            if number == 0 and entry.get("journal") == FORMAT:
                header = entry
                continue
            site_id, status = entry.get("site_id"), entry.get("status")
            if type(site_id) is not str or type(status) is not str:
                continue
            if status in DONE:
                done.add(site_id)
                unconfirmed.discard(site_id)
            elif status in _UNANSWERED:
                unconfirmed.add(site_id)
                done.discard(site_id)
            else:
                done.discard(site_id)
                unconfirmed.discard(site_id)
        return header, done, unconfirmed

    def _entries(self) -> Iterator[dict[str, Any]]:
        """Every line that is a JSON object, in order."""
        with self.path.open("rb") as lines:
            for line in lines:
                try:
                    entry = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue  # the tail of a crashed run: that row was never reported, so it is simply redone
                if type(entry) is dict:
                    yield entry

    def _last_run_pid(self) -> int | None:
        pid = None
        for entry in self._entries():
            if isinstance(entry.get("run"), int):
                pid = entry["run"]
        return pid

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as existing:
            existing.seek(-1, os.SEEK_END)
            return existing.read(1) == b"\n"
