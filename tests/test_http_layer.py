"""A customisable HTTP layer and configuration by environment: caller's sessions and connectors, proxies, headers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from aiohttp import web
from support import TOKEN

from flip_async import FlipClient, errors

if TYPE_CHECKING:
    from conftest import LiveServer, StartServer


def _api(seen: list[web.BaseRequest]) -> Any:
    async def handler(request: web.BaseRequest) -> web.Response:
        seen.append(request)
        await request.read()
        return web.json_response([{"id": "abc-789"}])

    return handler


async def test_a_callers_session_is_used_and_never_closed(live_server: StartServer) -> None:
    seen: list[web.BaseRequest] = []
    server = await live_server(_api(seen))
    async with aiohttp.ClientSession(headers={"X-From-Session": "yes"}) as session:
        async with FlipClient(TOKEN, base_url=server.url, session=session) as flip:
            assert [site.id for site in await flip.sites.list()] == ["abc-789"]
        assert not session.closed
        async with session.get(server.url + "/v1/sites") as response:
            assert response.status == 200
    assert seen[0].headers["X-From-Session"] == "yes"
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_a_callers_connector_is_used_and_never_closed(live_server: StartServer) -> None:
    seen: list[web.BaseRequest] = []
    server = await live_server(_api(seen))
    connector = aiohttp.TCPConnector(limit=3)
    try:
        async with FlipClient(TOKEN, base_url=server.url, connector=connector) as flip:
            await flip.sites.list()
        assert not connector.closed
    finally:
        await connector.close()
    assert len(seen) == 1


def test_session_and_connector_together_are_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        FlipClient(TOKEN, session=object(), connector=object())  # type: ignore[arg-type]


async def _proxy(live_server: StartServer) -> tuple[LiveServer, list[str]]:
    """An HTTP proxy that answers as the API itself, recording the absolute URL each request asked for."""
    asked: list[str] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        asked.append(request.raw_path)
        await request.read()
        return web.json_response([{"id": "via-proxy"}])

    return await live_server(handler), asked


async def test_proxy_sends_every_request_through_it(live_server: StartServer) -> None:
    proxy, asked = await _proxy(live_server)
    async with FlipClient(TOKEN, base_url="http://api.flip.invalid", proxy=proxy.url) as flip:
        assert [site.id for site in await flip.sites.list()] == ["via-proxy"]
    assert asked == ["http://api.flip.invalid/v1/sites?skip=0&limit=100"]


@pytest.mark.parametrize("trust_env", [False, True])
async def test_https_proxy_from_the_environment_only_with_trust_env(
    live_server: StartServer, monkeypatch: pytest.MonkeyPatch, trust_env: bool
) -> None:
    proxy, asked = await _proxy(live_server)
    seen: list[web.BaseRequest] = []
    api = await live_server(_api(seen))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.delenv("no_proxy", raising=False)
    async with FlipClient(TOKEN, base_url=api.url.replace("127.0.0.1", "localhost"), trust_env=trust_env) as flip:
        await flip.sites.list()
    assert (len(asked), len(seen)) == ((1, 0) if trust_env else (0, 1))


async def test_no_proxy_exempts_the_api_host_from_the_environments_proxy(
    live_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, asked = await _proxy(live_server)
    seen: list[web.BaseRequest] = []
    api = await live_server(_api(seen))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost")
    monkeypatch.delenv("no_proxy", raising=False)
    async with FlipClient(TOKEN, base_url=api.url.replace("127.0.0.1", "localhost"), trust_env=True) as flip:
        await flip.sites.list()
    assert (len(asked), len(seen)) == (0, 1)


async def test_a_netrc_entry_for_the_api_host_never_replaces_the_token(
    live_server: StartServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[web.BaseRequest] = []
    api = await live_server(_api(seen))
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password elsewhere\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    async with FlipClient(TOKEN, base_url=api.url, trust_env=True) as flip:
        await flip.sites.list()
    assert [request.headers["Authorization"] for request in seen] == [f"Bearer {TOKEN}"]


async def test_default_headers_go_with_every_request_but_never_replace_ours(live_server: StartServer) -> None:
    seen: list[web.BaseRequest] = []
    server = await live_server(_api(seen))
    async with FlipClient(TOKEN, base_url=server.url, default_headers={"X-Fleet": "north"}) as flip:
        await flip.sites.list()
        await flip.sites.list(timeout=5)
    assert [request.headers["X-Fleet"] for request in seen] == ["north", "north"]
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    for ours in ("Authorization", "authorization", "User-Agent", "Accept", "Content-Type"):
        with pytest.raises(ValueError, match="cannot set") as caught:
            FlipClient(TOKEN, default_headers={ours: "Bearer stolen"})
        assert "stolen" not in str(caught.value)


async def test_timeout_and_max_retries_default_to_the_environment(
    live_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = 0

    async def failing(request: web.BaseRequest) -> web.Response:
        nonlocal attempts
        attempts += 1
        return web.Response(status=503)

    server = await live_server(failing)
    monkeypatch.setenv("FLIP_MAX_RETRIES", "0")
    monkeypatch.setenv("FLIP_TIMEOUT", "7.5")
    async with FlipClient(TOKEN, base_url=server.url) as flip:
        assert "timeout=7.5" in repr(flip._transport)
        with pytest.raises(errors.InternalServerError):
            await flip.sites.list()
    assert attempts == 1
    async with FlipClient(TOKEN, base_url=server.url, max_retries=1) as flip:  # an argument wins
        with pytest.raises(errors.InternalServerError) as caught:
            await flip.sites.list()
    assert caught.value.attempts == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FLIP_TIMEOUT", "soon"),
        ("FLIP_TIMEOUT", "0"),
        ("FLIP_TIMEOUT", "nan"),
        ("FLIP_MAX_RETRIES", "2.5"),
        ("FLIP_MAX_RETRIES", "-1"),
    ],
)
def test_a_bad_environment_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name}='{value}'"):
        FlipClient(TOKEN)


@pytest.mark.parametrize(("level", "shows_debug"), [("debug", True), ("info", False), ("", False)])
def test_flip_log_sends_records_to_stderr_with_no_code(level: str, shows_debug: bool) -> None:
    script = textwrap.dedent("""
        import asyncio, logging
        import flip_async
        logging.getLogger("flip_async").debug("a debug record")
        logging.getLogger("flip_async").info("an info record")
    """)
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "FLIP_LOG": level},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert ("a debug record" in run.stderr) is shows_debug
    assert ("an info record" in run.stderr) is bool(level)
