"""The commission clients measured: flip-async, raw aiohttp (the floor) and three peers, each sending one site a call.

Besides them, `flip-async without <piece>` for each of PIECES: flip-async with one piece of its own work patched out
of the worker process (validation, encoding or decoding; `all` for the three at once, leaving the call layers and
the transport). Against raw aiohttp in the same run, what each piece costs in place, interleaved with 63 other
requests' work, is the difference; it is not what the piece costs in a loop of its own (section 6 of RESULTS.md).

Each is set up by `open_client(name, stack, server, peer_dir)`, which returns how to build a call's input from the
wire document of one site (done before the timed window) and how to send it (timed: encoding, sending, reading and
decoding the answer). Every client keeps a pool of POOL_SIZE connections: the default of aiohttp, of flip-async and
of openapi-generator's client; httpx's default keeps only 20 alive, so the httpx peer is given POOL_SIZE too.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from unittest import mock

import aiohttp
import orjson

from bench._common import Server, commission_model, site_request
from flip_async import FlipClient

CLIENTS = ("flip-async", "aiohttp", "pydantic", "openapi-generator", "openapi-python-client")
PIECES = ("validation", "encoding", "decoding", "all")
WITHOUT = tuple(f"flip-async without {piece}" for piece in PIECES)
POOL_SIZE = 100
TIMEOUT = 30.0

Build = Callable[[Mapping[str, Any]], Any]
Send = Callable[[Any], Awaitable[None]]


async def open_client(name: str, stack: AsyncExitStack, server: Server, peer_dir: Path | None) -> tuple[Build, Send]:
    if name == "flip-async":
        return await _flip_async(stack, server)
    if name in WITHOUT:
        _patch_out(name.removeprefix("flip-async without "), stack)
        return await _flip_async(stack, server)
    if name == "aiohttp":
        return await _raw_aiohttp(stack, server)
    if peer_dir is None:
        raise ValueError(f"{name} needs the folder of the generated peers")
    sys.path.insert(0, str(peer_dir))
    if name == "pydantic":
        return await _pydantic(stack, server)
    if name == "openapi-generator":
        return await _openapi_generator(stack, server)
    if name == "openapi-python-client":
        return await _openapi_python_client(stack, server)
    raise ValueError(f"unknown client {name!r}; expected one of {', '.join(CLIENTS + WITHOUT)}")


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}


async def raw_session(stack: AsyncExitStack) -> aiohttp.ClientSession:
    """A default aiohttp session (a pool of 100 connections), closed with `stack`."""
    return await stack.enter_async_context(aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)))


async def _flip_async(stack: AsyncExitStack, server: Server) -> tuple[Build, Send]:
    """`FlipClient.commission` with a `models.CommissionRequest` (validated on send, as always)."""
    flip = await stack.enter_async_context(FlipClient(server.token, base_url=server.base_url))

    async def send(request: Any) -> None:
        await flip.commission(request)

    return commission_model, send


def _patch_out(piece: str, stack: AsyncExitStack) -> None:
    """Leave `piece` of flip-async's own work out of every call this process makes, until `stack` closes."""
    # Plain functions, not mocks: a Mock's own call costs microseconds, which would be measured as flip-async's.
    # Every request of a run has the same size (bench._common.site_request), so one encoded document stands in.
    encoded = orjson.dumps(site_request("c", 0))

    def as_given(request: Any, cls: type) -> Any:
        return request

    def pre_encoded(body: Any) -> bytes:
        return encoded

    def nothing_to_decode(operation: Any, response: Any) -> None:
        return None

    patches = {
        "validation": ("flip_async._client.validated", as_given),
        "encoding": ("flip_async._base_client._json_body", pre_encoded),
        "decoding": ("flip_async._base_client._answer_type", nothing_to_decode),
    }
    for name, (target, replacement) in patches.items():
        if piece in (name, "all"):
            stack.enter_context(mock.patch(target, new=replacement))


async def _raw_aiohttp(stack: AsyncExitStack, server: Server) -> tuple[Build, Send]:
    """The floor: post pre-encoded bytes, read the answer with `orjson.loads`, nothing else."""
    session = await raw_session(stack)
    url, sent_headers = f"{server.base_url}/v1/commission", headers(server.token)

    async def send(body: bytes) -> None:
        async with session.post(url, data=body, headers=sent_headers) as response:
            answer = orjson.loads(await response.read())
            if response.status != 200 or "programs" not in answer:
                raise RuntimeError(f"HTTP {response.status}: {answer!r}")

    return orjson.dumps, send


async def _pydantic(stack: AsyncExitStack, server: Server) -> tuple[Build, Send]:
    """What a careful engineer writes by hand: aiohttp, and pydantic v2 models generated by datamodel-code-generator.

    The wire document is validated by the request model on each call (as flip-async validates on send), written with
    `model_dump_json`, and the answer read with `model_validate_json`.
    """
    from bench.peer import PYDANTIC_MODULE

    generated = importlib.import_module(PYDANTIC_MODULE)
    request_model, response_model = generated.CommissionRequest, generated.CommissionResponse
    session = await raw_session(stack)
    url, sent_headers = f"{server.base_url}/v1/commission", headers(server.token)

    async def send(document: Mapping[str, Any]) -> None:
        body = request_model.model_validate(document).model_dump_json(exclude_none=True)
        async with session.post(url, data=body, headers=sent_headers) as response:
            content = await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {content!r}")
            response_model.model_validate_json(content)

    return dict, send


async def _openapi_generator(stack: AsyncExitStack, server: Server) -> tuple[Build, Send]:
    """openapi-generator's python client (`--library asyncio`: aiohttp + pydantic v2): `CommissionApi.commission`."""
    from bench.peer import OPENAPI_GENERATOR_PACKAGE

    package = importlib.import_module(OPENAPI_GENERATOR_PACKAGE)
    configuration = package.Configuration(host=server.base_url, access_token=server.token)
    configuration.connection_pool_maxsize = POOL_SIZE
    api_client = await stack.enter_async_context(package.ApiClient(configuration))
    api = package.CommissionApi(api_client)

    async def commission(request: Any) -> Any:
        return await api.commission(commission_request=request, _request_timeout=TIMEOUT)

    return package.CommissionRequest.from_dict, _answered_with(package.CommissionResponse, commission)


async def _openapi_python_client(stack: AsyncExitStack, server: Server) -> tuple[Build, Send]:
    """openapi-python-client's package (attrs models over httpx): `commission.asyncio` with its model."""
    import httpx

    from bench.peer import OPENAPI_PYTHON_CLIENT_PACKAGE

    package = importlib.import_module(OPENAPI_PYTHON_CLIENT_PACKAGE)
    commission = importlib.import_module(f"{OPENAPI_PYTHON_CLIENT_PACKAGE}.api.commission.commission")
    generated = importlib.import_module(f"{OPENAPI_PYTHON_CLIENT_PACKAGE}.models")
    limits = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE)
    client = package.AuthenticatedClient(
        base_url=server.base_url, token=server.token, timeout=httpx.Timeout(TIMEOUT), httpx_args={"limits": limits}
    )
    await stack.enter_async_context(client)

    async def send(request: Any) -> Any:
        return await commission.asyncio(client=client, body=request)

    return generated.CommissionRequest.from_dict, _answered_with(generated.CommissionResponse, send)


def _answered_with(response_model: type, call: Callable[[Any], Awaitable[Any]]) -> Send:
    """`call`, checked: a generated client hands back its error models (or None) instead of raising."""

    async def send(request: Any) -> None:
        answer = await call(request)
        if not isinstance(answer, response_model):
            raise RuntimeError(f"unexpected answer {answer!r}")

    return send
