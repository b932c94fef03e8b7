"""Shared test fixtures: mocked HTTP (aioresponses, shimmed for aiohttp 3.14) and real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, cast
from unittest import mock

import aiohttp
import pytest
import redis
from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aioresponses import aioresponses
from support import BASE, TOKEN

from flip_async._transport import Transport

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


class _NoStreamWriter:
    """What aiohttp 3.14 reads from `stream_writer` when the request was already sent: its size."""

    output_size = 0


class ShimmedClientResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 builds responses without `stream_writer`, which aiohttp 3.14 requires (aioresponses #289)."""

    def __init__(self, *args: Any, stream_writer: AbstractStreamWriter | None = None, **kwargs: Any) -> None:
        if stream_writer is None:
            stream_writer = cast(AbstractStreamWriter, _NoStreamWriter())
        super().__init__(*args, stream_writer=stream_writer, **kwargs)


@pytest.fixture
def mock_api() -> Iterator[aioresponses]:
    """Every aiohttp request in the test goes to this aioresponses instance; unmatched URLs fail to connect."""
    # aioresponses uses this module global whenever a mock gives no response_class of its own.
    with mock.patch("aioresponses.core.ClientResponse", ShimmedClientResponse), aioresponses() as mocked:
        yield mocked


class RecordingSleep:
    """An injectable `sleep` that records each requested delay and yields to the loop without waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


class _CountingServer(web.Server):
    """A low-level aiohttp server that counts TCP connections as they open and close."""

    def __init__(self, handler: Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.open_connections = 0
        self.peak_connections = 0
        self.connections_made = 0

    def connection_made(self, handler: Any, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        self.open_connections += 1
        self.connections_made += 1
        self.peak_connections = max(self.peak_connections, self.open_connections)

    def connection_lost(self, handler: Any, exc: BaseException | None = None) -> None:
        super().connection_lost(handler, exc)
        self.open_connections -= 1


class LiveServer:
    """A real HTTP server on 127.0.0.1 with an ephemeral port, running one handler for every request."""

    def __init__(self, handler: Handler, *, keepalive_timeout: float = 75.0) -> None:
        # Cancelling handlers on disconnect lets slow handlers end with their client, so teardown is immediate.
        self.server = _CountingServer(handler, handler_cancellation=True, keepalive_timeout=keepalive_timeout)
        self._runner = web.ServerRunner(self.server, shutdown_timeout=0.1)
        self.url = ""

    @property
    def peak_connections(self) -> int:
        return self.server.peak_connections

    @property
    def connections_made(self) -> int:
        return self.server.connections_made

    async def start(self) -> LiveServer:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def close(self) -> None:
        await self._runner.cleanup()


StartServer = Callable[..., Awaitable[LiveServer]]


@pytest.fixture
async def live_server() -> AsyncIterator[StartServer]:
    """`await live_server(handler, keepalive_timeout=...)` starts a server that is stopped after the test."""
    servers: list[LiveServer] = []

    async def start(handler: Handler, **kwargs: Any) -> LiveServer:
        server = await LiveServer(handler, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


MakeTransport = Callable[..., Transport]


@pytest.fixture
async def make_transport(sleeps: RecordingSleep) -> AsyncIterator[MakeTransport]:
    """Transports for BASE with TOKEN that record their retry delays instead of sleeping; closed after the test."""
    made: list[Transport] = []

    def make(**overrides: Any) -> Transport:
        options: dict[str, Any] = {"sleep": sleeps, **overrides}
        transport = Transport(options.pop("base_url", BASE), options.pop("token", TOKEN), **options)
        made.append(transport)
        return transport

    yield make
    for transport in made:
        await transport.aclose()


@pytest.fixture
def transport(make_transport: MakeTransport) -> Transport:
    return make_transport()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1 for the session (Debian's package; .ci/run installs it when it is absent)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server (.ci/run installs it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    directory = tmp_path_factory.mktemp("redis")
    options = {"bind": "127.0.0.1", "port": str(port), "save": "", "appendonly": "no", "dir": str(directory)}
    server = subprocess.Popen(
        [binary, *(part for name, value in options.items() for part in (f"--{name}", value))], stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.02)
    client.close()
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's redis-server, emptied for this test."""
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server
