"""Bulk commissioning: many sites through one client, bounded and streamed, with exactly one outcome per row."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import aclosing, nullcontext
from pathlib import Path
from typing import Any, Protocol

import attrs

from flip_async import models
from flip_async._base_client import Parsed
from flip_async._journal import Journal
from flip_async._outcomes import CommissionOutcome, OutcomeStatus
from flip_async._transport import check_max_retries, check_timeout
from flip_async._validation import validated
from flip_async.errors import APIError, ConflictError, FlipError, Problem, RequestValidationError
from flip_async.rows import UnreadableRow

__all__ = ["DRAIN_SECONDS", "BulkCommissioner", "CommissionOutcome", "OutcomeStatus", "Row", "RunSettings"]

Row = models.CommissionRequest | Mapping[str, Any] | UnreadableRow
"""One site to commission: a request model, or the same thing as a wire mapping (a row from a file or database);
an UnreadableRow from a file reader stands for a row that could not even be parsed."""

# On cancellation, requests already in flight get this long to finish and be journaled before they are abandoned.
DRAIN_SECONDS = 10.0


class SendCommission(Protocol):
    """Sends one validated commission request (the client's own call: token, transport, retries)."""

    def __call__(
        self, request: models.CommissionRequest, *, timeout: float | None, max_retries: int | None
    ) -> Awaitable[Parsed[models.CommissionResponse]]: ...


class SiteExists(Protocol):
    """Whether Flip has a site of this id (raises when that cannot be told, e.g. the API is down)."""

    def __call__(self, site_id: str, *, timeout: float | None, max_retries: int | None) -> Awaitable[bool]: ...


def _at_least_one(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an int >= 1, got {value!r}")


def _positive(_: object, attribute: attrs.Attribute[float | None], value: float | None) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"{attribute.name} must be > 0 requests per second, got {value!r}")


def _optional_path(path: str | os.PathLike[str] | None) -> Path | None:
    return None if path is None else Path(path)


def _optional_timeout(timeout: float | None) -> float | None:
    return None if timeout is None else check_timeout(timeout)


def _optional_retries(max_retries: int | None) -> int | None:
    return None if max_retries is None else check_max_retries(max_retries)


@attrs.frozen(kw_only=True)
class RunSettings:
    """How one `commission_many` run goes; see FlipClient.commission_many for each setting."""

    concurrency: int = attrs.field(default=16, validator=_at_least_one)
    journal: Path | None = attrs.field(default=None, converter=_optional_path)
    rate_limit: float | None = attrs.field(default=None, validator=_positive)
    ordered: bool = False
    timeout: float | None = attrs.field(default=None, converter=_optional_timeout)
    max_retries: int | None = attrs.field(default=None, converter=_optional_retries)
    on_outcome: Callable[[CommissionOutcome], object] | None = None


class BulkCommissioner:
    """Runs `commission_many` for one client, handed how to send one commission and how to tell that a site exists.

    It keeps the runs under way, so that closing the client can let them finish their requests in flight first.
    """

    def __init__(self, send: SendCommission, site_exists: SiteExists) -> None:
        self._send = send
        self._site_exists = site_exists
        self._runs: set[_Run] = set()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(runs={len(self._runs)})"

    async def commission_many(
        self, rows: Iterable[Row] | AsyncIterable[Row], settings: RunSettings
    ) -> AsyncGenerator[CommissionOutcome, None]:
        """Every row's outcome, as FlipClient.commission_many describes."""
        with Journal(settings.journal) if settings.journal is not None else nullcontext() as book:
            run = _Run(self._send, self._site_exists, book, settings)
            self._runs.add(run)
            try:
                # aclosing: when this generator is closed early, the run settles (its in-flight rows journaled)
                # before the journal closes.
                async with aclosing(run.outcomes(rows)) as outcomes:
                    async for outcome in outcomes:
                        yield outcome
            finally:
                self._runs.discard(run)

    async def settle(self) -> None:
        """Let every run under way finish (and journal) its requests in flight; see `_Run.settle`."""
        for run in list(self._runs):
            await run.settle()


_FED = object()
"""Put on a run's queue when the input is exhausted (or raised)."""


class _Run:
    """One commission_many run: a feeder task starts a task per row; each finished row is journaled at once.

    The window (rows started but not yet yielded) bounds memory whatever the input's size, and keeps validation and
    journaling of the next rows going while `concurrency` requests are in flight.
    """

    def __init__(
        self, send: SendCommission, site_exists: SiteExists, book: Journal | None, settings: RunSettings
    ) -> None:
        self._send = send
        self._site_exists = site_exists
        self._book = book
        self._settings = settings
        self._done_before = book.done if book is not None else frozenset()
        self._sending = asyncio.Semaphore(settings.concurrency)
        self._window = asyncio.Semaphore(settings.concurrency * 2)
        self._pacer = _Pacer(settings.rate_limit) if settings.rate_limit else None
        self._finished: asyncio.Queue[CommissionOutcome | object] = asyncio.Queue()
        self._tasks: set[asyncio.Task[CommissionOutcome]] = set()
        self._started = 0
        self._input_error: BaseException | None = None
        self._failure: BaseException | None = None
        self._feeder: asyncio.Task[None] | None = None

    async def outcomes(self, rows: Iterable[Row] | AsyncIterable[Row]) -> AsyncGenerator[CommissionOutcome, None]:
        self._feeder = asyncio.create_task(self._feed(rows))
        try:
            async for outcome in self._in_input_order() if self._settings.ordered else self._as_finished():
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
        if self._feeder is not None:
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
            if self._settings.on_outcome is not None:
                self._settings.on_outcome(outcome)
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
                    parsed = await self._send(
                        request, timeout=self._settings.timeout, max_retries=self._settings.max_retries
                    )
                except ConflictError as exc:
                    status, error = await self._conflict(request.site.id, exc)
                    return outcome(status, error=error, attempts=exc.attempts or 1)
        except RequestValidationError as exc:  # the row, or something in it JSON cannot carry: nothing was sent
            return outcome(OutcomeStatus.INVALID, error=exc)
        except APIError as exc:
            return outcome(OutcomeStatus.FAILED, error=exc, attempts=exc.attempts or 1)
        except Exception as exc:
            # One row's surprise must not stop the fleet: it is reported as that row's failure, not lost.
            return outcome(OutcomeStatus.FAILED, error=exc)
        return outcome(OutcomeStatus.COMMISSIONED, result=parsed.value, attempts=parsed.response.attempts)

    async def _conflict(self, site_id: str, conflict: ConflictError) -> tuple[OutcomeStatus, Exception | None]:
        """What a 409 means for this row: the site exists (already commissioned), or the conflict is about
        something else.

        A 409 may also be about a device id another site holds, which leaves this site uncreated; so the site's
        existence is confirmed (with the run's timeout and retries) before the row counts as done.
        """
        try:
            exists = await self._site_exists(
                site_id, timeout=self._settings.timeout, max_retries=self._settings.max_retries
            )
        except FlipError as exc:
            return OutcomeStatus.FAILED, APIError(f"{conflict}; could not confirm that the site exists: {exc}")
        if exists:
            return OutcomeStatus.ALREADY_COMMISSIONED, None
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
