"""The transport against aioresponses: what goes on the wire, retries, cancellation, logging and secrets."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import attrs
import pytest
from aiohttp.client_reqrep import ConnectionKey
from aioresponses import CallbackResult, aioresponses
from multidict import CIMultiDict, CIMultiDictProxy
from support import BASE, TOKEN, calls, request, sent_headers
from yarl import URL

from flip_async import errors
from flip_async._retry import RETRYABLE_STATUSES, RetryPolicy
from flip_async._transport import Response, Transport
from flip_async._version import __version__

if TYPE_CHECKING:
    from conftest import MakeTransport, RecordingSleep

SITE_TOKEN = "tok_site_5ecret_ALSO_PRIVATE_77aa"
COMMISSION = f"{BASE}/v1/commission"
SITES = f"{BASE}/v1/sites"


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

    response = await request(transport, "POST", "/v1/commission", body=b'{"site":{}}')

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

    await request(transport, "GET", "/v1/sites")

    headers = sent_headers(mock_api, "GET", SITES)
    assert "Content-Type" not in headers
    assert headers["Accept"] == "application/json"


async def test_token_override_replaces_the_client_token_for_one_call(
    mock_api: aioresponses, transport: Transport
) -> None:
    url = f"{BASE}/v1/site/abc-789"
    mock_api.get(url, body=b"{}", repeat=2)

    await request(transport, "GET", "/v1/site/abc-789", token=SITE_TOKEN)
    await request(transport, "GET", "/v1/site/abc-789")

    assert sent_headers(mock_api, "GET", url, 0)["Authorization"] == f"Bearer {SITE_TOKEN}"
    assert sent_headers(mock_api, "GET", url, 1)["Authorization"] == f"Bearer {TOKEN}"


async def test_user_agent_appends_the_callers_product_token(
    mock_api: aioresponses, make_transport: MakeTransport
) -> None:
    mock_api.get(SITES, body=b"[]")

    await request(make_transport(user_agent="fleet-service/4.2"), "GET", "/v1/sites")

    agent = sent_headers(mock_api, "GET", SITES)["User-Agent"]
    assert re.fullmatch(rf"flip-async/{re.escape(__version__)} python/\d+\.\d+ aiohttp/\S+ fleet-service/4\.2", agent)


async def test_repeated_query_params_are_all_sent(mock_api: aioresponses, transport: Transport) -> None:
    seen: list[URL] = []

    def record(url: URL, **_: Any) -> CallbackResult:
        seen.append(url)
        return CallbackResult(body=b"[]")

    mock_api.get(re.compile(r"^https://api\.flip\.test/v1/sites\?.*$"), callback=record)

    await request(transport, "GET", "/v1/sites", params={"status": ["ACTIVE", "PENDING"], "page": "2"})

    assert seen[0].query.getall("status") == ["ACTIVE", "PENDING"]
    assert seen[0].query["page"] == "2"


async def test_base_url_path_prefix_is_kept(mock_api: aioresponses, make_transport: MakeTransport) -> None:
    mock_api.get("https://gw.flip.test/api/v1/sites", body=b"[]")

    response = await request(make_transport(base_url="https://gw.flip.test/api/"), "GET", "v1/sites")

    assert response.status == 200


async def test_response_carries_headers_request_id_and_a_short_repr(
    mock_api: aioresponses, transport: Transport
) -> None:
    mock_api.get(SITES, body=b"x" * 5000, headers={"Request-Id": "req-9"})

    response = await request(transport, "GET", "/v1/sites")

    assert isinstance(response.headers, CIMultiDictProxy)
    assert response.request_id == "req-9"
    assert "<5000 bytes>" in repr(response)
    assert response.elapsed >= 0


# --- retries -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("failures", [0, 1, 2])
async def test_failures_then_success_within_the_budget(
    mock_api: aioresponses, transport: Transport, sleeps: RecordingSleep, failures: int
) -> None:
    for _ in range(failures):
        mock_api.post(COMMISSION, status=503)
    mock_api.post(COMMISSION, body=b'{"ok":1}')

    response = await request(transport, "POST", "/v1/commission", body=b"{}")

    assert (response.status, response.attempts) == (200, failures + 1)
    assert len(calls(mock_api, "POST", COMMISSION)) == failures + 1
    assert len(sleeps.delays) == failures


@pytest.mark.parametrize("status", sorted(RETRYABLE_STATUSES))
async def test_every_retryable_status_is_retried(mock_api: aioresponses, transport: Transport, status: int) -> None:
    mock_api.get(SITES, status=status)
    mock_api.get(SITES, body=b"[]")

    response = await request(transport, "GET", "/v1/sites")

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

    response = await request(transport, "POST", "/v1/commission", body=b"{}")

    assert response.attempts == 2


async def test_exhausted_retries_on_a_status_raise_that_status_error_with_its_body(
    mock_api: aioresponses, transport: Transport, sleeps: RecordingSleep
) -> None:
    for attempt in range(3):
        mock_api.post(COMMISSION, status=503, payload={"message": f"overloaded {attempt}"})

    with pytest.raises(errors.InternalServerError) as caught:
        await request(transport, "POST", "/v1/commission", body=b"{}")

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
        await request(transport, "GET", "/v1/sites")

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
        await request(transport, "GET", "/v1/sites")

    assert isinstance(caught.value.__cause__, TimeoutError)
    assert len(calls(mock_api, "GET", SITES)) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 418])
async def test_client_errors_and_conflicts_are_never_retried(
    mock_api: aioresponses, transport: Transport, sleeps: RecordingSleep, status: int
) -> None:
    mock_api.post(COMMISSION, status=status, payload={"detail": "no"}, repeat=True)

    with pytest.raises(errors.APIStatusError) as caught:
        await request(transport, "POST", "/v1/commission", body=b"{}", max_retries=5)

    assert caught.value.status_code == status
    assert len(calls(mock_api, "POST", COMMISSION)) == 1
    assert sleeps.delays == []


async def test_certificate_errors_are_not_retried(mock_api: aioresponses, transport: Transport) -> None:
    key = ConnectionKey("api.flip.test", 443, True, True, None, None, None)
    mock_api.get(SITES, exception=aiohttp.ClientConnectorCertificateError(key, ValueError("self-signed")), repeat=True)

    with pytest.raises(errors.APIConnectionError):
        await request(transport, "GET", "/v1/sites")

    assert len(calls(mock_api, "GET", SITES)) == 1


async def test_per_call_max_retries_overrides_the_default(mock_api: aioresponses, transport: Transport) -> None:
    mock_api.get(SITES, status=503, repeat=True)

    with pytest.raises(errors.InternalServerError):
        await request(transport, "GET", "/v1/sites", max_retries=0)
    assert len(calls(mock_api, "GET", SITES)) == 1

    with pytest.raises(errors.InternalServerError) as caught:
        await request(transport, "GET", "/v1/sites", max_retries=5)
    assert caught.value.attempts == 6
    assert len(calls(mock_api, "GET", SITES)) == 7


async def test_per_call_timeout_overrides_the_default_per_attempt(
    mock_api: aioresponses, make_transport: MakeTransport
) -> None:
    mock_api.get(SITES, body=b"[]", repeat=True)
    transport = make_transport(timeout=12.0)

    await request(transport, "GET", "/v1/sites")
    await request(transport, "GET", "/v1/sites", timeout=0.75)

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

    response = await request(transport, "GET", "/v1/sites")

    assert response.attempts == 2
    assert len(sleeps.delays) == 1
    assert low <= sleeps.delays[0] <= high


async def test_retry_after_cap_is_configurable(
    mock_api: aioresponses, make_transport: MakeTransport, sleeps: RecordingSleep
) -> None:
    mock_api.get(SITES, status=503, headers={"Retry-After": "30"})
    mock_api.get(SITES, body=b"[]")

    await request(make_transport(retry_policy=RetryPolicy(max_retry_after=10.0)), "GET", "/v1/sites")

    assert sleeps.delays == [10.0]


async def test_backoff_grows_across_retries(
    mock_api: aioresponses, make_transport: MakeTransport, sleeps: RecordingSleep
) -> None:
    mock_api.get(SITES, status=502, repeat=4)
    mock_api.get(SITES, body=b"[]")

    await request(make_transport(max_retries=4, retry_policy=RetryPolicy(jitter=False)), "GET", "/v1/sites")

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
    task = asyncio.create_task(request(transport, "POST", "/v1/commission", body=b"{}"))
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
        await request(transport, "GET", "/v1/sites")
    assert len(calls(mock_api, "GET", SITES)) == 1


async def test_cancellation_during_the_retry_wait_propagates(
    mock_api: aioresponses, make_transport: MakeTransport
) -> None:
    async def cancelled_sleep(delay: float) -> None:
        raise asyncio.CancelledError

    mock_api.get(SITES, status=503, repeat=True)

    with pytest.raises(asyncio.CancelledError):
        await request(make_transport(sleep=cancelled_sleep), "GET", "/v1/sites")
    assert len(calls(mock_api, "GET", SITES)) == 1


# --- logging and secrets -----------------------------------------------------------------------------------------


async def test_one_debug_record_per_attempt_and_one_warning_per_retry(
    mock_api: aioresponses, transport: Transport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="flip_async")
    mock_api.post(COMMISSION, status=503, headers={"Retry-After": "2"})
    mock_api.post(COMMISSION, exception=aiohttp.ServerDisconnectedError())
    mock_api.post(COMMISSION, body=b"{}")

    await request(transport, "POST", "/v1/commission", body=b"{}")

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

    response = await request(transport, "GET", "/v1/sites")
    for token in (None, SITE_TOKEN, None):
        with pytest.raises(errors.APIError) as caught:
            await request(transport, "GET", "/v1/sites", token=token)
        raised.append(caught.value)
    with pytest.raises(ValueError, match="token") as invalid:
        await request(transport, "GET", "/v1/sites", token=f"{TOKEN}\r\nX-Injected: 1")
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
    await request(transport, "GET", "/v1/sites")

    await transport.aclose()
    await transport.aclose()

    assert transport.closed
    with pytest.raises(RuntimeError, match="closed"):
        await request(transport, "GET", "/v1/sites")


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
        await request(transport, "GET", "/v1/sites", timeout=-1)
    with pytest.raises(ValueError, match="max_retries"):
        await request(transport, "GET", "/v1/sites", max_retries=-2)
    assert mock_api.requests == {}


async def test_response_is_a_frozen_value(mock_api: aioresponses, transport: Transport) -> None:
    mock_api.get(SITES, body=b"[]")
    response = await request(transport, "GET", "/v1/sites")
    assert isinstance(response, Response)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        response.status = 500  # type: ignore[misc]
