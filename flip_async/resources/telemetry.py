"""Telemetry uploads (Cloud API): any number of data points, sent in batches, one result per point in input order."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Unpack

import attrs

from flip_async import models
from flip_async._converter import WireDocument
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import integer, json_object, wire
from flip_async._raw import raw_response
from flip_async._resource import Resource
from flip_async._validation import check
from flip_async.errors import FlipError, RequestValidationError

__all__ = ["MAX_BATCH_SIZE", "FailedBatch", "PointResult", "Telemetry", "TelemetryReport"]

logger = logging.getLogger("flip_async")

MAX_BATCH_SIZE = 1000
"""Flip's documented limit of data points per request."""

_FAILED = models.TelemetryResultStatus.FAILED


@attrs.frozen
class PointResult:
    """What became of one data point: Flip's verdict, or why Flip never gave one."""

    index: int
    """The point's position in the input."""
    status: models.TelemetryResultStatus | str
    """OK or FAILED (a status Flip adds later is kept as a string). Fix FAILED points and send them again."""
    message: str = ""
    error: FlipError | None = None
    """None when `status` is Flip's own verdict; a RequestValidationError when the point was invalid and never sent;
    the error that failed its whole batch otherwise."""

    @property
    def ok(self) -> bool:
        return self.status == models.TelemetryResultStatus.OK


@attrs.frozen
class FailedBatch:
    """A batch whose request failed for good (after the transport's retries); each of its points is FAILED."""

    indices: tuple[int, ...] = attrs.field(repr=lambda indices: f"<{len(indices)} points from {indices[0]}>")
    """The input positions of the batch's points."""
    error: FlipError


@attrs.frozen
class TelemetryReport:
    """The outcome of an upload: exactly one result per input point, in input order, and the batches that failed."""

    results: tuple[PointResult, ...] = attrs.field(repr=lambda results: f"<{len(results)} results>")
    failed_batches: tuple[FailedBatch, ...] = ()
    requests: int = 0
    """How many batches were sent (failed ones included)."""

    @property
    def ok(self) -> bool:
        """Every point was saved."""
        return all(result.ok for result in self.results)

    @property
    def failed(self) -> list[PointResult]:
        """The points that were not saved, for fixing and resending."""
        return [result for result in self.results if not result.ok]


def _battery_point(point: models.BatteryTelemetry | Mapping[str, Any]) -> Any:
    """The point as sent (explicit nulls kept: "unknown while offline"), checked as a BatteryTelemetry first: JSON
    values only, as a WireDocument holds them."""
    check(point, models.BatteryTelemetry)
    if type(point) is dict and set(map(type, point.values())) <= _JSON_SCALARS:
        # The usual point: a dict of JSON values already, which the converter would only copy (at 20 times the cost
        # of this test, for every point of an upload).
        return dict(point)
    return wire(point, "$")


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _counter_reading(reading: Mapping[str, Any]) -> Any:
    """Counter readings have no documented fields: any JSON object goes (as JSON values, for a WireDocument)."""
    return wire(json_object(reading, "$"), "$")


class Telemetry(Resource):
    """`flip.telemetry`: monitoring data, at least every 5 minutes per device (enrolled or not).

    Points are read from the iterable as it goes and sent `batch_size` (at most 1,000) at a time, one batch after
    another. Nothing is lost and nothing raises for one point: an invalid point is FAILED without being sent, and a
    batch whose request fails after the retries has each of its points FAILED with the error's message (the other
    batches are still sent). `report.failed` lists what to fix and resend.
    """

    @operation("report_battery_telemetry")
    async def report_battery(
        self,
        send: Send[list[models.TelemetryResult]],
        points: Iterable[models.BatteryTelemetry | Mapping[str, Any]],
        *,
        batch_size: int = MAX_BATCH_SIZE,
        **options: Unpack[CallOptions],
    ) -> TelemetryReport:
        """Upload battery data points, each covering `start_time` + `duration_s`; Flip saves each point and answers
        OK or FAILED for each, at its index in the request.

        `timeout` and `max_retries` apply to each batch's request."""
        return await _upload(send, _battery_point, points, batch_size, options)

    @operation("report_battery_counter_telemetry")
    async def report_battery_counter(
        self,
        send: Send[list[models.TelemetryResult]],
        readings: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = MAX_BATCH_SIZE,
        **options: Unpack[CallOptions],
    ) -> TelemetryReport:
        """Upload cumulative lifetime counter readings, each timestamped; Flip turns consecutive readings into
        intervals by subtracting them. Flip does not document the fields: any JSON object goes.

        `timeout` and `max_retries` apply to each batch's request."""
        return await _upload(send, _counter_reading, readings, batch_size, options)


Batches = Send[list[models.TelemetryResult]]


async def _upload(
    send: Batches, check: Callable[[Any], Any], points: Iterable[Any], batch_size: int, options: CallOptions
) -> TelemetryReport:
    integer(batch_size, "batch_size", minimum=1)
    if batch_size > MAX_BATCH_SIZE:
        raise ValueError(f"batch_size must be at most {MAX_BATCH_SIZE} (Flip's limit), got {batch_size}")
    results: dict[int, PointResult] = {}
    failures: list[FailedBatch] = []
    requests = 0
    for batch in _checked_batches(points, check, batch_size, results):
        requests += 1
        answered, failure = await _send_batch(send, batch, options)
        results.update((result.index, result) for result in answered)
        if failure is not None:
            failures.append(failure)
    # Every input index is in `results` exactly once: from its check, or from its batch.
    return TelemetryReport(tuple(results[index] for index in range(len(results))), tuple(failures), requests)


def _checked_batches(
    points: Iterable[Any], check: Callable[[Any], Any], size: int, invalid: dict[int, PointResult]
) -> Iterator[list[tuple[int, Any]]]:
    """(input index, checked point) pairs in batches of at most `size`; a point failing its check goes to `invalid`."""
    batch: list[tuple[int, Any]] = []
    for index, point in enumerate(points):
        try:
            batch.append((index, check(point)))
        except RequestValidationError as exc:
            problems = "; ".join(map(str, exc.problems))
            invalid[index] = PointResult(index, _FAILED, f"invalid, not sent: {problems}", exc)
            continue
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _send_batch(
    send: Batches, batch: list[tuple[int, Any]], options: CallOptions
) -> tuple[list[PointResult], FailedBatch | None]:
    indices = tuple(index for index, _ in batch)
    try:
        answers = await send(body=WireDocument({"telemetry": [point for _, point in batch]}), **options)
    except FlipError as exc:  # an API or network failure, or a body that cannot be written as JSON
        logger.warning("A batch of %d telemetry points from input %d failed: %s", len(batch), indices[0], exc)
        return [PointResult(index, _FAILED, f"not saved: {exc}", exc) for index in indices], FailedBatch(indices, exc)
    if len(answers) != len(batch):
        logger.warning("Flip answered %d results for a batch of %d telemetry points", len(answers), len(batch))
    # Flip answers at the same index as in the request; a point it gave no answer for cannot count as saved.
    unanswered = models.TelemetryResult(status=_FAILED, message="Flip returned no result for this point")
    answers = [*answers[: len(batch)], *[unanswered] * (len(batch) - len(answers))]
    return [
        PointResult(index, answer.status or _FAILED, answer.message or "")
        for index, answer in zip(indices, answers, strict=True)
    ], None


class TelemetryWithRawResponse:
    """`flip.with_raw_response.telemetry`: each method answering with the RawResponse of its upload's last batch."""

    def __init__(self, telemetry: Telemetry) -> None:
        self.report_battery = raw_response(telemetry.report_battery)
        self.report_battery_counter = raw_response(telemetry.report_battery_counter)
