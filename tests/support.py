"""Shared test helpers: Flip's seed examples, request builders, a settable clock, sandboxed and mocked clients."""

from __future__ import annotations

import ast
import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from aioresponses import aioresponses
from aioresponses.core import normalize_url
from multidict import CIMultiDict
from yarl import URL

from flip_async import FlipClient, RetryPolicy, models
from flip_async._operations import REGISTRY
from flip_async._spec_types import Operation
from flip_async._transport import Response, Transport
from flip_async.sandbox import Sandbox

PACKAGE = Path(__file__).resolve().parents[1] / "flip_async"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
BASE = "https://api.flip.test"
TOKEN = "tok_client_TOP_SECRET_4f7a"


class Clock:
    """A settable "now", shared by a sandbox and a client so that both see the same time pass."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_request() -> dict[str, Any]:
    """A fresh copy of the example request on Flip's POST /v1/commission page."""
    loaded: dict[str, Any] = json.loads((FIXTURES / "seed_commission_request.json").read_text())
    return loaded


def seed_response() -> dict[str, Any]:
    """A fresh copy of the example 200 body on Flip's POST /v1/commission page."""
    loaded: dict[str, Any] = json.loads((FIXTURES / "seed_commission_response.json").read_text())
    return loaded


def seed_row(site_id: str, **site: Any) -> dict[str, Any]:
    """The seed request as a wire mapping for another site (its device follows), site fields changed as given."""
    row = seed_request()
    row["site"].update(id=site_id, **site)
    row["devices"][0].update(id=f"{site_id}-battery", site_id=site_id)
    return row


def commission_request(
    site_id: str = "abc-789",
    *,
    device_ids: tuple[str, ...] = ("xyz-123",),
    can_auto_enroll: bool | None = True,
    **site: Any,
) -> models.CommissionRequest:
    """The README's example request: a site (zip 88800 unless given) with a battery per device id."""
    return models.CommissionRequest(
        site=models.Site(id=site_id, **({"zip_code": "88800"} | site)),
        devices=[device(device_id, site_id) for device_id in device_ids],
        can_auto_enroll=can_auto_enroll,
    )


def device(device_id: str, site_id: str) -> models.DeviceCreateIn:
    return models.DeviceCreateIn(
        id=device_id,
        site_id=site_id,
        manufacturer_name="DeviceMaker",
        product_name="Model 1",
        serial_number="123456789",
        type=models.DeviceType.BATTERY,
        attributes=models.DeviceBatteryAttributes(
            battery_capacity_wh=15000, battery_power_input_w=6000, battery_power_output_w=7500
        ),
        install_date=datetime(2022, 2, 22, tzinfo=UTC),
    )


def add_site(sandbox: Sandbox, site_id: str, *device_ids: str, **site: Any) -> models.CommissionResponse:
    """Commission a site (zip 88800 unless given) with its devices straight into the sandbox's state."""
    request = commission_request(site_id, device_ids=device_ids, can_auto_enroll=None, **site)
    return sandbox.state.commission(request)


@asynccontextmanager
async def sandboxed(
    clock: Callable[[], datetime] | None = None,
    *,
    client_clock: Callable[[], datetime] | None = None,
    **sandbox_options: Any,
) -> AsyncIterator[tuple[Sandbox, FlipClient]]:
    """A fresh sandbox and a client for it, both on `clock` (the client on `client_clock` if given); no retry waits."""
    async with (
        Sandbox(clock=clock, **sandbox_options) as sandbox,
        FlipClient(
            sandbox.token,
            base_url=sandbox.base_url,
            clock=client_clock or clock,
            retry_policy=RetryPolicy.immediate(),
        ) as flip,
    ):
        yield sandbox, flip


def mocked_client(**options: Any) -> FlipClient:
    """A client for `mock_api` (the mocked BASE), whose retries never wait."""
    return FlipClient(TOKEN, base_url=BASE, retry_policy=RetryPolicy.immediate(), **options)


def sent(mock_api: aioresponses, method: str, path: str, query: str = "") -> list[dict[str, Any]]:
    """What each request to `method BASE+path?query` carried: its JSON body (None without) and its bearer token.

    aioresponses keys requests by URL with the query sorted, so `query` may be given in any order.
    """
    calls = mock_api.requests.get((method, normalize_url(URL(BASE + path + (f"?{query}" if query else "")))), [])
    return [
        {
            "body": None if call.kwargs.get("data") is None else orjson.loads(call.kwargs["data"]),
            "token": call.kwargs["headers"]["Authorization"].removeprefix("Bearer "),
        }
        for call in calls
    ]


async def request(transport: Transport, method: str, path: str, **options: Any) -> Response:
    """Build one request on `transport` and send it, as the client does."""
    return await transport.send(transport.build_request(method, path, **options))


def calls(mock_api: aioresponses, method: str, url: str) -> list[Any]:
    """The requests made to exactly `method url` (query included)."""
    return list(mock_api.requests.get((method, URL(url)), []))


def sent_headers(mock_api: aioresponses, method: str, url: str, index: int = 0) -> CIMultiDict[str]:
    return CIMultiDict(calls(mock_api, method, url)[index].kwargs["headers"])


def operations_without_a_method(operations: Mapping[str, Operation]) -> list[str]:
    """The operations of a table that no API method implements (what a newly added operation needs written)."""
    return sorted(set(operations) - set(REGISTRY))


def journal_outcomes(path: Path) -> list[dict[str, Any]]:
    """The finished rows a journal records, in order (not its header, run or write-ahead lines)."""
    lines = (orjson.loads(line) for line in path.read_bytes().splitlines())
    return [line for line in lines if line.get("status") not in (None, "sending")]


def journal_lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def module_name(source: Path) -> str:
    """`flip_async.sandbox._state` for flip_async/sandbox/_state.py, `flip_async.webhooks` for its __init__.py."""
    parts = source.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: Path) -> set[str]:
    """The flip_async modules a file of the package imports, wherever the import stands (under TYPE_CHECKING and in
    functions too): `from flip_async import models` names flip_async.models, relative imports are made absolute."""
    known = {module_name(path) for path in PACKAGE.rglob("*.py")}
    package = module_name(source) if source.name == "__init__.py" else module_name(source).rpartition(".")[0]
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # `from . import x` in flip_async/sandbox/_app.py is level 1: flip_async.sandbox; level 2 is flip_async.
            parents = package.split(".")[: len(package.split(".")) + 1 - node.level] if node.level else []
            module = ".".join([*parents, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                modules.add(submodule if submodule in known else module)
    return {module for module in modules if module in known}
