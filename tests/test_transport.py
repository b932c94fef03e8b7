"""Unit tests of the transport (against aioresponses) and of the error hierarchy and error-body rendering."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import re
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import attrs
import orjson
import pytest
from aiohttp.client_reqrep import ConnectionKey
from aioresponses import CallbackResult, aioresponses
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from flip_async import errors
from flip_async._transport import RETRYABLE_STATUSES, Response, RetryPolicy, Transport, retry_after_seconds
from flip_async._version import __version__

if TYPE_CHECKING:
    from conftest import RecordingSleep

BASE = "https://api.flip.test"
TOKEN = "tok_client_5ecret_DO_NOT_LEAK_93f1"
SITE_TOKEN = "tok_site_5ecret_ALSO_PRIVATE_77aa"
COMMISSION = f"{BASE}/v1/commission"
SITES = f"{BASE}/v1/sites"

MakeTransport = Callable[..., Transport]


@pytest.fixture
async def make_transport(sleeps: RecordingSleep) -> AsyncIterator[MakeTransport]:
    """Transports that record their retry delays instead of sleeping; all closed after the test."""
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


def calls(mock_api: aioresponses, method: str, url: str) -> list[Any]:
    return list(mock_api.requests.get((method, URL(url)), []))


def sent_headers(mock_api: aioresponses, method: str, url: str, index: int = 0) -> CIMultiDict[str]:
    return CIMultiDict(calls(mock_api, method, url)[index].kwargs["headers"])


# --- the shim itself ---------------------------------------------------------------------------------------------


async def test_shim_lets_aioresponses_build_responses_on_aiohttp_3_14(mock_api: aioresponses) -> None:
    mock_api.get(SITES, payload={"ok": True}, headers={"x-request-id": "req-1"})
    async with aiohttp.ClientSession() as session, session.get(SITES) as response:
        assert response.status == 200
        assert await response.json() == {"ok": True}
        assert response.headers["x-request-id"] == "req-1"


# --- what goes on the wire ---------------------------------------------------------------------------------------


async def test_post_sends_bearer_accept_content_type_user_agent_and_body(
    mock_api: aioresponses, transport: Transport
) -> None:
    mock_api.post(COMMISSION, body=b'{"ok":true}')

    response = await transport.request("POST", "/v1/commission", body=b'{"site":{}}')

    assert (response.status, response.content, response.attempts) == (200, b'{"ok":true}', 1)
    headers = sent_headers(mock_api, "POST", COMMISSION)
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert headers["User-Agent"] == f"flip-async/{__version__} python/{python} aiohttp/{aiohttp.__version__}"
    assert calls(mock_api, "POST", COMMISSION)[0].kwargs["data"] == b'{"site":{}}'


async def test_get_without_body_sends_no_content_type(mock_api: aioresponses, transport: Transport) -> None:
    mock_api.get(SITES, body=b"[]")

    await transport.request("GET", "/v1/sites")

    headers = sent_headers(mock_api, "GET", SITES)
    assert "Content-Type" not in headers
    assert headers["Accept"] == "application/json"


async def test_token_override_replaces_the_client_token_for_one_call(
    mock_api: aioresponses, transport: Transport
) -> None:
    url = f"{BASE}/v1/site/abc-789"
    mock_api.get(url, body=b"{}", repeat=2)

    await transport.request("GET", "/v1/site/abc-789", token=SITE_TOKEN)
    await transport.request("GET", "/v1/site/abc-789")

    assert sent_headers(mock_api, "GET", url, 0)["Authorization"] == f"Bearer {SITE_TOKEN}"
    assert sent_headers(mock_api, "GET", url, 1)["Authorization"] == f"Bearer {TOKEN}"


async def test_user_agent_appends_the_callers_product_token(
    mock_api: aioresponses, make_transport: MakeTransport
) -> None:
    mock_api.get(SITES, body=b"[]")

    await make_transport(user_agent="fleet-service/4.2").request("GET", "/v1/sites")

    agent = sent_headers(mock_api, "GET", SITES)["User-Agent"]
    assert re.fullmatch(rf"flip-async/{re.escape(__version__)} python/\d+\.\d+ aiohttp/\S+ fleet-service/4\.2", agent)


async def test_repeated_query_params_are_all_sent(mock_api: aioresponses, transport: Transport) -> None:
    seen: list[URL] = []

    def record(url: URL, **_: Any) -> CallbackResult:
        seen.append(url)
        return CallbackResult(body=b"[]")

    mock_api.get(re.compile(r"^https://api\.flip\.test/v1/sites\?.*$"), callback=record)

    await transport.request("GET", "/v1/sites", params={"status": ["ACTIVE", "PENDING"], "page": "2"})

    assert seen[0].query.getall("status") == ["ACTIVE", "PENDING"]
    assert seen[0].query["page"] == "2"


async def test_base_url_path_prefix_is_kept(mock_api: aioresponses, make_transport: MakeTransport) -> None:
    mock_api.get("https://gw.flip.test/api/v1/sites", body=b"[]")

    response = await make_transport(base_url="https://gw.flip.test/api/").request("GET", "v1/sites")

    assert response.status == 200


async def test_response_carries_headers_request_id_and_a_short_repr(
    mock_api: aioresponses, transport: Transport
) -> None:
    mock_api.get(SITES, body=b"x" * 5000, headers={"Request-Id": "req-9"})

    response = await transport.request("GET", "/v1/sites")

    assert isinstance(response.headers, CIMultiDictProxy)
    assert response.request_id == "req-9"
    assert "<5000 bytes>" in repr(response)
    assert response.elapsed >= 0


# --- error statuses ----------------------------------------------------------------------------------------------

STATUS_CLASSES = [
    (400, errors.BadRequestError),
    (401, errors.AuthenticationError),
    (403, errors.PermissionDeniedError),
    (404, errors.NotFoundError),
    (409, errors.ConflictError),
    (422, errors.UnprocessableEntityError),
    (429, errors.RateLimitError),
    (500, errors.InternalServerError),
    (503, errors.InternalServerError),
    (599, errors.InternalServerError),
    (402, errors.APIStatusError),
    (418, errors.APIStatusError),
    (301, errors.APIStatusError),
]


@pytest.mark.parametrize(("status", "error_class"), STATUS_CLASSES)
async def test_each_status_raises_its_error_type_with_body_and_request_id(
    mock_api: aioresponses, transport: Transport, status: int, error_class: type[errors.APIStatusError]
) -> None:
    body = {"code": "SOME_CODE", "message": f"the API's words for {status}"}
    mock_api.post(COMMISSION, status=status, payload=body, headers={"x-request-id": f"req-{status}"})

    with pytest.raises(errors.APIStatusError) as caught:
        await transport.request("POST", "/v1/commission", body=b"{}", max_retries=0)

    error = caught.value
    assert type(error) is error_class
    assert (error.status_code, error.body, error.request_id) == (status, body, f"req-{status}")
    assert (error.method, error.url, error.attempts) == ("POST", COMMISSION, 1)
    assert error.headers["X-Request-ID"] == f"req-{status}"
    assert f"SOME_CODE: the API's words for {status}" in str(error)
    assert str(error).startswith(f"{status} ")
    assert f"(request id req-{status})" in str(error)


ERROR_BODIES = [
    pytest.param(
        {
            "detail": [
                {"loc": ["body", "site", "state_code"], "msg": "value is not a valid enumeration member", "type": "x"}
            ]
        },
        ["body.site.state_code: value is not a valid enumeration member"],
        id="fastapi-list",
    ),
    pytest.param(
        {
            "detail": [
                {"loc": ["body", "devices", 0, "site_id"], "msg": "field required", "type": "value_error.missing"},
                {"loc": ["body", "site", "zip_code"], "msg": "str type expected", "type": "type_error.str"},
            ]
        },
        ["body.devices[0].site_id: field required", "body.site.zip_code: str type expected"],
        id="fastapi-two-items-with-index",
    ),
    pytest.param({"detail": "Not authenticated"}, ["Not authenticated"], id="fastapi-text"),
    pytest.param({"code": "NOT_FOUND", "message": "site abc-789 not found"}, ["NOT_FOUND: site abc-789 not found"]),
    pytest.param(
        {
            "code": "VALIDATION_ERROR",
            "error": "Bad Request",
            "message": "devices array must not be empty",
            "statusCode": 400,
        },
        ["VALIDATION_ERROR: devices array must not be empty"],
        id="camel-case",
    ),
    pytest.param(
        {
            "code": "VALIDATION_ERROR",
            "message": "Invalid request",
            "errors": [{"message": "must be a valid state", "path": "site.state_code"}],
            "status_code": 400,
        },
        ["VALIDATION_ERROR: Invalid request", "site.state_code: must be a valid state"],
        id="errors-list",
    ),
    pytest.param({"error": "Bad Request"}, ["Bad Request"], id="error-only"),
    pytest.param({"message": ["a must be set", "b must be set"]}, ["a must be set; b must be set"], id="nest-list"),
    pytest.param({"unexpected": {"x": 1}}, ['{"unexpected":{"x":1}}'], id="unknown-shape"),
]


@pytest.mark.parametrize(("body", "expected_words"), ERROR_BODIES)
async def test_message_quotes_the_api_for_every_documented_body_shape(
    mock_api: aioresponses, transport: Transport, body: Any, expected_words: list[str]
) -> None:
    mock_api.post(COMMISSION, status=422, payload=body)

    with pytest.raises(errors.UnprocessableEntityError) as caught:
        await transport.request("POST", "/v1/commission", body=b"{}")

    assert caught.value.body == body
    for words in expected_words:
        assert words in str(caught.value)


async def test_text_and_empty_error_bodies(mock_api: aioresponses, transport: Transport) -> None:
    mock_api.get(SITES, status=404, body="no such\n  route", content_type="text/plain")
    mock_api.get(SITES, status=404, body=b"")

    with pytest.raises(errors.NotFoundError) as text_error:
        await transport.request("GET", "/v1/sites")
    with pytest.raises(errors.NotFoundError) as empty_error:
        await transport.request("GET", "/v1/sites")

    assert text_error.value.body == "no such\n  route"
    assert str(text_error.value) == "404 Not Found from GET /v1/sites: no such route"
    assert empty_error.value.body is None
    assert str(empty_error.value) == "404 Not Found from GET /v1/sites"


def test_request_id_falls_back_to_request_id_header() -> None:
    error = errors.status_error(500, "GET", SITES, {"Request-Id": "r-2"}, b"")
    assert error.request_id == "r-2"
    assert errors.status_error(500, "GET", SITES, {}, b"").request_id is None


def test_url_keeps_path_and_query_but_drops_user_info() -> None:
    error = errors.status_error(400, "GET", "https://user:pw@api.flip.test/v1/sites?page=2#frag", {}, b"")
    assert error.url == "https://api.flip.test/v1/sites?page=2"
    assert "pw" not in str(error) + repr(error)


def _junk(rng: random.Random, depth: int = 0) -> Any:
    keys = ["detail", "loc", "msg", "message", "errors", "path", "code", "error", "statusCode", "type", "ü\x00"]
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([0, -1, 3.5, 10**18, True, False])
    if kind == 2:
        return "".join(rng.choice('ab \n\t"\\é💡\x00') for _ in range(rng.randrange(12)))
    if kind in (3, 4):
        return rng.choice(keys)
    if kind == 5:
        return [_junk(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(keys): _junk(rng, depth + 1) for _ in range(rng.randrange(5))}


def _junk_bodies() -> list[bytes]:
    # Seeded, so a failure reproduces; these are fuzz inputs, not secrets.
    rng = random.Random(20261101)  # noqa: S311
    bodies = [orjson.dumps(_junk(rng)) for _ in range(400)]
    bodies += [bytes(rng.randrange(256) for _ in range(rng.randrange(64))) for _ in range(100)]
    bodies += [
        b"\xff\xfe\xfa not utf-8 \xc3\x28",
        b'{"detail": "\xff\xfe"}',
        b"[" * 5000 + b"]" * 5000,
        orjson.dumps({"detail": [[[[[{"loc": {"a": [1]}, "msg": {"nested": ["x"]}}]]]]]}),
        orjson.dumps({"detail": [{"loc": None}, {"msg": None}, {}, 7, "plain"]}),
        orjson.dumps({"errors": {"path": 1}, "message": 12, "code": ["X"]}),
        orjson.dumps({"detail": "y" * 2_000_000}),
        b"<html>" + b"z" * 2_000_000 + b"</html>",
        b"   ",
        b"null",
        b"12345",
        b'"just a string"',
    ]
    return bodies


def test_status_error_never_fails_on_any_body() -> None:
    for raw in _junk_bodies():
        for status in (400, 418, 422, 503):
            error = errors.status_error(status, "POST", COMMISSION, {"x-request-id": "r"}, raw)
            assert isinstance(error, errors.APIStatusError)
            message = str(error)
            assert message.startswith(f"{status} ")
            # The message stays readable however large the body; `.body` keeps all of it.
            assert len(message) <= errors.MAX_DETAIL_CHARS + 120, len(message)
            repr(error)


def test_huge_body_is_truncated_in_the_message_but_kept_whole_on_the_error() -> None:
    error = errors.status_error(502, "GET", SITES, {}, b"<html>" + b"z" * 100_000)
    assert str(error).endswith("…")
    assert isinstance(error.body, str)
    assert len(error.body) == 100_006


def test_invalid_utf8_body_becomes_text_with_replacement_characters() -> None:
    error = errors.status_error(500, "GET", SITES, {}, b"bad \xff byte")
    assert error.body == "bad \ufffd byte"


# --- the error hierarchy and validation errors ------------------------------------------------------------------


def test_hierarchy() -> None:
    for _, error_class in STATUS_CLASSES:
        assert issubclass(error_class, errors.APIStatusError)
    assert issubclass(errors.APIStatusError, errors.APIError)
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)
    assert issubclass(errors.APIConnectionError, errors.APIError)
    assert issubclass(errors.ResponseValidationError, errors.APIError)
    assert issubclass(errors.RequestValidationError, errors.FlipError)
    assert not issubclass(errors.RequestValidationError, errors.APIError)
    assert issubclass(errors.APIError, errors.FlipError)
    assert issubclass(errors.FlipError, Exception)


def test_request_validation_error_lists_every_problem_on_its_own_line() -> None:
    problems = [
        errors.Problem("site.state_code", "'ZZ' is not a valid state code"),
        errors.Problem("devices[0].site_id", "must equal site.id ('abc-789')"),
    ]

    error = errors.RequestValidationError(problems, "CommissionRequest")

    assert error.problems == tuple(problems)
    assert str(error) == (
        "2 problems in CommissionRequest:\n"
        "  site.state_code: 'ZZ' is not a valid state code\n"
        "  devices[0].site_id: must equal site.id ('abc-789')"
    )
    assert str(errors.RequestValidationError([problems[0]])) == (
        "1 problem in the request:\n  site.state_code: 'ZZ' is not a valid state code"
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        problems[0].path = "x"  # type: ignore[misc]


def test_response_validation_error_keeps_problems_status_and_body() -> None:
    body = {"programs": [{"name": 3}]}
    error = errors.ResponseValidationError(
        [errors.Problem("programs[0].name", "expected a string")], "CommissionResponse", status_code=200, body=body
    )

    assert (error.status_code, error.body, len(error.problems)) == (200, body, 1)
    assert str(error) == "1 problem in CommissionResponse (status 200):\n  programs[0].name: expected a string"
    assert isinstance(error, errors.APIError)
    assert errors.ResponseValidationError([], body=b'{"a": 1}').body == {"a": 1}
    assert errors.ResponseValidationError([], body=b"<html>").body == "<html>"


# --- retries -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("failures", [0, 1, 2])
async def test_failures_then_success_within_the_budget(
    mock_api: aioresponses, transport: Transport, sleeps: RecordingSleep, failures: int
) -> None:
    for _ in range(failures):
        mock_api.post(COMMISSION, status=503)
    mock_api.post(COMMISSION, body=b'{"ok":1}')

    response = await transport.request("POST", "/v1/commission", body=b"{}")

    assert (response.status, response.attempts) == (200, failures + 1)
    assert len(calls(mock_api, "POST", COMMISSION)) == failures + 1
    assert len(sleeps.delays) == failures


@pytest.mark.parametrize("status", sorted(RETRYABLE_STATUSES))
async def test_every_retryable_status_is_retried(mock_api: aioresponses, transport: Transport, status: int) -> None:
    mock_api.get(SITES, status=status)
    mock_api.get(SITES, body=b"[]")

    response = await transport.request("GET", "/v1/sites")

    assert response.attempts == 2


@pytest.mark.parametrize(
    "exception",
    [
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientOSError(104, "Connection reset by peer"),
        aiohttp.ClientConnectionError("connection refused"),
        aiohttp.ClientPayloadError("Response payload is not completed"),
        aiohttp.ServerTimeoutError("Timeout on reading data from socket"),
        TimeoutError(),
    ],
    ids=lambda exc: type(exc).__name__,
)
async def test_connection_errors_and_timeouts_are_retried(
    mock_api: aioresponses, transport: Transport, exception: Exception
) -> None:
    mock_api.post(COMMISSION, exception=exception)
    mock_api.post(COMMISSION, body=b"{}")

    response = await transport.request("POST", "/v1/commission", body=b"{}")

    assert response.attempts == 2


async def test_exhausted_retries_on_a_status_raise_that_status_error_with_its_body(
    mock_api: aioresponses, transport: Transport, sleeps: RecordingSleep
) -> None:
    for attempt in range(3):
        mock_api.post(COMMISSION, status=503, payload={"message": f"overloaded {attempt}"})

    with pytest.raises(errors.InternalServerError) as caught:
        await transport.request("POST", "/v1/commission", body=b"{}")

    assert caught.value.body == {"message": "overloaded 2"}
    assert caught.value.attempts == 3
    assert len(calls(mock_api, "POST", COMMISSION)) == 3
    assert len(sleeps.delays) == 2


async def test_exhausted_retries_on_connection_errors_raise_api_connection_error_with_cause(
    mock_api: aioresponses, transport: Transport
) -> None:
    for _ in range(3):
        mock_api.get(SITES, exception=aiohttp.ServerDisconnectedError())

    with pytest.raises(errors.APIConnectionError) as caught:
        await transport.request("GET", "/v1/sites")

    assert type(caught.value) is errors.APIConnectionError
    assert isinstance(caught.value.__cause__, aiohttp.ServerDisconnectedError)
    assert (caught.value.attempts, caught.value.method, caught.value.url) == (3, "GET", SITES)
    assert len(calls(mock_api, "GET", SITES)) == 3


async def test_exhausted_retries_on_timeouts_raise_api_timeout_error(
    mock_api: aioresponses, transport: Transport
) -> None:
    for _ in range(3):
        mock_api.get(SITES, timeout=True)

    with pytest.raises(errors.APITimeoutError) as caught:
        await transport.request("GET", "/v1/sites")

    assert isinstance(caught.value.__cause__, TimeoutError)
    assert len(calls(mock_api, "GET", SITES)) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 418])
async def test_client_errors_and_conflicts_are_never_retried(
    mock_api: aioresponses, transport: Transport, sleeps: RecordingSleep, status: int
) -> None:
    mock_api.post(COMMISSION, status=status, payload={"detail": "no"}, repeat=True)

    with pytest.raises(errors.APIStatusError) as caught:
        await transport.request("POST", "/v1/commission", body=b"{}", max_retries=5)

    assert caught.value.status_code == status
    assert len(calls(mock_api, "POST", COMMISSION)) == 1
    assert sleeps.delays == []


async def test_certificate_errors_are_not_retried(mock_api: aioresponses, transport: Transport) -> None:
    key = ConnectionKey("api.flip.test", 443, True, True, None, None, None)
    mock_api.get(SITES, exception=aiohttp.ClientConnectorCertificateError(key, ValueError("self-signed")), repeat=True)

    with pytest.raises(errors.APIConnectionError):
        await transport.request("GET", "/v1/sites")

    assert len(calls(mock_api, "GET", SITES)) == 1


async def test_per_call_max_retries_overrides_the_default(mock_api: aioresponses, transport: Transport) -> None:
    mock_api.get(SITES, status=503, repeat=True)

    with pytest.raises(errors.InternalServerError):
        await transport.request("GET", "/v1/sites", max_retries=0)
    assert len(calls(mock_api, "GET", SITES)) == 1

    with pytest.raises(errors.InternalServerError) as caught:
        await transport.request("GET", "/v1/sites", max_retries=5)
    assert caught.value.attempts == 6
    assert len(calls(mock_api, "GET", SITES)) == 7


async def test_per_call_timeout_overrides_the_default_per_attempt(
    mock_api: aioresponses, make_transport: MakeTransport
) -> None:
    mock_api.get(SITES, body=b"[]", repeat=True)
    transport = make_transport(timeout=12.0)

    await transport.request("GET", "/v1/sites")
    await transport.request("GET", "/v1/sites", timeout=0.75)

    timeouts = [call.kwargs["timeout"] for call in calls(mock_api, "GET", SITES)]
    assert timeouts == [aiohttp.ClientTimeout(total=12.0), aiohttp.ClientTimeout(total=0.75)]


# --- retry delays ------------------------------------------------------------------------------------------------


def _http_date(seconds_from_now: float) -> str:
    return email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True)


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        pytest.param({"Retry-After": "3"}, 3.0, 3.0, id="seconds"),
        pytest.param({"Retry-After": "1.25"}, 1.25, 1.25, id="fractional-seconds"),
        pytest.param({"retry-after-ms": "1500"}, 1.5, 1.5, id="ms"),
        pytest.param({"retry-after-ms": "250.5", "Retry-After": "9"}, 0.2505, 0.2505, id="ms-wins"),
        pytest.param({"Retry-After": "__DATE+10__"}, 8.0, 10.0, id="http-date"),
        pytest.param({"Retry-After": "3600"}, 60.0, 60.0, id="seconds-capped"),
        pytest.param({"Retry-After": "__DATE+7200__"}, 60.0, 60.0, id="http-date-capped"),
        pytest.param({"Retry-After": "__DATE-60__"}, 0.0, 0.0, id="http-date-in-the-past"),
        pytest.param({"Retry-After": "soon"}, 0.0, 0.5, id="unparsable-falls-back-to-backoff"),
        pytest.param({"Retry-After": "-5"}, 0.0, 0.5, id="negative-falls-back-to-backoff"),
        pytest.param({}, 0.0, 0.5, id="none-uses-backoff"),
    ],
)
async def test_retry_after_is_honoured_and_capped(
    mock_api: aioresponses,
    transport: Transport,
    sleeps: RecordingSleep,
    headers: dict[str, str],
    low: float,
    high: float,
) -> None:
    sent = {
        key: _http_date(float(value.removeprefix("__DATE").removesuffix("__"))) if value.startswith("__DATE") else value
        for key, value in headers.items()
    }
    mock_api.get(SITES, status=429, headers=sent)
    mock_api.get(SITES, body=b"[]")

    response = await transport.request("GET", "/v1/sites")

    assert response.attempts == 2
    assert len(sleeps.delays) == 1
    assert low <= sleeps.delays[0] <= high


async def test_retry_after_cap_is_configurable(
    mock_api: aioresponses, make_transport: MakeTransport, sleeps: RecordingSleep
) -> None:
    mock_api.get(SITES, status=503, headers={"Retry-After": "30"})
    mock_api.get(SITES, body=b"[]")

    await make_transport(retry_policy=RetryPolicy(max_retry_after=10.0)).request("GET", "/v1/sites")

    assert sleeps.delays == [10.0]


def test_retry_after_seconds_parses_an_http_date_against_now() -> None:
    now = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds({"Retry-After": "Sun, 01 Nov 2026 12:00:42 GMT"}, now=lambda: now) == 42.0
    assert retry_after_seconds({"Retry-After": "Sun, 01 Nov 2026 11:00:00 GMT"}, now=lambda: now) == 0.0
    assert retry_after_seconds({"Retry-After": "nan"}) is None
    assert retry_after_seconds({"retry-after-ms": "inf"}) is None


def test_backoff_is_exponential_capped_and_jittered_below_the_ceiling() -> None:
    exact = RetryPolicy(jitter=False)
    assert [exact.backoff(retry) for retry in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    jittered = RetryPolicy()
    assert jittered.backoff(3, rand=lambda: 0.5) == 1.0
    assert all(0.0 <= jittered.backoff(4) <= 4.0 for _ in range(200))
    assert RetryPolicy.immediate().delay(5, {"Retry-After": "30"}) == 0.0
    with pytest.raises(ValueError, match="max_delay"):
        RetryPolicy(max_delay=-1)


async def test_backoff_grows_across_retries(
    mock_api: aioresponses, make_transport: MakeTransport, sleeps: RecordingSleep
) -> None:
    mock_api.get(SITES, status=502, repeat=4)
    mock_api.get(SITES, body=b"[]")

    await make_transport(max_retries=4, retry_policy=RetryPolicy(jitter=False)).request("GET", "/v1/sites")

    assert sleeps.delays == [0.5, 1.0, 2.0, 4.0]


# --- cancellation ------------------------------------------------------------------------------------------------


async def test_cancellation_inside_a_request_propagates_and_is_not_retried(
    mock_api: aioresponses, transport: Transport, sleeps: RecordingSleep
) -> None:
    entered = asyncio.Event()

    async def hang(url: URL, **_: Any) -> CallbackResult:
        entered.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    mock_api.post(COMMISSION, callback=hang, repeat=True)
    task = asyncio.create_task(transport.request("POST", "/v1/commission", body=b"{}"))
    await entered.wait()
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(calls(mock_api, "POST", COMMISSION)) == 1
    assert sleeps.delays == []


async def test_cancellation_raised_by_the_http_layer_is_not_swallowed(
    mock_api: aioresponses, transport: Transport
) -> None:
    mock_api.get(SITES, exception=asyncio.CancelledError(), repeat=True)

    with pytest.raises(asyncio.CancelledError):
        await transport.request("GET", "/v1/sites")
    assert len(calls(mock_api, "GET", SITES)) == 1


async def test_cancellation_during_the_retry_wait_propagates(
    mock_api: aioresponses, make_transport: MakeTransport
) -> None:
    async def cancelled_sleep(delay: float) -> None:
        raise asyncio.CancelledError

    mock_api.get(SITES, status=503, repeat=True)

    with pytest.raises(asyncio.CancelledError):
        await make_transport(sleep=cancelled_sleep).request("GET", "/v1/sites")
    assert len(calls(mock_api, "GET", SITES)) == 1


# --- logging and secrets -----------------------------------------------------------------------------------------


async def test_one_debug_record_per_attempt_and_one_warning_per_retry(
    mock_api: aioresponses, transport: Transport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="flip_async")
    mock_api.post(COMMISSION, status=503, headers={"Retry-After": "2"})
    mock_api.post(COMMISSION, exception=aiohttp.ServerDisconnectedError())
    mock_api.post(COMMISSION, body=b"{}")

    await transport.request("POST", "/v1/commission", body=b"{}")

    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and r.name == "flip_async"]
    assert len(debug) == 3
    assert re.fullmatch(r"POST /v1/commission -> 503 \(attempt 1, \d+\.\d ms\)", debug[0])
    assert re.fullmatch(r"POST /v1/commission -> ServerDisconnectedError \(attempt 2, \d+\.\d ms\)", debug[1])
    assert re.fullmatch(r"POST /v1/commission -> 200 \(attempt 3, \d+\.\d ms\)", debug[2])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0] == "Retrying POST /v1/commission in 2.000 s (retry 1 of 2) after HTTP 503"
    assert warnings[1].startswith("Retrying POST /v1/commission in ")
    assert warnings[1].endswith("(retry 2 of 2) after ServerDisconnectedError: Server disconnected")


def _everything_said_about(error: BaseException) -> str:
    """str, repr and attributes of an error and of every exception chained to it."""
    said: list[str] = []
    chain: list[BaseException] = []
    seen: BaseException | None = error
    while seen is not None and seen not in chain:
        chain.append(seen)
        said += [str(seen), repr(seen), repr(vars(seen)), repr(seen.args)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(said)


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter()
    said = []
    for record in caplog.records:
        said += [record.getMessage(), repr(record.args), repr(vars(record))]
        if record.exc_info:
            said.append(formatter.formatException(record.exc_info))
    return "\n".join(said)


async def test_tokens_never_appear_in_logs_errors_or_reprs(
    mock_api: aioresponses, make_transport: MakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    transport = make_transport()
    raised: list[BaseException] = []
    echo = {"detail": f"invalid token: Bearer {SITE_TOKEN}", "echo": {"authorization": f"Bearer {TOKEN}"}}
    url = URL(SITES)
    leaky_info = aiohttp.RequestInfo(
        url, "GET", CIMultiDictProxy(CIMultiDict({"Authorization": f"Bearer {TOKEN}"})), url
    )
    mock_api.get(SITES, status=503)
    mock_api.get(SITES, exception=aiohttp.ServerDisconnectedError())
    mock_api.get(SITES, body=b"[]")
    mock_api.get(SITES, exception=aiohttp.ClientResponseError(leaky_info, (), status=400, message="bad"), repeat=3)
    mock_api.get(SITES, status=401, payload=echo, headers={"x-echo": f"Bearer {SITE_TOKEN}"})
    mock_api.get(SITES, timeout=True, repeat=3)

    response = await transport.request("GET", "/v1/sites")
    for token in (None, SITE_TOKEN, None):
        with pytest.raises(errors.APIError) as caught:
            await transport.request("GET", "/v1/sites", token=token)
        raised.append(caught.value)
    with pytest.raises(ValueError, match="token") as invalid:
        await transport.request("GET", "/v1/sites", token=f"{TOKEN}\r\nX-Injected: 1")
    raised.append(invalid.value)

    assert response.attempts == 3
    assert [type(error) for error in raised] == [
        errors.APIConnectionError,
        errors.AuthenticationError,
        errors.APITimeoutError,
        ValueError,
    ]
    everything = _everything_logged(caplog) + repr(transport) + repr(response)
    everything += "".join(_everything_said_about(error) for error in raised)
    for secret in ("5ecret", TOKEN, SITE_TOKEN):
        assert secret not in everything
    assert "[redacted]" in str(raised[1])


def test_transport_repr_hides_the_token_and_needs_no_event_loop() -> None:
    transport = Transport(BASE, TOKEN)
    assert TOKEN not in repr(transport)
    assert repr(transport).startswith("Transport(base_url='https://api.flip.test'")


# --- lifecycle and argument checks -------------------------------------------------------------------------------


async def test_aclose_is_idempotent_and_blocks_further_requests(mock_api: aioresponses) -> None:
    mock_api.get(SITES, body=b"[]")
    transport = Transport(BASE, TOKEN)
    await transport.request("GET", "/v1/sites")

    await transport.aclose()
    await transport.aclose()

    assert transport.closed
    with pytest.raises(RuntimeError, match="closed"):
        await transport.request("GET", "/v1/sites")


async def test_async_with_closes_and_closing_an_unused_transport_is_fine() -> None:
    async with Transport(BASE, TOKEN) as transport:
        pass
    assert transport.closed


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"base_url": "api.flip.test"}, "base_url"),
        ({"base_url": "ftp://api.flip.test"}, "base_url"),
        ({"token": ""}, "token"),
        ({"token": "has space"}, "token"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"connection_limit": 0}, "connection_limit"),
    ],
)
def test_constructor_rejects_bad_arguments(arguments: dict[str, Any], complaint: str) -> None:
    options = {"base_url": BASE, "token": TOKEN, **arguments}
    with pytest.raises(ValueError, match=complaint) as caught:
        Transport(options.pop("base_url"), options.pop("token"), **options)
    assert "has space" not in str(caught.value)


async def test_per_call_arguments_are_checked_before_sending(mock_api: aioresponses, transport: Transport) -> None:
    with pytest.raises(ValueError, match="timeout"):
        await transport.request("GET", "/v1/sites", timeout=-1)
    with pytest.raises(ValueError, match="max_retries"):
        await transport.request("GET", "/v1/sites", max_retries=-2)
    assert mock_api.requests == {}


async def test_response_is_a_frozen_value(mock_api: aioresponses, transport: Transport) -> None:
    mock_api.get(SITES, body=b"[]")
    response = await transport.request("GET", "/v1/sites")
    assert isinstance(response, Response)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        response.status = 500  # type: ignore[misc]
