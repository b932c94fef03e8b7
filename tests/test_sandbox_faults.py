"""Fault injection in the sandbox: each kind observed with a fixed seed, and the lost-response scenario end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from support import seed_row

from flip_async import ConflictError, FlipClient, RetryPolicy
from flip_async.sandbox import Faults, Sandbox
from flip_async.sandbox._faults import ERROR_STATUSES

REQUESTS = 20


def commission_body(site_id: str) -> dict[str, Any]:
    return seed_row(site_id)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def statuses(http: aiohttp.ClientSession, sandbox: Sandbox, count: int = REQUESTS) -> list[int]:
    """The status of each of `count` GET /v1/sites, one after another."""
    answers = []
    for _ in range(count):
        async with http.get(f"{sandbox.base_url}/v1/sites", headers={"Authorization": f"Bearer {sandbox.token}"}) as r:
            await r.read()
            answers.append(r.status)
    return answers


async def test_server_errors_are_500_502_or_503_with_an_error_body(http: aiohttp.ClientSession) -> None:
    async with Sandbox(faults=Faults(error_rate=1.0, seed=7)) as sandbox:
        async with http.get(f"{sandbox.base_url}/v1/sites") as response:
            body = await response.json()
        assert response.status in ERROR_STATUSES
        assert body == {"detail": f"injected {response.status} (sandbox fault injection)"}
        assert set(await statuses(http, sandbox)) <= set(ERROR_STATUSES)
        assert sandbox.stats.faults == {"error": REQUESTS + 1}


async def test_the_same_seed_gives_the_same_faults(http: aiohttp.ClientSession) -> None:
    faults = Faults(error_rate=0.3, rate_limit_rate=0.2, seed=42)
    runs = []
    for _ in range(2):
        async with Sandbox(faults=faults) as sandbox:
            runs.append(await statuses(http, sandbox))
    assert runs[0] == runs[1]
    assert {200, 429} <= set(runs[0])
    assert set(runs[0]) & set(ERROR_STATUSES)


async def test_rate_limits_are_429_with_the_configured_retry_after(http: aiohttp.ClientSession) -> None:
    async with Sandbox(faults=Faults(rate_limit_rate=1.0, retry_after=0.01)) as sandbox:
        async with http.get(f"{sandbox.base_url}/v1/sites") as response:
            await response.read()
        assert (response.status, response.headers["Retry-After"]) == (429, "0.01")
        assert sandbox.stats.faults == {"rate_limit": 1}


async def test_latency_is_added_and_counted(http: aiohttp.ClientSession) -> None:
    async with Sandbox(faults=Faults(latency=(0.001, 0.002))) as sandbox:
        assert await statuses(http, sandbox, 3) == [200] * 3
        assert sandbox.stats.faults == {"latency": 3}


async def test_a_dropped_connection_does_no_work(http: aiohttp.ClientSession) -> None:
    async with Sandbox(faults=Faults(drop_rate=1.0)) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await http.post(f"{sandbox.base_url}/v1/commission", json=commission_body("s1"), headers=headers)
        assert sandbox.state.sites == {}
        assert (sandbox.stats.faults, sandbox.stats.requests) == ({"drop": 1}, {"commission": 1})


async def test_a_lost_response_leaves_the_work_done(http: aiohttp.ClientSession) -> None:
    async with Sandbox(faults=Faults(lost_response_rate=1.0)) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await http.post(f"{sandbox.base_url}/v1/commission", json=commission_body("s1"), headers=headers)
        assert list(sandbox.state.sites) == ["s1"]
        assert sandbox.stats.faults == {"lost_response": 1}


async def test_a_retried_commission_after_a_lost_response_meets_a_conflict() -> None:
    # Seed 1 draws 0.13 then 0.85: the first response is lost, the retry's answer is not.
    faults = Faults(lost_response_rate=0.5, seed=1)
    async with Sandbox(faults=faults) as sandbox:
        client = FlipClient(sandbox.token, base_url=sandbox.base_url, retry_policy=RetryPolicy.immediate())
        async with client:
            with pytest.raises(ConflictError) as raised:
                await client.commission(commission_body("s1"))
        assert raised.value.attempts == 2
        assert list(sandbox.state.sites) == ["s1"]
        assert (sandbox.stats.sites_created, sandbox.stats.conflicts) == (1, 1)
        assert sandbox.stats.faults == {"lost_response": 1}


async def test_flip_client_retries_through_errors_and_rate_limits() -> None:
    faults = Faults(error_rate=0.3, rate_limit_rate=0.3, retry_after=0, seed=3)
    async with Sandbox(faults=faults) as sandbox:
        client = FlipClient(
            sandbox.token, base_url=sandbox.base_url, max_retries=10, retry_policy=RetryPolicy.immediate()
        )
        async with client:
            for index in range(10):
                await client.commission(commission_body(f"s{index}"))
        assert sandbox.stats.sites_created == 10
        assert set(sandbox.stats.faults) == {"error", "rate_limit"}
        assert sandbox.stats.requests["commission"] == 10 + sum(sandbox.stats.faults.values())


async def test_faults_can_be_limited_to_some_operations(http: aiohttp.ClientSession) -> None:
    async with Sandbox(faults=Faults(error_rate=1.0, operations={"commission"})) as sandbox:
        assert await statuses(http, sandbox, 3) == [200] * 3
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        async with http.post(f"{sandbox.base_url}/v1/commission", json=commission_body("s1"), headers=headers) as r:
            assert r.status in ERROR_STATUSES


@pytest.mark.parametrize(
    "settings",
    [
        {"error_rate": 1.5},
        {"drop_rate": -0.1},
        {"latency": -1.0},
        {"latency": (0.2, 0.1)},
        {"retry_after": float("inf")},
    ],
)
def test_impossible_faults_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(settings))):
        Faults(**settings)
