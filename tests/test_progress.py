"""What a person sees during a run: counts by status and retries as they come, honest rate and ETA, file progress."""

from __future__ import annotations

import io
import re

import pytest

from flip_async._progress import RunReport
from flip_async.bulk import CommissionOutcome, OutcomeStatus
from flip_async.errors import FlipError
from flip_async.rows import ReadPosition


def _outcome(row: int, status: OutcomeStatus, attempts: int = 1) -> CommissionOutcome:
    error = FlipError("nope") if status in (OutcomeStatus.INVALID, OutcomeStatus.FAILED) else None
    return CommissionOutcome(row=row, site_id=f"s-{row}", status=status, error=error, attempts=attempts)


def test_the_plain_progress_line_counts_each_status_and_the_retries_as_the_run_goes() -> None:
    stream = io.StringIO()
    report = RunReport(stream, 10, interactive=False, plain_every=0)
    with report:
        report.add(_outcome(0, OutcomeStatus.COMMISSIONED, attempts=3))
        report.add(_outcome(1, OutcomeStatus.INVALID, attempts=0))
        report.add(_outcome(2, OutcomeStatus.ALREADY_COMMISSIONED))
        report.add(_outcome(3, OutcomeStatus.FAILED, attempts=2))
    last = stream.getvalue().splitlines()[-1]
    assert last.startswith("4/10 rows, ")
    assert "(commissioned 1, already_commissioned 1, invalid 1, failed 1; 3 retries)" in last


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_the_counts_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a terminal wide enough for the whole line (a narrow one cuts its end)
    stream = _Terminal()
    with RunReport(stream, 4) as report:
        report.add(_outcome(0, OutcomeStatus.COMMISSIONED, attempts=2))
        report.add(_outcome(1, OutcomeStatus.FAILED))
        report._bar.refresh()  # type: ignore[union-attr]  # what the terminal shows now, not at its next tick
    assert "commissioned 1, failed 1; 1 retries" in stream.getvalue()


def test_a_resumes_rate_and_eta_leave_the_skipped_rows_out() -> None:
    stream = io.StringIO()
    report = RunReport(stream, 1000, interactive=False, plain_every=0)
    for row in range(990):
        report.add(_outcome(row, OutcomeStatus.SKIPPED, attempts=0))
    report._started -= 10  # ten seconds in, as if the run had been going that long
    report.add(_outcome(990, OutcomeStatus.COMMISSIONED))
    last = stream.getvalue().splitlines()[-1]
    # One site in 10 s is 0.1 sites/s (not 99.1), and 9 rows to go take 90 s (not 0).
    assert re.match(r"991/1000 rows, 0\.1 sites/s, ETA (89|90|91) s", last), last


def test_a_file_whose_rows_are_not_counted_shows_how_much_of_it_was_read() -> None:
    stream = io.StringIO()
    position = ReadPosition()
    report = RunReport(stream, None, size=10_000, position=position, interactive=False, plain_every=0)
    position.bytes = 2_500
    report._started -= 5
    report.add(_outcome(0, OutcomeStatus.COMMISSIONED))
    last = stream.getvalue().splitlines()[-1]
    assert last.startswith("1 rows, 25% of the file")
    assert "ETA 15 s" in last  # a quarter read in 5 s: three quarters take 15 s more
