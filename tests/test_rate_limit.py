"""One rate limit per client, shared across processes through a real Redis; a bulk run that slows down at 429s."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
import pytest
import redis
from aiohttp import web
from support import TOKEN, seed_row

from flip_async import FlipClient, RetryPolicy
from flip_async._concurrency import AdaptiveConcurrency
from flip_async.bulk import OutcomeStatus
from flip_async.sandbox import Sandbox

if TYPE_CHECKING:
    from conftest import StartServer


def _busiest_second(arrivals: list[float]) -> int:
    """The most requests that arrived within any 0.8 s: the client counts a request when it sends it, the server when
    it arrives, and the first ones wait for their connections to open (so a full second would count two windows'
    worth whenever the second window's requests arrive faster than the first's). Without the limit, far more."""
    arrivals = sorted(arrivals)
    return max(sum(1 for later in arrivals[index:] if later - start < 0.8) for index, start in enumerate(arrivals))


async def _recording_server(live_server: StartServer, arrivals: list[float], body: Any = None) -> Any:
    async def handler(request: web.BaseRequest) -> web.Response:
        arrivals.append(time.monotonic())
        await request.read()
        if request.path == "/v1/commission":
            return web.json_response({"programs": []})
        return web.json_response(body if body is not None else [])

    return await live_server(handler)


async def test_a_clients_rate_limit_paces_every_request_it_makes(live_server: StartServer) -> None:
    arrivals: list[float] = []
    server = await _recording_server(live_server, arrivals)
    async with FlipClient(TOKEN, base_url=server.url, rate_limit=20) as flip:
        started = time.monotonic()
        await asyncio.gather(
            *(flip.sites.list() for _ in range(20)),
            *(
                flip.with_options(timeout=5).programs.list(device_type="BATTERY", total_capacity_wh=1, total_power_w=1)
                for _ in range(15)
            ),
            *(flip.commission(seed_row(f"s-{n}")) for n in range(15)),
        )
        elapsed = time.monotonic() - started
    assert len(arrivals) == 50
    assert _busiest_second(arrivals) <= 20
    assert elapsed >= 2.0  # 50 requests at 20 a second: two full windows wait


async def test_retries_wait_their_turn_too(live_server: StartServer) -> None:
    arrivals: list[float] = []

    async def flaky(request: web.BaseRequest) -> web.Response:
        arrivals.append(time.monotonic())
        return web.Response(status=503)

    server = await live_server(flaky)
    async with FlipClient(
        TOKEN, base_url=server.url, rate_limit=10, max_retries=3, retry_policy=RetryPolicy.immediate()
    ) as flip:
        results = await asyncio.gather(*(flip.sites.list() for _ in range(5)), return_exceptions=True)
    assert len(results) == 5
    assert len(arrivals) == 20
    assert _busiest_second(arrivals) <= 10


def test_a_store_without_a_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        FlipClient(TOKEN, rate_limit_store="redis://127.0.0.1:1/0")
    with pytest.raises(ValueError, match="rate_limit"):
        FlipClient(TOKEN, rate_limit=0)


async def test_processes_sharing_a_redis_store_and_token_share_one_rate(
    live_server: StartServer, redis_url: str
) -> None:
    arrivals: list[float] = []
    server = await _recording_server(live_server, arrivals)
    script = textwrap.dedent(f"""
        import asyncio
        from flip_async import FlipClient
        async def main():
            async with FlipClient({TOKEN!r}, base_url={server.url!r}, rate_limit=15,
                                  rate_limit_store={redis_url!r}) as flip:
                await asyncio.gather(*(flip.sites.list() for _ in range(20)))
        asyncio.run(main())
    """)
    processes = [await asyncio.create_subprocess_exec(sys.executable, "-c", script) for _ in range(3)]
    codes = await asyncio.wait_for(asyncio.gather(*(process.wait() for process in processes)), timeout=60)
    assert codes == [0, 0, 0]
    assert len(arrivals) == 60
    # One rate for all three processes, not 15 each: 60 requests at 15 a second span three seconds (at 15 each, one),
    # and no moment sees much more than 15 (at 15 each, 45 in the first instant). Three processes opening their
    # connections at once blur a window's edges more than one does, hence the margins.
    assert max(arrivals) - min(arrivals) >= 2.5
    assert _busiest_second(arrivals) <= 20
    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*")]
    assert keys
    assert not [key for key in keys if TOKEN in key]


async def test_a_bulk_run_halves_its_concurrency_and_rate_at_a_429_and_waits_out_retry_after() -> None:
    concurrency = AdaptiveConcurrency(16)
    for _ in range(40):  # forty requests in the last second, as fast as they come: no rate yet
        async with concurrency:
            pass
    assert concurrency.rate is None
    async with concurrency:
        concurrency.throttled(0.3)
    assert concurrency.limit == 8  # halved (and the answer that came with the 429 raised nothing)
    assert concurrency.rate == 20.5  # half the 41 a second it was sending at
    started = time.monotonic()
    async with concurrency:
        waited = time.monotonic() - started
    assert 0.3 <= waited < 2  # new requests waited out the Retry-After (and a little jitter)
    started = time.monotonic()
    for _ in range(20):  # about a second of answers at that rate: the rate gains about 4 requests a second
        async with concurrency:
            pass
    assert 0.7 < time.monotonic() - started < 2
    assert 24 < concurrency.rate < 25  # type: ignore[operator]
    assert 10 < concurrency.limit < 11  # a window's worth of answers raises the concurrency by one, and so on
    burst = AdaptiveConcurrency(16)
    for _ in range(10):  # the 429s of many requests in flight at one moment
        burst.throttled(0)
    assert burst.limit == 8  # count once


async def test_a_bulk_run_against_a_rate_limited_api_commissions_every_row_and_backs_off(
    live_server: StartServer,
) -> None:
    allowed_per_second, seen, throttled = 40, [], 0

    async def limited(request: web.BaseRequest) -> web.Response:
        nonlocal throttled
        await request.read()
        now = time.monotonic()
        seen[:] = [moment for moment in seen if now - moment < 1.0]
        if len(seen) >= allowed_per_second:
            throttled += 1
            return web.json_response({"detail": "Too Many Requests"}, status=429, headers={"Retry-After": "1"})
        seen.append(now)
        return web.json_response({"programs": []})

    server = await live_server(limited)
    async with FlipClient(TOKEN, base_url=server.url, max_retries=5) as flip:
        rows = [seed_row(f"s-{n}") for n in range(120)]
        outcomes = [o async for o in flip.commission_many(rows, concurrency=32)]
    assert [o.status for o in outcomes].count(OutcomeStatus.COMMISSIONED) == 120
    assert throttled < 120  # it slowed down instead of meeting a 429 for every row


async def test_a_waiter_cancelled_as_it_is_woken_passes_its_turn_on() -> None:
    concurrency = AdaptiveConcurrency(1)
    entered: list[str] = []

    async def take(name: str) -> None:
        async with concurrency:
            entered.append(name)

    await concurrency.__aenter__()  # the one slot, held
    first, second = asyncio.create_task(take("first")), asyncio.create_task(take("second"))
    await asyncio.sleep(0)  # both wait for the slot
    await concurrency.__aexit__()  # wakes the first...
    first.cancel()  # ...which is cancelled before it runs
    await asyncio.wait_for(second, timeout=2)
    assert entered == ["second"]


async def test_a_rate_limited_sandbox_answers_429_with_retry_after_past_its_rate() -> None:
    async with Sandbox(rate_limit=10) as sandbox, aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {sandbox.token}"}

        async def list_sites() -> tuple[int, str | None]:
            async with http.get(f"{sandbox.base_url}/v1/sites", headers=headers) as answer:
                return answer.status, answer.headers.get("Retry-After")

        answers = await asyncio.gather(*(list_sites() for _ in range(25)))
        async with http.get(f"{sandbox.base_url}/_sandbox/stats", headers=headers) as control:
            assert control.status == 200  # the sandbox's own control surface is not limited
            assert (await control.json())["rate_limited"] == 15
    assert sorted(status for status, _ in answers) == [200] * 10 + [429] * 15
    assert {retry for status, retry in answers if status == 429} == {"1"}
    assert sandbox.stats.rate_limited == 15


async def test_flip_async_commission_processes_sharing_a_token_settle_below_a_sandboxs_limit(
    tmp_path: Path,
) -> None:
    """Two CLI runs against one sandbox limited to 40 requests a second: every row commissioned, each run backing
    off at its 429s rather than meeting one per row. (The bench measures the same with more processes.)"""
    async with Sandbox(rate_limit=40) as sandbox:
        runs = []
        for shard in range(2):
            fleet = tmp_path / f"fleet-{shard}.jsonl"
            fleet.write_bytes(b"\n".join(orjson.dumps(seed_row(f"s{shard}-{n}")) for n in range(60)))
            runs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "flip_async.cli",
                    "commission",
                    str(fleet),
                    "--base-url",
                    sandbox.base_url,
                    "--token",
                    sandbox.token,
                    "--concurrency",
                    "16",
                    "--max-retries",
                    "6",
                    stderr=subprocess.DEVNULL,
                )
            )
        codes = await asyncio.wait_for(asyncio.gather(*(run.wait() for run in runs)), timeout=60)
    assert codes == [0, 0]
    assert sandbox.stats.sites_created == 120
    assert sandbox.stats.rate_limited < 120
