"""One throughput measurement in its own process: one client commissions a fixed number of sites against a sandbox.

    python -m bench.throughput {flip-async,aiohttp,peer} --base-url URL --token T --concurrency C --requests N

Prints one JSON object: requests, seconds, requests_per_s, and the client process's CPU seconds per request.
Each request commissions a new site (the seed request with a unique site and device id of fixed width), driven by
`concurrency` asyncio tasks that share one queue of prebuilt inputs: model instances for flip-async and the peer,
the same JSON bytes flip-async sends for raw aiohttp. Building the inputs is not timed; sending, receiving and
decoding the answer is. A warm-up of `--warmup` requests first opens the connections.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import orjson

from bench._common import cpu_seconds_of, site_request
from flip_async import FlipClient, _converter, models

CLIENTS = ("flip-async", "aiohttp", "peer")
# All three get the same pool size: flip-async's default connection_limit.
POOL_SIZE = 100
TIMEOUT = 30.0

Send = Callable[[Any], Awaitable[None]]


async def _flip_async(stack: AsyncExitStack, base_url: str, token: str) -> tuple[Callable[[dict[str, Any]], Any], Send]:
    """FlipClient.commission with a CommissionRequest model (validated again on send, as always)."""
    flip = await stack.enter_async_context(FlipClient(token, base_url=base_url, connection_limit=POOL_SIZE))

    async def send(request: models.CommissionRequest) -> None:
        await flip.commission(request)

    return (lambda document: _converter.structure(document, models.CommissionRequest)), send


async def _aiohttp(stack: AsyncExitStack, base_url: str, token: str) -> tuple[Callable[[dict[str, Any]], Any], Send]:
    """The ceiling for our stack: post the bytes flip-async would send, read the body, nothing else."""
    import aiohttp

    session = await stack.enter_async_context(
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=POOL_SIZE), timeout=aiohttp.ClientTimeout(total=TIMEOUT)
        )
    )
    url = f"{base_url}/v1/commission"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}

    async def send(body: bytes) -> None:
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")

    return (lambda document: _converter.dumps(_converter.structure(document, models.CommissionRequest))), send


async def _peer(
    stack: AsyncExitStack, base_url: str, token: str, peer_dir: Path
) -> tuple[Callable[[dict[str, Any]], Any], Send]:
    """The openapi-python-client package generated from openapi/flip.yaml: `commission.asyncio` with its model."""
    import httpx

    sys.path.insert(0, str(peer_dir))
    from flip_peer import AuthenticatedClient  # type: ignore[import-not-found]
    from flip_peer.api.commission import commission  # type: ignore[import-not-found]
    from flip_peer.models import CommissionRequest, CommissionResponse  # type: ignore[import-not-found]

    limits = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE)
    client = AuthenticatedClient(
        base_url=base_url, token=token, timeout=httpx.Timeout(TIMEOUT), httpx_args={"limits": limits}
    )
    await stack.enter_async_context(client)

    async def send(request: Any) -> None:
        answer = await commission.asyncio(client=client, body=request)
        if not isinstance(answer, CommissionResponse):
            raise RuntimeError(f"unexpected answer {answer!r}")

    return CommissionRequest.from_dict, send


async def _drive(send: Send, items: list[Any], concurrency: int) -> float:
    """Send every item through `concurrency` tasks sharing one iterator; the wall time in seconds."""
    queue: Iterator[Any] = iter(items)

    async def worker() -> None:
        for item in queue:
            await send(item)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def measure(
    client: str,
    base_url: str,
    token: str,
    *,
    concurrency: int,
    requests: int,
    warmup: int,
    prefix: str,
    peer_dir: Path | None = None,
    server_pid: int | None = None,
) -> dict[str, Any]:
    async with AsyncExitStack() as stack:
        if client == "flip-async":
            build, send = await _flip_async(stack, base_url, token)
        elif client == "aiohttp":
            build, send = await _aiohttp(stack, base_url, token)
        else:
            assert peer_dir is not None
            build, send = await _peer(stack, base_url, token, peer_dir)
        warm = [build(site_request(f"{prefix}w", number)) for number in range(warmup)]
        items = [build(site_request(prefix, number)) for number in range(requests)]
        await _drive(send, warm, concurrency)
        # The prebuilt inputs are not part of the measurement, so they are kept out of the garbage collector's
        # passes too (8,000 models would otherwise be traversed on every full collection).
        gc.collect()
        gc.freeze()
        server_before = cpu_seconds_of(server_pid) if server_pid else None
        cpu_before = _cpu_seconds()
        seconds = await _drive(send, items, concurrency)
        cpu = _cpu_seconds() - cpu_before
        server_after = cpu_seconds_of(server_pid) if server_pid else None
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    return {
        "client": client,
        "concurrency": concurrency,
        "requests": requests,
        "seconds": seconds,
        "requests_per_s": requests / seconds,
        "client_cpu_us_per_request": cpu / requests * 1e6,
        "server_cpu_us_per_request": None if server_cpu is None else server_cpu / requests * 1e6,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("client", choices=CLIENTS)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--prefix", required=True, help="site id prefix, unique per sandbox")
    parser.add_argument("--peer-dir", type=Path, help="the folder holding the generated flip_peer package")
    parser.add_argument("--server-pid", type=int, help="the sandbox's process id, to read its CPU time (Linux)")
    args = parser.parse_args()
    if args.client == "peer" and args.peer_dir is None:
        parser.error("peer needs --peer-dir")
    result = asyncio.run(
        measure(
            args.client,
            args.base_url,
            args.token,
            concurrency=args.concurrency,
            requests=args.requests,
            warmup=args.warmup,
            prefix=args.prefix,
            peer_dir=args.peer_dir,
            server_pid=args.server_pid,
        )
    )
    print(orjson.dumps(result).decode())


if __name__ == "__main__":
    main()
