"""Hostile or broken answers from a real server on 127.0.0.1: huge bodies, deep nesting, numbers that do not fit.

Each ends in a typed error with bounded memory, never a KeyError, RecursionError or a silently rounded number.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import orjson
import pytest
from aiohttp import web
from support import commission_request

from flip_async import FlipClient, RetryPolicy, errors

if TYPE_CHECKING:
    from conftest import StartServer

TOKEN = "tok_hostile_5ecret_a1"


@pytest.fixture
async def serve(live_server: StartServer) -> AsyncIterator[object]:
    """`await serve(handler, **client_options)`: a FlipClient for a live server running `handler`."""
    clients: list[FlipClient] = []

    async def start(handler: web.BaseRequest, **options: object) -> FlipClient:
        server = await live_server(handler)
        client = FlipClient(TOKEN, base_url=server.url, retry_policy=RetryPolicy.immediate(), **options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.aclose()


def _answer(status: int, body: bytes, *, chunked: bool = False) -> object:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        await request.read()
        if not chunked:
            return web.Response(status=status, body=body, content_type="application/json")
        response = web.StreamResponse(status=status, headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 1000):
            await response.write(body[start : start + 1000])
        await response.write_eof()
        return response

    return handler


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("status", [200, 500])
async def test_an_answer_past_max_response_size_is_a_typed_error_never_retried(
    serve: object, status: int, chunked: bool
) -> None:
    flip = await serve(
        _answer(status, b'{"detail": "' + b"x" * 50_000 + b'"}', chunked=chunked), max_response_size=10_000
    )  # type: ignore[operator]
    with pytest.raises(errors.ResponseTooLargeError) as caught:
        await flip.sites.list()
    assert (caught.value.limit, caught.value.attempts) == (10_000, 1)
    assert "10000 bytes" in str(caught.value)
    assert ("announced 50014" in str(caught.value)) is not chunked


async def test_an_answer_within_the_limit_is_read_whatever_its_framing(serve: object) -> None:
    flip = await serve(_answer(200, orjson.dumps([{"id": "abc-789"}] * 200), chunked=True), max_response_size=10_000)  # type: ignore[operator]
    assert len(await flip.sites.list()) == 200


def test_max_response_size_must_be_a_positive_int() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="max_response_size"):
            FlipClient(TOKEN, max_response_size=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("depth", [129, 1_000, 5_000, 100_000])
async def test_deeply_nested_json_is_a_typed_error_in_a_success_and_in_an_error(serve: object, depth: int) -> None:
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    flip = await serve(_answer(200, nested))  # type: ignore[operator]
    with pytest.raises(errors.ResponseValidationError):
        await flip.sessions.create({"site": {"id": "abc-789"}})
    failing = await serve(_answer(500, b'{"detail": ' + b"[" * depth + b"]" * depth + b"}"), max_retries=0)  # type: ignore[operator]
    with pytest.raises(errors.InternalServerError) as caught:
        await failing.sites.list()
    str(caught.value), repr(caught.value.body)  # both readable, however deep


@pytest.mark.parametrize(
    "number",
    [b"18446744073709551617", b"9007199254740993.0", b"1e300", b"-36893488147419103233"],
)
async def test_an_integer_the_model_cannot_hold_exactly_is_a_typed_error(serve: object, number: bytes) -> None:
    program = {
        "id": "5a1d7c0e-8d1b-4c53-9b0e-000000088800",
        "name": "P",
        "description": "d",
        "eligible_device_types": ["BATTERY"],
        "can_auto_enroll": True,
        "minimum_reserve_percentage": 20,
        "minimum_commitment_months": None,
        "participation_months": [6],
        "earnings_for_site_upfront": 100,
        "earnings_for_site_yearly": "EARNINGS",
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "enrollment_form": [],
        "terms_and_conditions_version": None,
        "terms_and_conditions_text": None,
    }
    body = orjson.dumps({"programs": [program]}).replace(b'"EARNINGS"', number)
    flip = await serve(_answer(200, body))  # type: ignore[operator]
    with pytest.raises(errors.ResponseValidationError) as caught:
        await flip.commission(commission_request())
    assert [problem.path for problem in caught.value.problems] == ["programs[0].earnings_for_site_yearly"]


def test_credentials_in_the_base_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(ValueError, match="credentials") as caught:
        FlipClient(TOKEN, base_url="https://fleet:hunter2@api.flip.energy")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("token", ["tok\r\nX-Injected: 1", "tök_ümlaut", "tok with space", "tok\tx", ""])
def test_a_token_an_http_header_cannot_carry_is_refused_when_the_client_is_made(token: str) -> None:
    with pytest.raises((ValueError, errors.FlipError)) as caught:
        FlipClient(token)
    assert token.strip() == "" or token not in str(caught.value)
