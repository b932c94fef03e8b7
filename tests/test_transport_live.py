"""The transport against real aiohttp servers on 127.0.0.1: sockets, timeouts, resets and pool queueing."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import warnings
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import orjson
import pytest
from aiohttp import web
from support import request

from flip_async import errors
from flip_async._transport import Transport

if TYPE_CHECKING:
    from conftest import LiveServer, RecordingSleep, StartServer

TOKEN = "tok_live_5ecret_never_logged_0c7e"

MakeLiveTransport = Callable[..., Transport]


@pytest.fixture
async def make_live_transport(sleeps: RecordingSleep) -> AsyncIterator[MakeLiveTransport]:
    """Transports for a live server that record retry delays instead of sleeping; closed after the test."""
    made: list[Transport] = []

    def make(server: LiveServer, **overrides: Any) -> Transport:
        transport = Transport(server.url, TOKEN, **{"sleep": sleeps, "timeout": 2.0, **overrides})
        made.append(transport)
        return transport

    yield make
    for transport in made:
        await transport.aclose()


def _peer(request: web.BaseRequest) -> object:
    """Identifies the TCP connection a request arrived on."""
    assert request.transport is not None
    return request.transport.get_extra_info("peername")


async def test_headers_and_repeated_query_params_on_the_wire(
    live_server: StartServer, make_live_transport: MakeLiveTransport
) -> None:
    seen: list[web.BaseRequest] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        seen.append(request)
        await request.read()
        return web.json_response([], headers={"x-request-id": "live-1"})

    server = await live_server(handler)
    response = await request(
        make_live_transport(server), "GET", "/v1/sites", params={"status": ["A", "B"], "page": "2"}
    )

    assert response.request_id == "live-1"
    assert seen[0].path_qs == "/v1/sites?status=A&status=B&page=2"
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert seen[0].headers["User-Agent"].startswith("flip-async/")


async def test_slow_server_times_out_after_retries(
    live_server: StartServer, make_live_transport: MakeLiveTransport, sleeps: RecordingSleep
) -> None:
    arrivals = 0

    async def handler(request: web.BaseRequest) -> web.Response:
        nonlocal arrivals
        arrivals += 1
        await asyncio.sleep(5)  # cancelled when the client gives up (handler_cancellation)
        return web.Response()

    server = await live_server(handler)
    transport = make_live_transport(server, timeout=0.2, max_retries=1)
    started = time.monotonic()

    with pytest.raises(errors.APITimeoutError) as caught:
        await request(transport, "POST", "/v1/commission", body=b"{}")

    assert caught.value.attempts == 2
    assert isinstance(caught.value.__cause__, TimeoutError)
    assert arrivals == 2
    assert len(sleeps.delays) == 1
    assert 0.35 < time.monotonic() - started < 1.5


async def test_dropped_connection_is_retried_then_succeeds(
    live_server: StartServer, make_live_transport: MakeLiveTransport
) -> None:
    arrivals = 0

    async def handler(request: web.BaseRequest) -> web.Response:
        nonlocal arrivals
        arrivals += 1
        await request.read()
        if arrivals < 3:
            assert request.transport is not None
            request.transport.close()
        return web.json_response({"arrival": arrivals})

    server = await live_server(handler)

    response = await request(make_live_transport(server), "POST", "/v1/commission", body=b"{}")

    assert orjson.loads(response.content) == {"arrival": 3}
    assert response.attempts == 3
    assert server.connections_made == 3


async def test_keep_alive_reset_on_reuse_is_retried_transparently(
    live_server: StartServer, make_live_transport: MakeLiveTransport, caplog: pytest.LogCaptureFixture
) -> None:
    """The server answers once per connection with keep-alive, then drops the connection when it is reused."""
    requests_per_connection: dict[object, int] = {}

    async def handler(request: web.BaseRequest) -> web.Response:
        await request.read()
        peer = _peer(request)
        requests_per_connection[peer] = requests_per_connection.get(peer, 0) + 1
        if requests_per_connection[peer] > 1:
            assert request.transport is not None
            request.transport.close()
        return web.json_response({"ok": True})

    server = await live_server(handler)
    transport = make_live_transport(server)
    caplog.set_level(logging.WARNING, logger="flip_async")

    first = await request(transport, "POST", "/v1/commission", body=b"{}")
    second = await request(transport, "POST", "/v1/commission", body=b"{}")

    assert (first.attempts, second.attempts) == (1, 2)
    assert list(requests_per_connection.values()) == [2, 1]
    assert "ServerDisconnectedError" in caplog.records[0].getMessage()


async def test_server_closing_idle_keep_alive_connections_does_not_fail_the_next_request(
    live_server: StartServer, make_live_transport: MakeLiveTransport
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    server = await live_server(handler, keepalive_timeout=0.05)
    transport = make_live_transport(server)

    await request(transport, "POST", "/v1/commission", body=b"{}")
    await asyncio.sleep(0.15)  # longer than the server's keep-alive timeout: it closes the idle connection
    response = await request(transport, "POST", "/v1/commission", body=b"{}")

    assert response.status == 200
    assert server.connections_made == 2


async def test_failed_response_is_read_and_its_connection_reused_for_the_retry(
    live_server: StartServer, make_live_transport: MakeLiveTransport
) -> None:
    arrivals = 0

    async def handler(request: web.BaseRequest) -> web.Response:
        nonlocal arrivals
        arrivals += 1
        await request.read()
        if arrivals == 1:
            return web.json_response({"message": "busy " * 10_000}, status=503, headers={"Retry-After": "0"})
        return web.json_response({"ok": True})

    server = await live_server(handler)

    response = await request(make_live_transport(server, connection_limit=1), "POST", "/v1/commission", body=b"{}")

    assert response.attempts == 2
    # One connection served both: the 503 was fully read and the connection back in the pool before the retry.
    assert server.connections_made == 1


async def test_malformed_response_is_retried_and_the_token_is_scrubbed_from_the_cause(
    live_server: StartServer, make_live_transport: MakeLiveTransport
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        assert request.transport is not None
        request.transport.write(b"HTTP/1.1 2x0 Nope\r\n\r\n")
        request.transport.close()
        return web.Response()

    server = await live_server(handler)

    with pytest.raises(errors.APIConnectionError) as caught:
        await request(make_live_transport(server, max_retries=1), "POST", "/v1/commission", body=b"{}")

    assert caught.value.attempts == 2
    cause = caught.value.__cause__
    assert cause is not None
    assert TOKEN not in repr(cause) + str(cause) + repr(vars(cause)) + repr(caught.value) + str(caught.value)


async def test_queueing_for_a_connection_never_counts_toward_the_timeout(
    live_server: StartServer, make_live_transport: MakeLiveTransport
) -> None:
    """200 calls through 4 connections at ~10 ms each queue for ~0.5 s, far past the 0.2 s per-attempt timeout."""
    in_flight = 0
    peak_in_flight = 0

    async def handler(request: web.BaseRequest) -> web.Response:
        nonlocal in_flight, peak_in_flight
        in_flight += 1
        peak_in_flight = max(peak_in_flight, in_flight)
        try:
            await request.read()
            await asyncio.sleep(0.01)
            return web.json_response({"ok": True})
        finally:
            in_flight -= 1

    server = await live_server(handler)
    transport = make_live_transport(server, connection_limit=4, timeout=0.2, max_retries=0)
    started = time.monotonic()

    async with asyncio.timeout(10):
        responses = await asyncio.gather(
            *(request(transport, "POST", "/v1/commission", body=b"{}") for _ in range(200)), return_exceptions=True
        )

    failures = [response for response in responses if isinstance(response, BaseException)]
    assert failures == []
    assert time.monotonic() - started > 0.4  # the queue really was longer than the timeout
    assert server.peak_connections <= 4
    assert peak_in_flight <= 4


async def test_cancelling_an_in_flight_request_propagates_and_the_transport_stays_usable(
    live_server: StartServer, make_live_transport: MakeLiveTransport, sleeps: RecordingSleep
) -> None:
    arrived = asyncio.Event()
    arrivals = 0

    async def handler(request: web.BaseRequest) -> web.Response:
        nonlocal arrivals
        arrivals += 1
        await request.read()
        if arrivals == 1:
            arrived.set()
            await asyncio.sleep(5)
        return web.json_response({"ok": True})

    server = await live_server(handler)
    transport = make_live_transport(server, connection_limit=1)
    task = asyncio.create_task(request(transport, "POST", "/v1/commission", body=b"{}"))
    async with asyncio.timeout(2):
        await arrived.wait()
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    response = await request(transport, "POST", "/v1/commission", body=b"{}")

    assert (arrivals, sleeps.delays, response.attempts) == (2, [], 1)


async def test_aclose_leaves_no_resource_warning(live_server: StartServer) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    server = await live_server(handler)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transport = Transport(server.url, TOKEN, connection_limit=8)
        await asyncio.gather(*(request(transport, "POST", "/v1/commission", body=b"{}") for _ in range(16)))
        await transport.aclose()
        await transport.aclose()
        del transport
        gc.collect()

    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
