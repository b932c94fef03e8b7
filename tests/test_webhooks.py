"""Webhooks: Standard Webhooks verification, typed events, and the aiohttp receiver on a real 127.0.0.1 server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDict, CIMultiDictProxy

from flip_async import models
from flip_async.errors import FlipError, Problem
from flip_async.webhooks import (
    DEFAULT_PATH,
    WebhookEvent,
    WebhookPayloadError,
    WebhookReceiver,
    WebhookVerificationError,
    WebhookVerifier,
    parse_event,
    sign,
    signed_headers,
    webhook_app,
)

# The example in the Standard Webhooks specification's README.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SECRET_BASE64 = SECRET.removeprefix("whsec_")
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
OTHER_SECRET = "whsec_" + base64.b64encode(b"another endpoint's key, 32 bytes").decode()

NOW = 1_746_000_000  # the injected clock of the receiver tests


def vector_headers(**overrides: str) -> dict[str, str]:
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    headers.update(overrides)
    return headers


def verifier_at(now: float, secret: str = SECRET, **kwargs: Any) -> WebhookVerifier:
    return WebhookVerifier(secret, clock=lambda: now, **kwargs)


def failure(verifier: WebhookVerifier, headers: dict[str, str], body: bytes = VECTOR_BODY) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        verifier.verify(headers, body)
    return str(caught.value)


# ---------------------------------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------------------------------


def test_published_vector_matches_hmac_sha256_of_id_timestamp_body() -> None:
    key = base64.b64decode(SECRET_BASE64)
    content = f"{VECTOR_ID}.{VECTOR_TIMESTAMP}.".encode() + VECTOR_BODY
    computed = "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    assert computed == VECTOR_SIGNATURE
    assert sign(SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_published_vector_verifies() -> None:
    verifier_at(VECTOR_TIMESTAMP).verify(vector_headers(), VECTOR_BODY)


def test_signed_headers_round_trip_with_fresh_id_and_current_time() -> None:
    body = b'{"event_type": "command.created"}'
    headers = signed_headers(SECRET, body)
    assert headers["webhook-id"].startswith("msg_")
    assert headers["webhook-id"] != signed_headers(SECRET, body)["webhook-id"]
    WebhookVerifier(SECRET).verify(headers, body)  # the real clock: the default timestamp is now


def test_signed_headers_uses_the_given_id_and_timestamp() -> None:
    headers = signed_headers(SECRET, VECTOR_BODY, webhook_id=VECTOR_ID, timestamp=VECTOR_TIMESTAMP)
    assert headers == vector_headers()


def test_any_matching_v1_entry_is_enough_and_other_versions_are_ignored() -> None:
    forged = "v1," + base64.b64encode(b"x" * 32).decode()
    header = f"v1a,c2lnbmVkIHdpdGggZWQyNTUxOQ== {forged}  {VECTOR_SIGNATURE} v2,whatever"
    verifier_at(VECTOR_TIMESTAMP).verify(vector_headers(**{"webhook-signature": header}), VECTOR_BODY)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param(vector_headers(), b'{"test": 2432232315}', id="body"),
        pytest.param(vector_headers(), VECTOR_BODY + b" ", id="body-whitespace"),
        pytest.param(vector_headers(**{"webhook-id": "msg_other"}), VECTOR_BODY, id="id"),
        pytest.param(vector_headers(**{"webhook-timestamp": str(VECTOR_TIMESTAMP + 1)}), VECTOR_BODY, id="timestamp"),
        pytest.param(vector_headers(**{"webhook-timestamp": f"0{VECTOR_TIMESTAMP}"}), VECTOR_BODY, id="timestamp-text"),
    ],
)
def test_tampering_with_any_signed_part_fails(headers: dict[str, str], body: bytes) -> None:
    message = failure(verifier_at(VECTOR_TIMESTAMP), headers, body)
    assert message.startswith("no signature in the webhook-signature header matches")


def test_wrong_secret_fails() -> None:
    message = failure(verifier_at(VECTOR_TIMESTAMP, OTHER_SECRET), vector_headers())
    assert "no signature in the webhook-signature header matches" in message


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
@pytest.mark.parametrize("value", [None, "", "  "])
def test_missing_or_empty_header_is_named(name: str, value: str | None) -> None:
    headers = vector_headers()
    if value is None:
        del headers[name]
    else:
        headers[name] = value
    assert failure(verifier_at(VECTOR_TIMESTAMP), headers) == f"the {name} header is missing or empty"


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("yesterday", "is not a whole number of seconds since 1970"),
        ("1614265330.5", "is not a whole number of seconds since 1970"),
        ("-1614265330", "is not a whole number of seconds since 1970"),
        ("+1614265330", "is not a whole number of seconds since 1970"),
        ("1_614_265_330", "is not a whole number of seconds since 1970"),
        ("١٦١٤٢٦٥٣٣٠", "is not a whole number of seconds since 1970"),  # Arabic-Indic digits: int() reads them
        ("9" * 5000, "is not a plausible time"),
    ],
)
def test_malformed_timestamp(timestamp: str, expected: str) -> None:
    headers = vector_headers(**{"webhook-timestamp": timestamp})
    assert failure(verifier_at(VECTOR_TIMESTAMP), headers) == f"the webhook-timestamp header {expected}"


def test_too_old_says_by_how_much() -> None:
    message = failure(verifier_at(VECTOR_TIMESTAMP + 301), vector_headers())
    assert message.startswith("webhook-timestamp is 301 s old, more than the 300 s tolerance")


def test_too_new_says_by_how_much() -> None:
    message = failure(verifier_at(VECTOR_TIMESTAMP - 300.5), vector_headers())
    assert message.startswith("webhook-timestamp is 300.5 s in the future, more than the 300 s tolerance")


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_exactly_at_the_tolerance_edge_is_accepted(offset: int) -> None:
    verifier_at(VECTOR_TIMESTAMP + offset).verify(vector_headers(), VECTOR_BODY)


def test_tolerance_is_configurable() -> None:
    ten_minutes = verifier_at(VECTOR_TIMESTAMP + 599, tolerance=timedelta(minutes=10))
    ten_minutes.verify(vector_headers(), VECTOR_BODY)
    message = failure(verifier_at(VECTOR_TIMESTAMP + 2, tolerance=timedelta(seconds=1)), vector_headers())
    assert message.startswith("webhook-timestamp is 2 s old, more than the 1 s tolerance")


def test_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="tolerance must not be negative"):
        WebhookVerifier(SECRET, tolerance=timedelta(seconds=-1))


def test_no_v1_signature() -> None:
    headers = vector_headers(**{"webhook-signature": "v1a,c2ln v2,abc garbage"})
    assert failure(verifier_at(VECTOR_TIMESTAMP), headers) == "the webhook-signature header has no 'v1,' signature"


def test_secret_without_prefix_is_the_raw_base64() -> None:
    verifier_at(VECTOR_TIMESTAMP, SECRET_BASE64).verify(vector_headers(), VECTOR_BODY)
    assert sign(SECRET_BASE64, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_secret_with_surrounding_whitespace_is_accepted() -> None:
    verifier_at(VECTOR_TIMESTAMP, f"  {SECRET}\n").verify(vector_headers(), VECTOR_BODY)


@pytest.mark.parametrize(
    "secret",
    ["whsec_MfKQ9r8GKYqrTwjU!D8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "whsec_", "", None, b"bytes"],
)
def test_invalid_secret_is_refused_without_echoing_it(secret: Any) -> None:
    with pytest.raises(
        ValueError, match="webhook secret must be non-empty base64, optionally prefixed with 'whsec_'"
    ) as caught:
        WebhookVerifier(secret)
    with pytest.raises(ValueError, match="webhook secret"):
        sign(secret, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    assert "MfKQ9r8" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None  # no decoder error (which might quote the input) rides along


def test_non_utf8_header_bytes_are_signed_as_sent() -> None:
    webhook_id = b"msg_\xff".decode("utf-8", "surrogateescape")  # how aiohttp hands over a non-UTF-8 header
    headers = signed_headers(SECRET, VECTOR_BODY, webhook_id=webhook_id, timestamp=VECTOR_TIMESTAMP)
    verifier_at(VECTOR_TIMESTAMP).verify(headers, VECTOR_BODY)
    key = base64.b64decode(SECRET_BASE64)
    digest = hmac.new(key, b"msg_\xff.%d.%s" % (VECTOR_TIMESTAMP, VECTOR_BODY), hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {
                "Webhook-Id": VECTOR_ID,
                "WEBHOOK-TIMESTAMP": str(VECTOR_TIMESTAMP),
                "webhook-Signature": VECTOR_SIGNATURE,
            },
            id="dict",
        ),
        pytest.param(CIMultiDictProxy(CIMultiDict(vector_headers())), id="CIMultiDictProxy"),
    ],
)
def test_header_names_are_case_insensitive(headers: Any) -> None:
    verifier_at(VECTOR_TIMESTAMP).verify(headers, VECTOR_BODY)


def test_the_secret_and_signatures_never_appear_in_messages_or_reprs() -> None:
    verifier = verifier_at(VECTOR_TIMESTAMP)
    other = verifier_at(VECTOR_TIMESTAMP, OTHER_SECRET)
    messages = [
        repr(verifier),
        str(verifier),
        failure(other, vector_headers()),
        failure(verifier, vector_headers(), b"tampered"),
        failure(verifier_at(VECTOR_TIMESTAMP + 1000), vector_headers()),
        failure(verifier, vector_headers(**{"webhook-signature": "v2,abc"})),
    ]
    for message in messages:
        for secret_part in (SECRET, SECRET_BASE64, OTHER_SECRET, VECTOR_SIGNATURE, VECTOR_SIGNATURE[3:]):
            assert secret_part not in message
    assert repr(verifier) == "WebhookVerifier(tolerance=datetime.timedelta(seconds=300))"


def test_verification_error_is_a_flip_error() -> None:
    assert issubclass(WebhookVerificationError, FlipError)
    assert issubclass(WebhookPayloadError, FlipError)


# ---------------------------------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------------------------------

# REFERENCE §3.6's example command, with the documentation's space-separated date-times.
COMMAND = {
    "object_type": "command",
    "id": "497f6eca-6276-4993-bfeb-53cbbbba6f08",
    "event_id": "70c1146b-e933-4cb2-a789-bbca5312b517",
    "device_id": "xyz-123",
    "starts_at": "2025-04-30 12:00:00.000Z",
    "ends_at": "2025-04-30 14:00:00.000Z",
    "duration_s": 7200,
    "is_preparatory_action": True,
    "battery_commands": {
        "mode": "BACKUP",
        "power_mode": "FOLLOW_LOAD",
        "setpoint_w": 5000,
        "enable_grid_import": True,
        "enable_grid_export": True,
        "backup_reserve_percentage": 20,
        "maximum_charge_percentage": 90,
    },
    "status": "CANCELED",
    "device_status": "FAILED_OFFLINE",
    "device_status_reason": "Command scheduled",
    "created_at": "2025-04-30 11:00:00.000Z",
    "updated_at": "2025-04-30 11:00:00.000Z",
}
EVENT = {
    "object_type": "event",
    "id": "5a6f3c1e-8d7b-4e52-9a1f-0c2d3e4f5a6b",
    "program_id": "70c1146b-e933-4cb2-a789-bbca5312b517",
    "site_id": "abc-789",
    "starts_at": "2025-01-15T17:00:00.000Z",
    "ends_at": None,
    "duration_s": None,
    "schedule": [{"mode": "DISCHARGE", "setpoint_w": 3000}],
}
ENROLLMENT = {
    "object_type": "enrollment",
    "id": "497f6eca-6276-4993-bfeb-53cbbbba6f08",
    "device_ids": ["xyz-123"],
    "site_id": "abc-789",
    "program_id": "70c1146b-e933-4cb2-a789-bbca5312b517",
    "enroll_method": "AUTO_ENROLL",
    "status": "PAUSED",  # in the newer webhook prose, not yet in the enum: kept as a plain string
    "status_reason": "Paused by the utility",
    "enrolled_at": "2025-01-02T03:04:05Z",
    "unenrolled_at": None,
    "program_specific_attributes": [{"name": "account_id", "value": "1234567-0"}],
    "has_agreed_to_terms_and_conditions": True,
    "terms_and_conditions_version": "2025-01-01",
}


def envelope(event_type: str, event_object: Any, **extra: Any) -> bytes:
    return orjson.dumps({"event_type": event_type, "event_object": event_object, **extra})


def test_command_created_is_a_typed_command() -> None:
    event = parse_event(envelope("command.created", COMMAND, timestamp="2025-04-30T11:00:00.000Z"), webhook_id="m1")
    assert event.type == models.WebhookEventType.COMMAND_CREATED
    assert event.object_type == "command"
    assert event.timestamp == datetime(2025, 4, 30, 11, tzinfo=UTC)
    assert event.webhook_id == "m1"
    assert event.problems == ()
    command = event.data
    assert isinstance(command, models.Command)
    assert command.device_id == "xyz-123"
    assert command.starts_at == datetime(2025, 4, 30, 12, tzinfo=UTC)
    assert command.ends_at == datetime(2025, 4, 30, 14, tzinfo=UTC)
    assert command.battery_commands.mode is models.BatteryMode.BACKUP
    assert command.battery_commands.setpoint_w == 5000
    assert command.device_status == "FAILED_OFFLINE"
    assert event.raw["event_object"] == COMMAND


def test_event_created_is_a_typed_event() -> None:
    event = parse_event(envelope("event.created", EVENT))
    assert isinstance(event.data, models.Event)
    assert event.data.site_id == "abc-789"
    assert event.data.ends_at is None
    assert event.data.schedule == [{"mode": "DISCHARGE", "setpoint_w": 3000}]
    assert event.timestamp is None  # not given


def test_enrollment_updated_is_a_typed_enrollment_and_keeps_an_unknown_status() -> None:
    event = parse_event(envelope("enrollment.updated", ENROLLMENT))
    assert isinstance(event.data, models.Enrollment)
    assert event.data.status == "PAUSED"
    assert event.problems == ()


def test_settings_apply_is_raw() -> None:
    settings = {"object_type": "settings_request", "id": "s-1", "settings": {"backup_reserve_percentage": 30}}
    event = parse_event(envelope("settings.apply", settings))
    assert event.data == settings
    assert event.object_type == "settings_request"
    assert event.problems == ()


def test_unknown_event_type_is_raw_not_an_error() -> None:
    thing = {"object_type": "tariff", "price": 0.42}
    event = parse_event(envelope("tariff.changed", thing))
    assert event.type == "tariff.changed"
    assert event.data == thing
    assert event.problems == ()


def test_missing_object_type_dispatches_by_event_type_prefix() -> None:
    older = {key: value for key, value in COMMAND.items() if key != "object_type"}
    event = parse_event(envelope("command.started", older))
    assert isinstance(event.data, models.Command)
    assert event.object_type is None


def test_object_type_wins_over_the_prefix() -> None:
    event = parse_event(envelope("command.created", {**ENROLLMENT}))
    assert isinstance(event.data, models.Enrollment)


def test_new_fields_are_ignored() -> None:
    event = parse_event(envelope("command.updated", {**COMMAND, "priority": 7}, delivery_attempt=2))
    assert isinstance(event.data, models.Command)
    assert event.raw["delivery_attempt"] == 2


def test_object_that_does_not_fit_stays_raw_with_problems() -> None:
    misfit = {key: value for key, value in COMMAND.items() if key != "starts_at"} | {"is_preparatory_action": "yes"}
    event = parse_event(envelope("command.created", misfit))
    assert event.data == misfit
    assert {problem.path for problem in event.problems} == {
        "event_object.starts_at",
        "event_object.is_preparatory_action",
    }


def test_unreadable_timestamp_is_a_problem_not_an_error() -> None:
    event = parse_event(envelope("event.created", EVENT, timestamp="soon"))
    assert event.timestamp is None
    assert isinstance(event.data, models.Event)
    assert [problem.path for problem in event.problems] == ["timestamp"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"event_type": "event.created"}', Problem(path="event_object", message="required field is missing")),
        (envelope("event.created", [EVENT]), Problem(path="event_object", message="expected an object, got an array")),
    ],
)
def test_event_object_that_is_not_an_object_is_a_problem(body: bytes, problem: Problem) -> None:
    event = parse_event(body)
    assert event.data == {}
    assert event.problems == (problem,)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"event_type=command.created", "the webhook body is not valid JSON"),
        (b"", "the webhook body is not valid JSON"),
        (b"[1, 2]", "the webhook body is an array, not a JSON object"),
        (b'"command.created"', "the webhook body is a string, not a JSON object"),
        (b"null", "the webhook body is null, not a JSON object"),
        (b'{"event_object": {}}', "the webhook body has no event_type"),
        (b'{"event_type": 5}', "the webhook body's event_type must be a string, got a number"),
        (b'{"event_type": " "}', "the webhook body's event_type is empty"),
    ],
)
def test_malformed_payload_raises(body: bytes, message: str) -> None:
    with pytest.raises(WebhookPayloadError, match="^" + message):
        parse_event(body)


# ---------------------------------------------------------------------------------------------------------------------
# The receiver, on a real server on 127.0.0.1
# ---------------------------------------------------------------------------------------------------------------------

COMMAND_BODY = envelope("command.created", COMMAND)


class Recorder:
    """An on_event callback that records each event; `behaviour` may make a call slow or raise."""

    def __init__(self) -> None:
        self.events: list[WebhookEvent] = []
        self.behaviour: Callable[[WebhookEvent], Awaitable[None]] | None = None

    async def __call__(self, event: WebhookEvent) -> None:
        if self.behaviour is not None:
            await self.behaviour(event)
        self.events.append(event)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def receiver(recorder: Recorder) -> WebhookReceiver:
    return WebhookReceiver(SECRET, recorder, clock=lambda: NOW, max_body_size=4096)


@pytest.fixture
async def client(receiver: WebhookReceiver) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client
    await receiver.drain()


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG, logger="flip_async.webhooks")
    yield
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert SECRET_BASE64 not in text


async def deliver(
    client: TestClient[web.Request, web.Application],
    body: bytes = COMMAND_BODY,
    *,
    webhook_id: str = "msg_1",
    signature: str | None = None,
) -> tuple[int, str]:
    headers = signed_headers(SECRET, body, webhook_id=webhook_id, timestamp=NOW)
    if signature is not None:
        headers["webhook-signature"] = signature
    async with client.post("/hook", data=body, headers=headers) as response:
        return response.status, await response.text()


async def test_accepted_webhook_gets_204_and_the_typed_event(
    client: TestClient[web.Request, web.Application], receiver: WebhookReceiver, recorder: Recorder
) -> None:
    assert await deliver(client) == (204, "")
    await receiver.drain()
    [event] = recorder.events
    assert isinstance(event.data, models.Command)
    assert event.webhook_id == "msg_1"


async def test_duplicate_id_gets_204_without_a_second_call(
    client: TestClient[web.Request, web.Application], receiver: WebhookReceiver, recorder: Recorder
) -> None:
    assert (await deliver(client))[0] == 204
    assert (await deliver(client))[0] == 204
    assert (await deliver(client, webhook_id="msg_2"))[0] == 204
    await receiver.drain()
    assert [event.webhook_id for event in recorder.events] == ["msg_1", "msg_2"]


async def test_dedupe_forgets_the_oldest_id_beyond_its_size(recorder: Recorder) -> None:
    receiver = WebhookReceiver(SECRET, recorder, clock=lambda: NOW, dedupe_size=2)
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for webhook_id in ("a", "b", "c", "a", "c"):
            assert (await deliver(client, webhook_id=webhook_id))[0] == 204
        await receiver.drain()
    assert [event.webhook_id for event in recorder.events] == ["a", "b", "c", "a"]


async def test_bad_signature_gets_401_and_no_call_and_the_id_is_not_burnt(
    client: TestClient[web.Request, web.Application], receiver: WebhookReceiver, recorder: Recorder
) -> None:
    forged = sign(OTHER_SECRET, "msg_1", NOW, COMMAND_BODY)
    status, text = await deliver(client, signature=forged)
    assert status == 401
    assert text.startswith("no signature in the webhook-signature header matches")
    assert SECRET_BASE64 not in text
    assert (await deliver(client))[0] == 204  # the genuine delivery with the same id still counts
    await receiver.drain()
    assert len(recorder.events) == 1


async def test_stale_webhook_gets_401(client: TestClient[web.Request, web.Application], recorder: Recorder) -> None:
    headers = signed_headers(SECRET, COMMAND_BODY, timestamp=NOW - 3600)
    async with client.post("/hook", data=COMMAND_BODY, headers=headers) as response:
        assert response.status == 401
        assert (await response.text()).startswith("webhook-timestamp is 3600 s old")
    assert recorder.events == []


async def test_malformed_body_gets_400(
    client: TestClient[web.Request, web.Application], receiver: WebhookReceiver, recorder: Recorder
) -> None:
    status, text = await deliver(client, body=b'{"event_object": {}}')
    assert (status, text) == (400, "the webhook body has no event_type")
    await receiver.drain()
    assert recorder.events == []


async def test_body_over_the_cap_gets_413(client: TestClient[web.Request, web.Application], recorder: Recorder) -> None:
    big = envelope("settings.apply", {"blob": "x" * 5000})
    assert (await deliver(client, body=big))[0] == 413
    assert recorder.events == []


async def test_chunked_body_over_the_cap_gets_413(
    client: TestClient[web.Request, web.Application], recorder: Recorder
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"x" * 2000

    headers = signed_headers(SECRET, b"", timestamp=NOW)
    async with client.post("/hook", data=chunks(), headers=headers) as response:
        assert response.status == 413
    assert recorder.events == []


async def test_a_failing_callback_is_logged_and_the_next_delivery_still_works(
    client: TestClient[web.Request, web.Application],
    receiver: WebhookReceiver,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def explode_once(event: WebhookEvent) -> None:
        if event.webhook_id == "msg_1":
            raise RuntimeError("the device cloud is down")

    recorder.behaviour = explode_once
    assert (await deliver(client))[0] == 204
    await receiver.drain()
    assert (await deliver(client, webhook_id="msg_2"))[0] == 204
    await receiver.drain()
    assert [event.webhook_id for event in recorder.events] == ["msg_2"]
    [failed] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert failed.name == "flip_async.webhooks"
    assert "msg_1" in failed.getMessage()
    assert failed.exc_info is not None
    assert isinstance(failed.exc_info[1], RuntimeError)


async def test_204_is_sent_before_a_slow_callback_finishes(
    client: TestClient[web.Request, web.Application], receiver: WebhookReceiver, recorder: Recorder
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(_: WebhookEvent) -> None:
        started.set()
        await release.wait()

    recorder.behaviour = slow
    async with asyncio.timeout(5):
        assert (await deliver(client))[0] == 204
        await started.wait()
        assert recorder.events == []  # the callback is still waiting: the 204 did not wait for it
        release.set()
        await receiver.drain()
    assert len(recorder.events) == 1


async def test_misfit_object_is_delivered_raw_and_logged(
    client: TestClient[web.Request, web.Application],
    receiver: WebhookReceiver,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    misfit = {key: value for key, value in COMMAND.items() if key != "device_id"}
    assert (await deliver(client, body=envelope("command.created", misfit)))[0] == 204
    await receiver.drain()
    assert recorder.events[0].data == misfit
    assert any("event_object.device_id" in record.getMessage() for record in caplog.records)


async def test_webhook_app_routes_the_default_path_and_drains_on_cleanup(recorder: Recorder) -> None:
    release = asyncio.Event()

    async def slow(_: WebhookEvent) -> None:
        await asyncio.sleep(0.05)
        release.set()

    recorder.behaviour = slow
    client = TestClient(TestServer(webhook_app(SECRET, recorder), host="127.0.0.1"))
    async with asyncio.timeout(5):
        async with client:
            headers = signed_headers(SECRET, COMMAND_BODY)
            async with client.post(DEFAULT_PATH, data=COMMAND_BODY, headers=headers) as response:
                assert response.status == 204
            async with client.get(DEFAULT_PATH) as response:
                assert response.status == 405
        # Leaving `async with` ran the app's cleanup, which waited for the callback.
        assert release.is_set()
    assert len(recorder.events) == 1


def test_receiver_refuses_bad_limits(recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="max_body_size"):
        WebhookReceiver(SECRET, recorder, max_body_size=0)
    with pytest.raises(ValueError, match="dedupe_size"):
        WebhookReceiver(SECRET, recorder, dedupe_size=-1)
