"""Bulk commissioning: many sites through one client, bounded and streamed, with exactly one outcome per row."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractContextManager, aclosing, nullcontext
from pathlib import Path
from typing import Any, Protocol

import attrs

from flip_async import models
from flip_async._base_client import Parsed
from flip_async._concurrency import AdaptiveConcurrency
from flip_async._journal import Journal, JournalError, JournalInUseError, JournalMismatchError
from flip_async._outcomes import CommissionOutcome, OutcomeStatus
from flip_async._rate_limit import RateLimit
from flip_async._transport import check_max_retries, check_timeout
from flip_async._validation import validated
from flip_async.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    ConflictError,
    FlipError,
    PermissionDeniedError,
    Problem,
    RequestValidationError,
)
from flip_async.rows import UnreadableRow

__all__ = [
    "STOPPED_EARLY",
    "UNREACHABLE_AFTER",
    "BulkCommissioner",
    "CommissionOutcome",
    "Journal",
    "JournalError",
    "JournalInUseError",
    "JournalMismatchError",
    "OutcomeStatus",
    "Row",
    "RunSettings",
    "RunStoppedError",
    "check_row",
    "shard_of",
    "site_id_of",
]

Row = models.CommissionRequest | Mapping[str, Any] | UnreadableRow
"""One site to commission: a request model, or the same thing as a wire mapping (a row from a file or database);
an UnreadableRow from a file reader stands for a row that could not even be parsed."""

UNREACHABLE_AFTER = 5
"""A run stops sending once this many rows in a row failed to connect (each after all its retries)."""


STOPPED_EARLY = "not sent: the run stopped early because "
"""How the error of every row a stopped run did not send begins (its reason follows)."""


class RunStoppedError(FlipError):
    """Why a run stopped before sending a row (`not_sent`), or gave up on one in flight (`unconfirmed`)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
        """The cause alone, in words for one line: `Flip refused the client token (401): ...`."""


def check_row(row: Row) -> models.CommissionRequest:
    """The row as a valid request, or RequestValidationError naming every problem: what a run reports as `invalid`."""
    if isinstance(row, UnreadableRow):
        raise RequestValidationError([Problem("$", row.reason)])
    return validated(row, models.CommissionRequest)


class SendCommission(Protocol):
    """Sends one validated commission request (the client's own call: token, transport, retries); `on_throttle` is
    told of each 429 it meets, with the seconds Flip asked to wait."""

    def __call__(
        self,
        request: models.CommissionRequest,
        *,
        timeout: float | None,
        max_retries: int | None,
        on_throttle: Callable[[float], object],
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


def _optional_timeout(timeout: float | None) -> float | None:
    return None if timeout is None else check_timeout(timeout)


def _optional_retries(max_retries: int | None) -> int | None:
    return None if max_retries is None else check_max_retries(max_retries)


def _journal(journal: str | os.PathLike[str] | Journal | None) -> Path | Journal | None:
    return journal if journal is None or isinstance(journal, Journal) else Path(journal)


@attrs.frozen(kw_only=True)
class RunSettings:
    """How one `commission_many` run goes; see FlipClient.commission_many for each setting."""

    concurrency: int = attrs.field(default=16, validator=_at_least_one)
    journal: Path | Journal | None = attrs.field(default=None, converter=_journal)
    rate_limit: float | None = attrs.field(default=None, validator=_positive)
    ordered: bool = False
    timeout: float | None = attrs.field(default=None, converter=_optional_timeout)
    max_retries: int | None = attrs.field(default=None, converter=_optional_retries)
    on_outcome: Callable[[CommissionOutcome], object] | None = None
    on_drain: Callable[[int, float], object] | None = None
    drain_seconds: float = attrs.field(default=30.0, converter=check_timeout)
    """How long requests in flight get to finish once the run is cancelled: their own per-attempt timeout."""


class BulkCommissioner:
    """Runs `commission_many` for one client, handed how to send one commission and how to tell that a site exists.

    It keeps the runs under way, so that closing the client can let them finish their requests in flight first.
    """

    def __init__(self, send: SendCommission, site_exists: SiteExists, *, api: str) -> None:
        self._send = send
        self._site_exists = site_exists
        self._api = api
        self._runs: set[_Run] = set()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api={self._api!r}, runs={len(self._runs)})"

    async def commission_many(
        self, rows: Iterable[Row] | AsyncIterable[Row], settings: RunSettings
    ) -> AsyncGenerator[CommissionOutcome, None]:
        """Every row's outcome, as FlipClient.commission_many describes."""
        with self._open_journal(settings.journal) as book:
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

    def _open_journal(self, journal: Path | Journal | None) -> AbstractContextManager[Journal | None]:
        if journal is None:
            return nullcontext()
        if isinstance(journal, Journal):
            return nullcontext(journal)  # the caller opened it, with its own `api`, and closes it
        return Journal(journal, api=self._api)


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
        self._sent_before = book.unconfirmed if book is not None else frozenset()
        self._sending = AdaptiveConcurrency(settings.concurrency)
        self._window = asyncio.Semaphore(settings.concurrency * 2)
        self._pacer = RateLimit(settings.rate_limit, key="run") if settings.rate_limit else None
        self._finished: asyncio.Queue[CommissionOutcome | object] = asyncio.Queue()
        self._tasks: set[asyncio.Task[CommissionOutcome]] = set()
        self._in_flight: set[asyncio.Task[CommissionOutcome]] = set()  # those whose request has been sent
        self._started = 0
        self._input_error: BaseException | None = None
        self._failure: BaseException | None = None
        self._feeder: asyncio.Task[None] | None = None
        self._stopped: RunStoppedError | None = None
        self._unreachable = 0  # rows in a row whose request could not connect

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
        """Stop reading rows; the requests in flight get `drain_seconds` (their own timeout) to finish and be
        journaled, so a rerun does not send them again; whatever is still unfinished then is abandoned, its row
        `unconfirmed` (sent, answer unknown) or `not_sent`. Cancelling the settling task abandons them at once.

        Runs when the run is cancelled or its caller stops early, and when the client closes under a run that its
        caller abandoned without closing it (a `break` out of the loop).
        """
        if self._feeder is not None:
            self._feeder.cancel()
        await self._abandon(self._tasks - self._in_flight)  # rows not sent yet are not sent at all now
        if not self._in_flight:
            return
        if self._settings.on_drain is not None:
            self._settings.on_drain(len(self._in_flight), self._settings.drain_seconds)
        try:
            await asyncio.wait(self._in_flight, timeout=self._settings.drain_seconds)
        finally:  # also when cancelled while draining: a second Ctrl-C abandons the rest now
            await self._abandon(self._tasks)

    @staticmethod
    async def _abandon(tasks: set[asyncio.Task[CommissionOutcome]]) -> None:
        """Cancel `tasks` and wait for their outcomes (`unconfirmed` or `not_sent`) to be recorded."""
        unfinished = set(tasks)
        for task in unfinished:
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished)

    async def _feed(self, rows: Iterable[Row] | AsyncIterable[Row]) -> None:
        try:
            async for index, row in _enumerate(rows):
                await self._window.acquire()
                self._started += 1
                site_id = site_id_of(row)
                if site_id is not None and site_id in self._done_before:
                    # A site an earlier run finished: its outcome is known at once, so it takes no task (a rerun of
                    # a long input skips most of its rows).
                    self._finish(CommissionOutcome(row=index, site_id=site_id, status=OutcomeStatus.SKIPPED))
                    continue
                task = asyncio.create_task(self._commission(index, row, site_id))
                self._tasks.add(task)
                task.add_done_callback(self._record)
        except Exception as exc:  # the input's own failure: reported once the started rows are accounted for
            self._input_error = exc
        finally:
            self._finished.put_nowait(_FED)

    def _record(self, task: asyncio.Task[CommissionOutcome]) -> None:
        self._tasks.discard(task)
        self._in_flight.discard(task)
        if task.cancelled():  # cancelled before it began: no row of it to account for
            return
        self._finish(task.result())

    def _finish(self, outcome: CommissionOutcome) -> None:
        """Journal the row's outcome, tell `on_outcome`, and queue it to be yielded."""
        self._watch(outcome)
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

    def _watch(self, outcome: CommissionOutcome) -> None:
        """Stop sending when the API refuses the client token, or has been unreachable for UNREACHABLE_AFTER rows:
        every row after that would fail the same way, one request each."""
        error = outcome.error
        if outcome.status is not OutcomeStatus.FAILED:
            self._unreachable = 0 if outcome.attempts else self._unreachable
        elif isinstance(error, AuthenticationError | PermissionDeniedError):
            self._stop(f"Flip refused the client token ({error.status_code}): {_first_line(error)}")
        elif isinstance(error, APIConnectionError):
            self._unreachable += 1
            if self._unreachable >= UNREACHABLE_AFTER:
                self._stop(f"the API is unreachable: {UNREACHABLE_AFTER} rows in a row failed ({_first_line(error)})")
        else:
            self._unreachable = 0

    def _stop(self, reason: str) -> None:
        if self._stopped is None:
            self._stopped = RunStoppedError(STOPPED_EARLY + reason, reason=reason)

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

    async def _commission(self, index: int, row: Row, site_id: str | None) -> CommissionOutcome:
        started = time.monotonic()
        sent = False

        def outcome(status: OutcomeStatus, **details: Any) -> CommissionOutcome:
            return CommissionOutcome(
                row=index, site_id=site_id, status=status, elapsed=time.monotonic() - started, **details
            )

        if self._stopped is not None:
            return outcome(OutcomeStatus.NOT_SENT, error=self._stopped)
        try:
            request = check_row(row)
            if request.site.id in self._sent_before and await self._exists(request.site.id):
                # An earlier run sent it and never saw the answer: Flip has it, so it is not sent again.
                return outcome(OutcomeStatus.ALREADY_COMMISSIONED)
            async with self._sending:
                if self._stopped is not None:
                    return outcome(OutcomeStatus.NOT_SENT, error=self._stopped)
                if self._pacer is not None:
                    await self._pacer.wait()
                if self._book is not None:
                    self._book.sending(index, request.site.id)
                sent = True
                self._in_flight.add(asyncio.current_task())  # type: ignore[arg-type]
                try:
                    parsed = await self._send(
                        request,
                        timeout=self._settings.timeout,
                        max_retries=self._settings.max_retries,
                        on_throttle=self._sending.throttled,
                    )
                except ConflictError as exc:
                    status, error = await self._conflict(request.site.id, exc)
                    return outcome(status, error=error, attempts=exc.attempts or 1, request_id=exc.request_id)
        except asyncio.CancelledError:
            # Abandoned by settle(): the row still gets its one outcome, recorded like any other.
            if sent:
                return outcome(OutcomeStatus.UNCONFIRMED, error=_abandoned(_ABANDONED_IN_FLIGHT))
            return outcome(OutcomeStatus.NOT_SENT, error=_abandoned(_ABANDONED_UNSENT))
        except _Unconfirmable as exc:
            return outcome(OutcomeStatus.UNCONFIRMED, error=exc.error)
        except RequestValidationError as exc:  # the row, or something in it JSON cannot carry: nothing was sent
            return outcome(OutcomeStatus.INVALID, error=exc)
        except APIError as exc:
            request_id = exc.request_id if isinstance(exc, APIStatusError) else None
            return outcome(OutcomeStatus.FAILED, error=exc, attempts=exc.attempts or 1, request_id=request_id)
        except Exception as exc:
            # One row's surprise must not stop the fleet: it is reported as that row's failure, not lost.
            surprise = FlipError(f"{type(exc).__name__}: {exc}")
            surprise.__cause__ = exc
            return outcome(OutcomeStatus.FAILED, error=surprise)
        response = parsed.response
        return outcome(
            OutcomeStatus.COMMISSIONED, result=parsed.value, attempts=response.attempts, request_id=response.request_id
        )

    async def _exists(self, site_id: str) -> bool:
        """Whether Flip has a site an earlier run sent without seeing the answer; _Unconfirmable if Flip cannot say."""
        try:
            return await self._site_exists(
                site_id, timeout=self._settings.timeout, max_retries=self._settings.max_retries
            )
        except FlipError as exc:
            raise _Unconfirmable(
                APIError(f"an earlier run sent this site without seeing the answer, and Flip cannot say now: {exc}")
            ) from exc

    async def _conflict(self, site_id: str, conflict: ConflictError) -> tuple[OutcomeStatus, FlipError | None]:
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


_ABANDONED_IN_FLIGHT = "the run was stopped while this row's request was in flight; its answer is unknown"
_ABANDONED_UNSENT = "the run was stopped before this row was sent"


def _abandoned(message: str) -> RunStoppedError:
    return RunStoppedError(message, reason="the run was cancelled")


class _Unconfirmable(Exception):
    def __init__(self, error: APIError) -> None:
        self.error = error


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def shard_of(site_id: str, shards: int) -> int:
    """Which of `shards` shards (0-based) a site belongs to: the first 8 bytes of the SHA-256 of its UTF-8 id, as a
    big-endian unsigned integer, modulo `shards`. The same on every machine and Python version (no hash seed), so N
    machines each given one shard split a fleet between them with no coordination."""
    if shards < 1:
        raise ValueError(f"shards must be >= 1, got {shards!r}")
    return int.from_bytes(hashlib.sha256(site_id.encode("utf-8", "surrogatepass")).digest()[:8], "big") % shards


def site_id_of(row: Row) -> str | None:
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
