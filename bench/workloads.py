"""What one timed burst runs, per workload: commissions through one client, a bulk run, or a telemetry upload.

`open_workload(name, ...)` builds the workload's inputs (never timed) and returns `burst(count, concurrency)`, which
does `count` units of work: requests, rows or data points. Every burst checks the answers it gets, so a client that
fails is an error, never a fast measurement. Workloads (flip-async's public API only, and the raw floors beside it):

- `commission:<client>` (see bench/clients.py): `count` commissions driven by `concurrency` tasks;
- `commission_many`: `flip.commission_many(rows, concurrency=...)` over `count` wire mappings;
- `bounded-loop`: the same rows pre-encoded, posted by raw aiohttp, at most `concurrency` at once (a semaphore);
- `commission-loop`: the same rows sent by `flip.commission` in that bounded loop (what the bulk engine adds);
- `telemetry`: `flip.telemetry.report_battery(points)` with `count` point dicts;
- `telemetry-raw`: raw aiohttp posting `orjson.dumps` of the same dicts in batches of 1,000, one after another
  (as report_battery sends them), each answer read with `orjson.loads`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TypeVar

import orjson

from bench._common import Server, site_request, telemetry_point
from bench.clients import CLIENTS, WITHOUT, Send, headers, open_client, raw_session
from flip_async import FlipClient

WORKLOADS = (
    *(f"commission:{client}" for client in CLIENTS + WITHOUT),
    *("commission_many", "bounded-loop", "commission-loop", "telemetry", "telemetry-raw"),
)
DISTINCT_SITES = 4096  # distinct site ids cycled through; the responder does not mind a site sent twice
TELEMETRY_POINTS = 100_000
TELEMETRY_BATCH = 1000

Burst = Callable[[int, int], Awaitable[None]]
T = TypeVar("T")


async def open_workload(name: str, stack: AsyncExitStack, server: Server, peer_dir: Path | None) -> Burst:
    if name.startswith("commission:"):
        build, send = await open_client(name.removeprefix("commission:"), stack, server, peer_dir)
        return _commissions([build(site_request("c", number)) for number in range(DISTINCT_SITES)], send)
    if name == "commission_many":
        return await _commission_many(stack, server)
    if name == "bounded-loop":
        return await _bounded_loop(stack, server)
    if name == "commission-loop":
        return await _commission_loop(stack, server)
    if name == "telemetry":
        return await _telemetry(stack, server)
    if name == "telemetry-raw":
        return await _telemetry_raw(stack, server)
    raise ValueError(f"unknown workload {name!r}; expected one of {', '.join(WORKLOADS)}")


def _commissions(inputs: list[Any], send: Send) -> Burst:
    items = itertools.cycle(inputs)

    async def burst(count: int, concurrency: int) -> None:
        await drive(send, itertools.islice(items, count), concurrency)

    return burst


async def drive(send: Send, items: Iterator[Any], concurrency: int) -> None:
    """Send every item through `concurrency` tasks sharing one iterator."""

    async def worker() -> None:
        for item in items:
            await send(item)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _commission_many(stack: AsyncExitStack, server: Server) -> Burst:
    flip = await stack.enter_async_context(FlipClient(server.token, base_url=server.base_url))
    rows = itertools.cycle([site_request("m", number) for number in range(DISTINCT_SITES)])

    async def burst(count: int, concurrency: int) -> None:
        async for outcome in flip.commission_many(itertools.islice(rows, count), concurrency=concurrency):
            if outcome.status != "commissioned":
                raise RuntimeError(f"row {outcome.row}: {outcome.status} {outcome.error}")

    return burst


async def _bounded_loop(stack: AsyncExitStack, server: Server) -> Burst:
    """What a user writes without an SDK: a semaphore bounding the requests in flight, one task per row."""
    session = await raw_session(stack)
    url, sent_headers = f"{server.base_url}/v1/commission", headers(server.token)
    bodies = itertools.cycle([orjson.dumps(site_request("m", number)) for number in range(DISTINCT_SITES)])

    async def post(body: bytes) -> None:
        async with session.post(url, data=body, headers=sent_headers) as response:
            answer = orjson.loads(await response.read())
            if response.status != 200 or "programs" not in answer:
                raise RuntimeError(f"HTTP {response.status}: {answer!r}")

    return _bounded(post, bodies)


async def _commission_loop(stack: AsyncExitStack, server: Server) -> Burst:
    """`flip.commission` in the same bounded loop: what commission_many costs beyond sending each row by itself."""
    flip = await stack.enter_async_context(FlipClient(server.token, base_url=server.base_url))
    rows = itertools.cycle([site_request("m", number) for number in range(DISTINCT_SITES)])

    async def post(row: dict[str, Any]) -> None:
        await flip.commission(row)

    return _bounded(post, rows)


def _bounded(post: Callable[[T], Coroutine[Any, Any, None]], items: Iterator[T]) -> Burst:
    async def burst(count: int, concurrency: int) -> None:
        slots = asyncio.Semaphore(concurrency)
        tasks: set[asyncio.Task[None]] = set()

        def done(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            slots.release()

        for item in itertools.islice(items, count):
            await slots.acquire()
            task = asyncio.create_task(post(item))
            tasks.add(task)
            task.add_done_callback(done)
        # gather re-raises a failed row's error; the tasks' results are not kept otherwise.
        await asyncio.gather(*tasks)

    return burst


def _points() -> list[dict[str, Any]]:
    return [telemetry_point(number) for number in range(TELEMETRY_POINTS)]


async def _telemetry(stack: AsyncExitStack, server: Server) -> Burst:
    flip = await stack.enter_async_context(FlipClient(server.token, base_url=server.base_url))
    points = _points()

    async def burst(count: int, concurrency: int) -> None:
        report = await flip.telemetry.report_battery(_first(points, count))
        if not report.ok or len(report.results) != count:
            raise RuntimeError(f"{len(report.failed)} of {len(report.results)} points failed: {report.failed[:3]}")

    return burst


async def _telemetry_raw(stack: AsyncExitStack, server: Server) -> Burst:
    session = await raw_session(stack)
    url, sent_headers = f"{server.base_url}/v1/telemetry/BATTERY", headers(server.token)
    points = _points()

    async def burst(count: int, concurrency: int) -> None:
        for start in range(0, count, TELEMETRY_BATCH):
            batch = points[start : min(start + TELEMETRY_BATCH, count)]
            async with session.post(url, data=orjson.dumps({"telemetry": batch}), headers=sent_headers) as response:
                answers = orjson.loads(await response.read())
                if response.status != 200 or len(answers) != len(batch):
                    raise RuntimeError(f"HTTP {response.status}: {len(answers)} answers for {len(batch)} points")

    return burst


def _first(points: list[dict[str, Any]], count: int) -> Iterable[dict[str, Any]]:
    if count > len(points):
        raise ValueError(f"at most {len(points)} telemetry points per burst, asked for {count}")
    return points if count == len(points) else itertools.islice(points, count)
