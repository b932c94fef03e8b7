"""What a bulk run shows a person: a progress bar (or plain periodic lines), then a summary by status."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from flip_async.bulk import CommissionOutcome, OutcomeStatus

FIRST_ERRORS_SHOWN = 5
PLAIN_INTERVAL_SECONDS = 5.0


class RunReport:
    """Counts outcomes as they arrive, draws progress on `stream`, and prints the summary at the end."""

    def __init__(
        self, stream: TextIO, total: int | None, *, out: Path | None = None, interactive: bool | None = None
    ) -> None:
        # soft_wrap: a message is one line however long, so that logs and `grep` see it whole.
        self.console = Console(file=stream, highlight=False, soft_wrap=True)
        self.counts: Counter[OutcomeStatus] = Counter()
        self.first_errors: list[tuple[CommissionOutcome, int | None]] = []
        """The first few outcomes with an error, each with its file line when known."""
        self.errors = 0
        self.retries = 0
        self.total = total
        self._out = out
        self._started = time.monotonic()
        self._last_line = self._started
        self._interactive = self.console.is_terminal if interactive is None else interactive
        self._bar: Progress | None = None

    def __enter__(self) -> RunReport:
        if self._interactive:
            self._bar = Progress(
                TextColumn("[bold]commissioning"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:>8.1f} sites/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("run", total=self.total, rate=0.0)
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
            self._bar.update(self._task, completed=self.finished, rate=self._rate())
        elif time.monotonic() - self._last_line >= PLAIN_INTERVAL_SECONDS:
            self._last_line = time.monotonic()
            self.console.print(self._plain_line())

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
        elapsed = time.monotonic() - self._started
        return self.finished / elapsed if elapsed > 0 else 0.0

    def _plain_line(self) -> str:
        of_total = f"/{self.total}" if self.total is not None else ""
        rate = self._rate()
        eta = ""
        if self.total is not None and rate > 0:
            eta = f", ETA {max(self.total - self.finished, 0) / rate:.0f} s"
        statuses = ", ".join(f"{status.value} {count}" for status, count in self.counts.items())
        return f"{self.finished}{of_total} rows, {rate:.1f} sites/s{eta} ({statuses})"
