"""Bulk commissioning: many sites through one client, bounded and streamed, with exactly one outcome per row."""

from __future__ import annotations

import asyncio
import enum
import os
import time
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from contextlib import aclosing, nullcontext
from typing import TYPE_CHECKING, Any

import attrs

from flip_async import models
from flip_async._journal import Journal
from flip_async._validation import validated
from flip_async.errors import APIError, ConflictError, FlipError, NotFoundError, Problem, RequestValidationError
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
            "site_id": None if self.site_id is None else _writable(self.site_id),
            "status": self.status.value,
            "error": None if self.error is None else _writable(_error_text(self.error)),
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
    on_outcome: Callable[[CommissionOutcome], object] | None = None,
) -> AsyncGenerator[CommissionOutcome, None]:
    """Commission every row (a CommissionRequest or its wire mapping), yielding exactly one outcome per row.

    Called as `flip.commission_many(rows, ...)`. At most `concurrency` requests are in flight, and at most
    `rate_limit` start per second. Outcomes come in completion order, or in input order with `ordered=True`. With a
    `journal` (a JSON Lines file), each row is recorded as soon as it finishes, before its outcome is yielded, and a
    rerun skips the sites it shows as done. `timeout` and `max_retries` apply to each row's request.

    `on_outcome` is called with each outcome as soon as it is journaled. It also sees the rows that finish while a
    cancelled (or abandoned) run lets its requests in flight complete: those are never yielded. If `rows` itself
    raises, the rows already started finish and are yielded first, then the error propagates.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency!r}")
    if rate_limit is not None and not rate_limit > 0:
        raise ValueError(f"rate_limit must be > 0 requests per second, got {rate_limit!r}")
    with Journal(journal) if journal is not None else nullcontext() as book:
        run = _Run(
            client,
            book,
            on_outcome,
            concurrency=concurrency,
            pacer=_Pacer(rate_limit) if rate_limit else None,
            timeout=timeout,
            max_retries=max_retries,
        )
        # aclosing: when this generator is closed early, the run settles (its in-flight rows journaled) before the
        # journal closes.
        async with aclosing(run.outcomes(rows, ordered=ordered)) as outcomes:
            async for outcome in outcomes:
                yield outcome


_FED = object()
"""Put on a run's queue when the input is exhausted (or raised)."""


class _Run:
    """One commission_many run: a feeder task starts a task per row; each finished row is journaled at once.

    The window (rows started but not yet yielded) bounds memory whatever the input's size, and keeps validation and
    journaling of the next rows going while `concurrency` requests are in flight.
    """

    def __init__(
        self,
        client: FlipClient,
        book: Journal | None,
        on_outcome: Callable[[CommissionOutcome], object] | None,
        *,
        concurrency: int,
        pacer: _Pacer | None,
        timeout: float | None,
        max_retries: int | None,
    ) -> None:
        self._client = client
        self._book = book
        self._on_outcome = on_outcome
        self._done_before = book.done if book is not None else frozenset()
        self._sending = asyncio.Semaphore(concurrency)
        self._window = asyncio.Semaphore(concurrency * 2)
        self._pacer = pacer
        self._timeout = timeout
        self._max_retries = max_retries
        self._finished: asyncio.Queue[CommissionOutcome | object] = asyncio.Queue()
        self._tasks: set[asyncio.Task[CommissionOutcome]] = set()
        self._started = 0
        self._input_error: BaseException | None = None
        self._failure: BaseException | None = None
        self._feeder: asyncio.Task[None]

    async def outcomes(
        self, rows: Iterable[Row] | AsyncIterable[Row], *, ordered: bool
    ) -> AsyncGenerator[CommissionOutcome, None]:
        self._feeder = asyncio.create_task(self._feed(rows))
        self._client._bulk_runs.add(self)
        try:
            async for outcome in self._in_input_order() if ordered else self._as_finished():
                yield outcome
                self._window.release()
            if self._input_error is not None:
                raise self._input_error
        finally:
            await self.settle()

    async def settle(self) -> None:
        """Stop reading rows; the requests in flight get DRAIN_SECONDS to finish and be journaled (so a rerun does
        not send them again), then whatever is still unfinished is abandoned.

        Runs when the run is cancelled or its caller stops early, and when the client closes under a run that its
        caller abandoned without closing it (a `break` out of the loop).
        """
        self._client._bulk_runs.discard(self)
        self._feeder.cancel()
        if self._tasks:
            _, unfinished = await asyncio.wait(self._tasks, timeout=DRAIN_SECONDS)
            for task in unfinished:
                task.cancel()

    async def _feed(self, rows: Iterable[Row] | AsyncIterable[Row]) -> None:
        try:
            async for index, row in _enumerate(rows):
                await self._window.acquire()
                task = asyncio.create_task(self._commission(index, row))
                self._tasks.add(task)
                task.add_done_callback(self._record)
                self._started += 1
        except Exception as exc:  # the input's own failure: reported once the started rows are accounted for
            self._input_error = exc
        finally:
            self._finished.put_nowait(_FED)

    def _record(self, task: asyncio.Task[CommissionOutcome]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        outcome = task.result()
        try:
            if self._book is not None and outcome.status is not OutcomeStatus.SKIPPED:
                self._book.record(outcome.to_record())
            if self._on_outcome is not None:
                self._on_outcome(outcome)
        except Exception as exc:
            # A journal that cannot be written (disk full) or a failing hook ends the run: raised to the caller from
            # the generator, rather than lost in a done-callback while rows go on being sent unrecorded.
            self._failure = self._failure or exc
        self._finished.put_nowait(outcome)

    async def _as_finished(self) -> AsyncIterator[CommissionOutcome]:
        yielded, fed = 0, False
        while not fed or yielded < self._started:
            item = await self._finished.get()
            if self._failure is not None:
                raise self._failure
            if item is _FED:
                fed = True
                continue
            assert isinstance(item, CommissionOutcome)
            yielded += 1
            yield item

    async def _in_input_order(self) -> AsyncIterator[CommissionOutcome]:
        waiting: dict[int, CommissionOutcome] = {}
        next_row = 0
        async for outcome in self._as_finished():
            waiting[outcome.row] = outcome
            while next_row in waiting:
                yield waiting.pop(next_row)
                next_row += 1

    async def _commission(self, index: int, row: Row) -> CommissionOutcome:
        started = time.monotonic()
        site_id = _site_id(row)

        def outcome(status: OutcomeStatus, **details: Any) -> CommissionOutcome:
            return CommissionOutcome(
                row=index, site_id=site_id, status=status, elapsed=time.monotonic() - started, **details
            )

        if site_id is not None and site_id in self._done_before:
            return outcome(OutcomeStatus.SKIPPED)
        try:
            if isinstance(row, UnreadableRow):
                raise RequestValidationError([Problem("$", row.reason)])
            request = validated(row, models.CommissionRequest)
            async with self._sending:
                if self._pacer is not None:
                    await self._pacer.wait()
                try:
                    parsed = await self._client._commission(
                        request, timeout=self._timeout, max_retries=self._max_retries
                    )
                except ConflictError as exc:
                    status, error = await _conflict(self._client, request.site.id, exc)
                    return outcome(status, error=error, attempts=exc.attempts or 1)
        except RequestValidationError as exc:  # the row, or something in it JSON cannot carry: nothing was sent
            return outcome(OutcomeStatus.INVALID, error=exc)
        except APIError as exc:
            return outcome(OutcomeStatus.FAILED, error=exc, attempts=exc.attempts or 1)
        except Exception as exc:
            # One row's surprise must not stop the fleet: it is reported as that row's failure, not lost.
            return outcome(OutcomeStatus.FAILED, error=exc)
        return outcome(OutcomeStatus.COMMISSIONED, result=parsed.value, attempts=parsed.response.attempts)


async def _conflict(
    client: FlipClient, site_id: str, conflict: ConflictError
) -> tuple[OutcomeStatus, Exception | None]:
    """What a 409 means for this row: the site exists (already commissioned), or the conflict is about something else.

    A 409 may also be about a device id another site holds, which leaves this site uncreated; so the site's existence
    is confirmed (its site token is issued only for a site Flip has) before the row counts as done.
    """
    try:
        await client.sites.token(site_id)
    except NotFoundError:
        return OutcomeStatus.FAILED, ConflictError(
            f"{conflict} (site {site_id!r} does not exist at Flip: the conflict is about something else, such as a "
            "device id another site already has)",
            status_code=conflict.status_code,
            body=conflict.body,
            headers=conflict.headers,
            method=conflict.method,
            url=conflict.url,
            attempts=conflict.attempts,
        )
    except FlipError as exc:
        return OutcomeStatus.FAILED, APIError(f"{conflict}; could not confirm that the site exists: {exc}")
    return OutcomeStatus.ALREADY_COMMISSIONED, None


def _site_id(row: Row) -> str | None:
    """The row's site id if it has a usable one, without validating anything else."""
    if isinstance(row, models.CommissionRequest):
        site: Any = row.site
    else:
        site = row.get("site") if isinstance(row, Mapping) else None
    site_id = site.id if isinstance(site, models.Site) else site.get("id") if isinstance(site, Mapping) else None
    return site_id if isinstance(site_id, str) else None


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


def _writable(text: str) -> str:
    """`text` as JSON can hold it: a lone surrogate (from a broken input file) would stop the journal mid-run."""
    return text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")


def _error_text(error: Exception) -> str:
    return str(error) if isinstance(error, FlipError) else f"{type(error).__name__}: {error}"
