"""`flip-async sandbox` as a service under test in another process sees it: the /_sandbox/ control surface drives
events, commands and webhooks end to end, and a malformed request is a 4xx answer, never a traceback."""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from conftest import StartServer
from support import add_site

from flip_async import models
from flip_async._spec import OPERATIONS
from flip_async.sandbox import Faults, Sandbox
from flip_async.webhooks import DEFAULT_PATH, WebhookEvent, webhook_app

TOKEN = "control-test-token"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BATTERY = {
    "id": "battery-1",
    "manufacturer_name": "DeviceMaker",
    "product_name": "Model 1",
    "serial_number": "123456789",
    "type": "BATTERY",
    "attributes": {"battery_capacity_wh": 15000, "battery_power_input_w": 6000, "battery_power_output_w": 7500},
    "install_date": "2022-02-22",
}
COMMISSION = {"site": {"id": "site-1", "zip_code": "99999"}, "devices": [BATTERY]}  # no site_id: Flip's newer body


@attrs.define
class Standalone:
    """A `flip-async sandbox` subprocess: its URL, and everything it wrote to stderr once it has stopped."""

    base_url: str
    process: asyncio.subprocess.Process
    stderr: str = ""

    async def call(self, method: str, path: str, *, token: str | None = TOKEN, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with (
            aiohttp.ClientSession() as http,
            http.request(method, self.base_url + path, headers=headers, **kwargs) as response,
        ):
            body = await response.json() if response.content_type == "application/json" else await response.text()
            return response.status, body


@asynccontextmanager
async def standalone(*options: str) -> AsyncIterator[Standalone]:
    """`flip-async sandbox --port 0` in its own process, stopped with Ctrl-C (SIGINT) when the block ends."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "flip_async.cli",
        "sandbox",
        "--port",
        "0",
        "--token",
        TOKEN,
        *options,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    async with asyncio.timeout(30):
        first = (await process.stderr.readline()).decode()
    found = re.search(r"serving on (http://\S+)", first)
    assert found is not None, first
    running = Standalone(found.group(1), process)
    try:
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            rest = await process.stderr.read()
            await process.wait()
        running.stderr = first + rest.decode()


@asynccontextmanager
async def receiver(on_event: Callable[[WebhookEvent], Awaitable[None]]) -> AsyncIterator[str]:
    async with TestServer(webhook_app(SECRET, on_event), host="127.0.0.1") as server:
        yield str(server.make_url(DEFAULT_PATH))


async def test_another_process_drives_events_commands_and_webhooks_end_to_end() -> None:
    received: list[WebhookEvent] = []
    arrived = asyncio.Condition()

    async def on_event(event: WebhookEvent) -> None:
        async with arrived:
            received.append(event)
            arrived.notify_all()

    async def webhooks(count: int) -> list[tuple[str, Any]]:
        async with asyncio.timeout(10), arrived:
            await arrived.wait_for(lambda: len(received) >= count)
        return [(event.type, event.data) for event in received[count - 1 : count]]

    async with receiver(on_event) as url, standalone() as sandbox:
        assert await sandbox.call("POST", "/v1/commission", json=COMMISSION) == (200, {"programs": []})
        assert await sandbox.call("PUT", "/_sandbox/webhooks", json={"url": url, "secret": SECRET}) == (204, "")

        status, event = await sandbox.call("POST", "/_sandbox/events", json={"site_id": "site-1", "duration_s": 3600})
        assert (status, event["site_id"], event["status"], event["duration_s"]) == (200, "site-1", "UPCOMING", 3600)
        assert event["schedule"][0]["device_ids"] == ["battery-1"]
        [(kind, data)] = await webhooks(1)
        assert (kind, str(data.id)) == ("event.created", event["id"])

        order = {"device_id": "battery-1", "event_id": event["id"], "battery_commands": {"mode": "CHARGE"}}
        status, command = await sandbox.call("POST", "/_sandbox/commands", json=order)
        assert (status, command["event_id"], command["battery_commands"], command["device_status"]) == (
            200,
            event["id"],
            {"mode": "CHARGE"},
            "PENDING",
        )
        [(kind, data)] = await webhooks(2)
        assert (kind, str(data.id)) == ("command.created", command["id"])

        ack = {"device_status": "OK", "device_status_reason": "Scheduled"}
        assert (await sandbox.call("PATCH", f"/v1/command/{command['id']}", json=ack))[0] == 200
        [(kind, data)] = await webhooks(3)
        assert (kind, data.device_status) == ("command.updated", models.DeviceStatus.OK)

        status, canceled = await sandbox.call("POST", f"/_sandbox/commands/{command['id']}/cancel")
        assert (status, canceled["status"], canceled["device_status"]) == (200, "CANCELED", "PENDING")
        [(kind, data)] = await webhooks(4)
        # To be acknowledged again, as Flip's Control page says of a cancellation.
        assert (kind, data.status, data.device_status) == (
            "command.updated",
            models.CommandStatus.CANCELED,
            models.DeviceStatus.PENDING,
        )
    assert "Traceback" not in sandbox.stderr, sandbox.stderr


async def test_the_control_surface_takes_the_client_token_and_says_what_is_wrong() -> None:
    async with standalone() as sandbox:
        assert (await sandbox.call("POST", "/v1/commission", json=COMMISSION))[0] == 200
        _, site_token = await sandbox.call("POST", "/v1/auth/site/site-1")
        for token in (None, site_token["site_access_token"], "wrong"):
            status, _ = await sandbox.call("POST", "/_sandbox/events", token=token, json={"site_id": "site-1"})
            assert status == 401, token
        assert await sandbox.call("POST", "/_sandbox/events", json={"site_id": "site-1", "duration_s": 0}) == (
            422,
            {
                "detail": [
                    {"loc": ["body", "duration_s"], "msg": "must be greater than 0, got 0", "type": "greater_than"}
                ]
            },
        )
        assert await sandbox.call("POST", "/_sandbox/events", json={"site_id": "ghost"}) == (
            404,
            {"detail": "no site 'ghost'"},
        )
        status, body = await sandbox.call(
            "POST", "/_sandbox/commands", json={"device_id": "battery-1", "battery_commands": {"mode": "HOVER"}}
        )
        assert (status, body["detail"][0]["loc"]) == (422, ["body", "battery_commands", "mode"])
        other_event = "00000000-0000-0000-0000-000000000000"
        assert await sandbox.call(
            "POST", "/_sandbox/commands", json={"device_id": "battery-1", "event_id": other_event}
        ) == (
            404,
            {"detail": f"no event '{other_event} at site site-1'"},
        )
        assert await sandbox.call("POST", f"/_sandbox/commands/{other_event}/cancel") == (
            404,
            {"detail": f"no command '{other_event}'"},
        )
        status, body = await sandbox.call(
            "PUT", "/_sandbox/webhooks", json={"url": "http://127.0.0.1:9/", "secret": "x!"}
        )
        assert (status, body["detail"][0]["loc"]) == (422, ["body", "secret"])
        assert "x!" not in str(body)
        status, body = await sandbox.call("PUT", "/_sandbox/webhooks", json={"url": "ftp://host/", "secret": SECRET})
        assert (status, body["detail"][0]["loc"]) == (422, ["body", "url"])


def test_the_control_routes_are_not_flips_they_are_neither_in_the_spec_nor_in_the_table() -> None:
    spec_paths = {operation.path for operation in OPERATIONS.values()}
    assert not any(path.startswith("/_sandbox") for path in spec_paths)
    assert not any("_sandbox" in operation_id for operation_id in OPERATIONS)


async def test_the_control_surface_meets_no_injected_fault_and_is_not_counted() -> None:
    async with (
        Sandbox(faults=Faults(error_rate=1.0)) as sandbox,
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {sandbox.token}"}) as http,
    ):
        add_site(sandbox, "site-1", "battery-1")
        async with http.post(f"{sandbox.base_url}/_sandbox/commands", json={"device_id": "battery-1"}) as response:
            assert response.status == 200
        async with http.get(f"{sandbox.base_url}/v1/commands") as response:
            assert response.status >= 500  # Flip's operations still meet the faults
    assert sandbox.stats.requests == {"list_commands": 1}
    assert sandbox.stats.faults == {"error": 1}


async def _raw(base_url: str, request: bytes, *, then: bytes = b"") -> bytes:
    """Send bytes as they are (no client library would send these), and read the answer's status line."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        if then:
            await asyncio.sleep(0.1)  # the head first: the sandbox is reading the body when it breaks
            writer.write(then)
            await writer.drain()
        async with asyncio.timeout(10):
            return await reader.readline()
    finally:
        writer.close()


def _post(path: str, body: bytes, *headers: str) -> bytes:
    head = [f"POST {path} HTTP/1.1", "Host: sandbox", f"Authorization: Bearer {TOKEN}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize("verbose", [[], ["-vv"]], ids=["quiet", "debug"])
async def test_a_malformed_request_is_a_4xx_and_never_a_traceback_in_the_clis_output(verbose: list[str]) -> None:
    deep = b'{"x": ' + b"[" * 200 + b"]" * 200 + b"}"
    not_gzip = b"this is not gzip"
    async with standalone(*verbose) as sandbox:
        answers = [
            await _raw(sandbox.base_url, b"NONSENSE\r\n\r\n"),
            await _raw(sandbox.base_url, _post("/v1/supplements", b"zz\r\n", "Transfer-Encoding: chunked")),
            await _raw(
                sandbox.base_url,
                _post("/v1/supplements", b"", f"Content-Length: {len(not_gzip)}", "Content-Encoding: gzip"),
                then=not_gzip,
            ),
            await _raw(sandbox.base_url, _post("/v1/supplements", deep, f"Content-Length: {len(deep)}")),
            await _raw(sandbox.base_url, _post("/v1/commission", b"{", "Content-Length: 1")),
        ]
        valid = gzip.compress(b'{"kind": "photo"}')
        gzipped = _post("/v1/supplements", valid, f"Content-Length: {len(valid)}", "Content-Encoding: gzip")
        answers.append(await _raw(sandbox.base_url, gzipped))
    assert [answer.split()[1] for answer in answers] == [b"400", b"400", b"400", b"422", b"422", b"200"]
    assert "Traceback" not in sandbox.stderr, sandbox.stderr
    debug_lines = [line for line in sandbox.stderr.splitlines() if "A malformed request, answered 400" in line]
    # At most one line each, at debug level: shown with -vv only.
    assert len(debug_lines) == (3 if verbose else 0), sandbox.stderr


README = Path(__file__).resolve().parents[1] / "README.md"
_CURL = re.compile(r"""^curl -X (\w+) "\$FLIP_BASE_URL([^"]+)"(?:.* -d '([^']*)')?""", re.MULTILINE)


async def test_the_readmes_curl_examples_work_as_printed(live_server: StartServer) -> None:
    section = README.read_text().split("### The control surface", 1)[1].split("\n## ", 1)[0]
    examples = _CURL.findall(section.replace("\\\n", " "))  # each command on one line
    assert [(method, path.split("/")[2]) for method, path, _ in examples] == [
        ("PUT", "webhooks"),
        ("POST", "events"),
        ("POST", "commands"),
        ("POST", "commands"),
    ]

    async def accept(request: web.BaseRequest) -> web.Response:
        return web.Response(status=204)

    server = await live_server(accept)
    ids: dict[str, str] = {}
    async with Sandbox(token=TOKEN) as sandbox, aiohttp.ClientSession() as http:
        add_site(sandbox, "abc-789", "xyz-123")
        for method, path, body in examples:
            path = path.replace("<the command id>", ids.get("command", ""))
            body = body.replace("<the event id>", ids.get("event", "")).replace(
                "http://127.0.0.1:9000/webhooks/flip", server.url
            )
            data = body.encode() if body else None
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            async with http.request(method, sandbox.base_url + path, data=data, headers=headers) as response:
                assert response.status in (200, 204), (path, await response.text())
                if path.endswith(("/events", "/commands")):
                    ids["event" if path.endswith("/events") else "command"] = (await response.json())["id"]
        await sandbox.webhooks.drain()
        assert [delivery.event_type for delivery in sandbox.webhooks.deliveries] == [
            "event.created",
            "command.created",
            "command.updated",
        ]
        assert all(delivery.delivered for delivery in sandbox.webhooks.deliveries)
