"""What a bulk run shows a person: a progress bar (or plain periodic lines), then a summary by status."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from flip_async.bulk import CommissionOutcome, OutcomeStatus
from flip_async.rows import ReadPosition

FIRST_ERRORS_SHOWN = 5
PLAIN_INTERVAL_SECONDS = 5.0


class RunReport:
    """Counts outcomes as they arrive, draws progress on `stream`, and prints the summary at the end.

    Progress counts rows against `total` when it is known; otherwise (a JSON array, not counted first) it follows
    `position` through the file's `size` in bytes. Rate and ETA leave skipped rows out: a resume skipping 90,000 done
    rows in a second is not 90,000 sites/s.
    """

    def __init__(
        self,
        stream: TextIO,
        total: int | None,
        *,
        out: Path | None = None,
        size: int | None = None,
        position: ReadPosition | None = None,
        interactive: bool | None = None,
        plain_every: float = PLAIN_INTERVAL_SECONDS,
    ) -> None:
        # soft_wrap: a message is one line however long, so that logs and `grep` see it whole.
        self.console = Console(file=stream, highlight=False, soft_wrap=True)
        self.counts: Counter[OutcomeStatus] = Counter()
        self.first_errors: list[tuple[CommissionOutcome, int | None]] = []
        """The first few outcomes with an error, each with its file line when known."""
        self.errors = 0
        self.retries = 0
        self.total = total
        # Where the reading is in the file, and the file's size: what progress follows when rows are not counted.
        self._file = (position, size) if total is None and size is not None and position is not None else None
        self._out = out
        self._started = time.monotonic()
        self._last_line = self._started
        self._interactive = self.console.is_terminal if interactive is None else interactive
        self._plain_every = plain_every
        self._bar: Progress | None = None

    def __enter__(self) -> RunReport:
        if self._interactive:
            self._bar = Progress(
                TextColumn("[bold]commissioning"),
                BarColumn(),
                TextColumn("{task.fields[done]}"),
                TextColumn("{task.fields[rate]}"),
                TextColumn("ETA {task.fields[eta]}"),
                TextColumn("{task.fields[statuses]}"),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            total = self.total if self._file is None else self._file[1]
            self._task = self._bar.add_task("run", total=total, **self._fields())
        return self

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    @property
    def finished(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: CommissionOutcome, line: int | None = None) -> None:
        """Count one finished row; `line` is where it starts in the input file, if it came from one."""
        self.counts[outcome.status] += 1
        self.retries += max(outcome.attempts - 1, 0)
        if outcome.error is not None:
            self.errors += 1
            if len(self.first_errors) < FIRST_ERRORS_SHOWN:
                self.first_errors.append((outcome, line))
        if self._bar is not None:
            self._bar.update(self._task, completed=self._completed(), **self._fields())
        elif time.monotonic() - self._last_line >= self._plain_every:
            self._last_line = time.monotonic()
            self.console.print(self._plain_line(), markup=False)

    def draining(self, in_flight: int, seconds: float) -> None:
        """Say that the run stops, and how long the requests in flight may take (a second Ctrl-C abandons them)."""
        requests = f"{in_flight} request{'s' if in_flight != 1 else ''}"
        self.console.print(
            f"Stopping: waiting up to {seconds:g} s for {requests} in flight to finish; press Ctrl-C again to "
            "abandon them (they are then unconfirmed, and a rerun with the journal checks them at Flip first)",
            markup=False,
        )

    def summary(self, *, interrupted: bool = False) -> None:
        elapsed = time.monotonic() - self._started
        table = Table(title="flip-async commission" + (" (interrupted)" if interrupted else ""), title_justify="left")
        table.add_column("status")
        table.add_column("sites", justify="right")
        for status in OutcomeStatus:
            table.add_row(status.value, str(self.counts[status]))
        table.add_row("total", str(self.finished), style="bold")
        self.console.print(table)
        self.console.print(
            f"{self.finished} rows in {elapsed:.1f} s ({self._rate():.1f} sites/s), {self.retries} retries"
        )
        self.print_first_errors()

    def print_first_errors(self) -> None:
        """The first few rows with an error, each with its file line, and how many more there were."""
        for outcome, line in self.first_errors:
            first_line = str(outcome.error).splitlines()[0] if str(outcome.error) else type(outcome.error).__name__
            where = f"row {outcome.row}" + ("" if line is None else f", line {line}")
            self.console.print(
                f"{where} ({outcome.site_id or 'no site id'}): {outcome.status.value}: {first_line}", markup=False
            )
            for detail in str(outcome.error).splitlines()[1:4]:
                self.console.print(f"    {detail.strip()}", markup=False)
        if self.errors > len(self.first_errors):
            see = "" if self._out is None else f" (see {self._out})"
            self.console.print(
                f"... and {self.errors - len(self.first_errors)} more rows with errors{see}", markup=False
            )

    def _rate(self) -> float:
        """Sites per second, skipped rows left out (they cost nothing and would make the ETA a lie)."""
        elapsed = time.monotonic() - self._started
        worked = self.finished - self.counts[OutcomeStatus.SKIPPED]
        return worked / elapsed if elapsed > 0 else 0.0

    def _completed(self) -> int:
        return self.finished if self._file is None else self._file[0].bytes

    def _eta(self) -> str:
        """Seconds left, from the rate so far; for a file followed by bytes, from the bytes read so far."""
        elapsed = time.monotonic() - self._started
        if self._file is not None:
            position, size = self._file
            left = (size - position.bytes) * elapsed / position.bytes if position.bytes else None
        else:
            rate = self._rate()
            left = max(self.total - self.finished, 0) / rate if self.total is not None and rate > 0 else None
        return "?" if left is None else f"{left:.0f} s"

    def _done(self) -> str:
        if self._file is not None:
            position, size = self._file
            return f"{self.finished} rows, {position.bytes / size if size else 1.0:.0%} of the file"
        of_total = f"/{self.total}" if self.total is not None else ""
        return f"{self.finished}{of_total} rows"

    def _statuses(self) -> str:
        shown = ", ".join(f"{status.value} {self.counts[status]}" for status in OutcomeStatus if self.counts[status])
        return f"{shown or 'none finished yet'}; {self.retries} retries"

    def _fields(self) -> dict[str, Any]:
        return {
            "done": self._done(),
            "rate": f"{self._rate():.1f} sites/s",
            "eta": self._eta(),
            "statuses": self._statuses(),
        }

    def _plain_line(self) -> str:
        fields = self._fields()
        return f"{fields['done']}, {fields['rate']}, ETA {fields['eta']} ({fields['statuses']})"
