"""Bulk commissioning: many sites through one client, bounded and streamed, with exactly one outcome per row."""

from __future__ import annotations

import asyncio
import enum
import os
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable, Mapping
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import attrs

from flip_async import models
from flip_async._journal import Journal
from flip_async._validation import validated
from flip_async.errors import APIError, ConflictError, FlipError, Problem, RequestValidationError
from flip_async.rows import UnreadableRow

if TYPE_CHECKING:
    from flip_async._client import FlipClient

Row = models.CommissionRequest | Mapping[str, Any] | UnreadableRow
"""One site to commission: a request model, or the same thing as a wire mapping (a row from a file or database);
an UnreadableRow from a file reader stands for a row that could not even be parsed."""

# On cancellation, requests already in flight get this long to finish and be journaled before they are abandoned.
DRAIN_SECONDS = 10.0


class OutcomeStatus(enum.StrEnum):
    """What happened to one row."""

    COMMISSIONED = "commissioned"
    """Flip created the site and its devices."""
    ALREADY_COMMISSIONED = "already_commissioned"
    """Flip answered 409: the site exists (also when an earlier attempt's answer was lost on the way back)."""
    INVALID = "invalid"
    """The row failed validation and was never sent; `error` lists every problem."""
    FAILED = "failed"
    """An API or network error survived the retries."""
    SKIPPED = "skipped"
    """The journal shows the site done in an earlier run; nothing was sent."""


@attrs.frozen(kw_only=True)
class CommissionOutcome:
    """The result of one input row."""

    row: int
    """The row's 0-based position in the input."""
    site_id: str | None
    """`site.id` when the row has one (an invalid row may not)."""
    status: OutcomeStatus
    result: models.CommissionResponse | None = None
    """Flip's answer, for `commissioned`."""
    error: Exception | None = None
    """Why the row is `invalid` or `failed`."""
    attempts: int = 0
    """HTTP attempts made (0 when nothing was sent)."""
    elapsed: float = 0.0
    """Seconds from the row's start to its outcome, including retries."""

    @property
    def ok(self) -> bool:
        """True for the statuses that leave the site commissioned."""
        return self.status in (OutcomeStatus.COMMISSIONED, OutcomeStatus.ALREADY_COMMISSIONED, OutcomeStatus.SKIPPED)

    def to_record(self) -> dict[str, Any]:
        """The outcome as a JSON-ready line for journals and `--out` files (no secrets: errors never hold tokens)."""
        return {
            "row": self.row,
            "site_id": self.site_id,
            "status": self.status.value,
            "error": None if self.error is None else _error_text(self.error),
            "attempts": self.attempts,
            "elapsed": round(self.elapsed, 4),
        }


async def commission_many(
    client: FlipClient,
    rows: Iterable[Row] | AsyncIterable[Row],
    *,
    concurrency: int = 16,
    journal: str | os.PathLike[str] | None = None,
    rate_limit: float | None = None,
    ordered: bool = False,
    timeout: float | None = None,
    max_retries: int | None = None,
) -> AsyncGenerator[CommissionOutcome, None]:
    """Commission every row (a CommissionRequest or its wire mapping), yielding exactly one outcome per row.

    Called as `flip.commission_many(rows, ...)`. At most `concurrency` requests are in flight, and at most
    `rate_limit` start per second. Outcomes come in completion order, or in input order with `ordered=True`. With a
    `journal` (a JSON Lines file), each finished row is recorded before its outcome is yielded, and a rerun skips the
    sites it shows as done. `timeout` and `max_retries` apply to each row's request. See OutcomeStatus for what
    each outcome's status means.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency!r}")
    if rate_limit is not None and not rate_limit > 0:
        raise ValueError(f"rate_limit must be > 0 requests per second, got {rate_limit!r}")
    pacer = _Pacer(rate_limit) if rate_limit else None

    async def run(index: int, row: Row, done: frozenset[str]) -> CommissionOutcome:
        return await _commission_row(client, index, row, done, pacer=pacer, timeout=timeout, max_retries=max_retries)

    with Journal(journal) if journal is not None else nullcontext() as book:
        done = book.done if book is not None else frozenset()
        # The window bounds memory: at most `concurrency` rows in flight, and in input order at most as many more
        # finished rows waiting behind a slow one.
        window = concurrency * 2 if ordered else concurrency
        pending: deque[asyncio.Task[CommissionOutcome]] = deque()
        try:
            async for index, row in _enumerate(rows):
                # Counting the unfinished tasks costs a pass over the window: only done when it could matter.
                while len(pending) >= window or (len(pending) >= concurrency and _in_flight(pending) >= concurrency):
                    for outcome in _recorded(await _next_finished(pending, ordered), book):
                        yield outcome
                pending.append(asyncio.create_task(run(index, row, done)))
            while pending:
                for outcome in _recorded(await _next_finished(pending, ordered), book):
                    yield outcome
        finally:
            # Cancelled, or the caller stopped iterating: let what is in flight finish and be journaled, so a rerun
            # does not send it again, then abandon whatever still has not finished.
            await _drain(pending, book)


async def _commission_row(
    client: FlipClient,
    index: int,
    row: Row,
    done: frozenset[str],
    *,
    pacer: _Pacer | None,
    timeout: float | None,
    max_retries: int | None,
) -> CommissionOutcome:
    started = time.monotonic()
    site_id = _site_id(row)

    def outcome(status: OutcomeStatus, **details: Any) -> CommissionOutcome:
        return CommissionOutcome(
            row=index, site_id=site_id, status=status, elapsed=time.monotonic() - started, **details
        )

    if site_id is not None and site_id in done:
        return outcome(OutcomeStatus.SKIPPED)
    if isinstance(row, UnreadableRow):
        return outcome(OutcomeStatus.INVALID, error=RequestValidationError([Problem("$", row.reason)]))
    try:
        request = validated(row, models.CommissionRequest)
    except RequestValidationError as exc:
        return outcome(OutcomeStatus.INVALID, error=exc)
    if pacer is not None:
        await pacer.wait()
    try:
        parsed = await client._commission(request, timeout=timeout, max_retries=max_retries)
    except ConflictError as exc:
        return outcome(OutcomeStatus.ALREADY_COMMISSIONED, attempts=exc.attempts or 1)
    except APIError as exc:
        return outcome(OutcomeStatus.FAILED, error=exc, attempts=exc.attempts or 1)
    except Exception as exc:
        # One row's surprise must not stop the fleet: it is reported as that row's failure, not lost.
        return outcome(OutcomeStatus.FAILED, error=exc, attempts=1)
    return outcome(OutcomeStatus.COMMISSIONED, result=parsed.value, attempts=parsed.response.attempts)


def _site_id(row: Row) -> str | None:
    """The row's site id if it has a usable one, without validating anything else."""
    if isinstance(row, models.CommissionRequest):
        site: Any = row.site
    else:
        site = row.get("site") if isinstance(row, Mapping) else None
    site_id = site.id if isinstance(site, models.Site) else site.get("id") if isinstance(site, Mapping) else None
    return site_id if isinstance(site_id, str) else None


def _recorded(outcomes: list[CommissionOutcome], book: Journal | None) -> list[CommissionOutcome]:
    """Journal a batch of finished rows, all before any is yielded: a caller that stops early loses none of them."""
    if book is not None:
        for outcome in outcomes:
            if outcome.status is not OutcomeStatus.SKIPPED:
                book.record(outcome.to_record())
    return outcomes


async def _next_finished(pending: deque[asyncio.Task[CommissionOutcome]], ordered: bool) -> list[CommissionOutcome]:
    """Wait for the next outcome(s): the oldest row's in input order, any finished rows otherwise."""
    if ordered:
        finished = [await asyncio.shield(pending[0])]
        pending.popleft()
        while pending and pending[0].done():
            finished.append(pending.popleft().result())
        return finished
    done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    kept = [task for task in pending if task not in done]
    pending.clear()
    pending.extend(kept)
    return [task.result() for task in done]


def _in_flight(pending: deque[asyncio.Task[CommissionOutcome]]) -> int:
    return sum(not task.done() for task in pending)


async def _drain(pending: deque[asyncio.Task[CommissionOutcome]], book: Journal | None) -> None:
    if not pending:
        return
    _, unfinished = await asyncio.wait(pending, timeout=DRAIN_SECONDS)
    for task in unfinished:
        task.cancel()
    _recorded([task.result() for task in pending if task.done() and not task.cancelled()], book)
    pending.clear()


async def _enumerate(rows: Iterable[Row] | AsyncIterable[Row]) -> AsyncIterator[tuple[int, Row]]:
    if isinstance(rows, AsyncIterable):
        index = 0
        async for row in rows:
            yield index, row
            index += 1
    else:
        for index, row in enumerate(rows):
            yield index, row


class _Pacer:
    """Spaces request starts evenly so that no more than `per_second` begin in any second."""

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        start = max(now, self._next)
        self._next = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)


def _error_text(error: Exception) -> str:
    return str(error) if isinstance(error, FlipError) else f"{type(error).__name__}: {error}"
