"""Webhooks: Standard Webhooks verification, typed events, and the aiohttp receiver on a real 127.0.0.1 server."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import time
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
    MemorySeenIds,
    SeenIds,
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
        ("9" * 5000, "is not a plausible time (it is before 2000 or after 2100)"),
        # int() reads these, and float() of them overflows: once an unauthenticated 500.
        ("9" * 309, "is not a plausible time (it is before 2000 or after 2100)"),
        ("9" * 4300, "is not a plausible time (it is before 2000 or after 2100)"),
        ("0", "is not a plausible time (it is before 2000 or after 2100)"),
        ("946684799", "is not a plausible time (it is before 2000 or after 2100)"),
        ("4102444800", "is not a plausible time (it is before 2000 or after 2100)"),
        ("0" * 5000 + "9" * 11, "is not a plausible time (it is before 2000 or after 2100)"),
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


# The variant one published version of Flip's "Webhook headers" page describes: the signed timestamp is the body's
# `timestamp` attribute, not the webhook-timestamp header.


def legacy_message(timestamp: object, *, header: int | None = None) -> tuple[dict[str, str], bytes]:
    """A message signed with the body's timestamp (as the seconds it stands for); `header` adds a header timestamp."""
    body = orjson.dumps({"event_type": "command.created", "event_object": {}, "timestamp": timestamp})
    text, seconds = str(timestamp), 0  # an unreadable timestamp is signed as anything: it is refused before that
    with contextlib.suppress(ValueError):
        seconds = int(text) if text.isdigit() else int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())
    headers = {"webhook-id": "msg_legacy", "webhook-signature": sign(SECRET, "msg_legacy", seconds, body)}
    return headers | ({} if header is None else {"webhook-timestamp": str(header)}), body


@pytest.mark.parametrize("timestamp", [NOW, str(NOW), "2025-04-30T08:00:00Z", "2025-04-30T08:00:00"])
def test_the_legacy_option_accepts_a_message_signed_with_the_bodys_timestamp(timestamp: object) -> None:
    headers, body = legacy_message(timestamp, header=NOW + 7)  # the header's own time, not the one signed
    # Refused by default: the standard way signs the header's timestamp.
    assert failure(verifier_at(NOW), headers, body).startswith("no signature in the webhook-signature header matches:")
    verifier_at(NOW, legacy_body_timestamp=True).verify(headers, body)
    del headers["webhook-timestamp"]
    verifier_at(NOW, legacy_body_timestamp=True).verify(headers, body)


def test_the_legacy_option_still_accepts_the_standard_way_and_checks_each_against_replays() -> None:
    legacy = verifier_at(VECTOR_TIMESTAMP, legacy_body_timestamp=True)
    legacy.verify(vector_headers(), VECTOR_BODY)
    headers, body = legacy_message(NOW - 301, header=NOW)  # a fresh header cannot save a stale signed timestamp
    assert failure(verifier_at(NOW, legacy_body_timestamp=True), headers, body).startswith(
        "the body's timestamp is 301 s old, more than the 300 s tolerance"
    )
    assert failure(legacy, vector_headers(**{"webhook-timestamp": ""}), VECTOR_BODY) == (
        "the webhook-timestamp header is missing or empty, and the body has no timestamp either"
    )
    headers, body = legacy_message("next tuesday")
    assert failure(legacy, headers, body) == "the body's timestamp is neither whole seconds nor an ISO 8601 date-time"
    forged = {**vector_headers(), "webhook-signature": sign(OTHER_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)}
    assert failure(legacy, forged).startswith("no signature in the webhook-signature header matches, signed with the")
    assert repr(legacy) == "WebhookVerifier(tolerance=datetime.timedelta(seconds=300), legacy_body_timestamp=True)"


async def test_a_receiver_with_the_legacy_option_acknowledges_such_a_message() -> None:
    calls: list[WebhookEvent] = []

    async def on_event(event: WebhookEvent) -> None:
        calls.append(event)

    headers, body = legacy_message(int(time.time()))
    for legacy, expected in ((False, 401), (True, 204)):
        app = webhook_app(SECRET, on_event, legacy_body_timestamp=legacy)
        async with (
            TestClient(TestServer(app, host="127.0.0.1")) as client,
            client.post(DEFAULT_PATH, data=body, headers=headers) as response,
        ):
            assert response.status == expected
    assert [event.type for event in calls] == ["command.created"]


# ---------------------------------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------------------------------

# Flip's example command (https://docs.flip.energy/api-6039923), with its space-separated date-times.
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
    # Shaped as Flip's own demo app types an event; the schedule's mode is one newer than this SDK.
    "schedule": [
        {
            "device_ids": ["xyz-123"],
            "starts_at": "2025-01-15T16:00:00.000Z",
            "ends_at": "2025-01-15T17:00:00.000Z",
            "duration_s": 3600,
            "is_preparatory_action": True,
            "mode": "PRE_COOL",
            "setpoint_w": 3000,
        }
    ],
    "status": "CANCELED",
    "is_participating": True,
    "device_settings": [{"device_id": "xyz-123", "backup_reserve_percentage": 30, "maximum_charge_percentage": None}],
    "created_at": "2025-01-14T09:00:00.000Z",
    "updated_at": "2025-01-15T12:00:00.000Z",
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


def test_event_created_is_a_typed_event_with_its_schedule_settings_and_status() -> None:
    event = parse_event(envelope("event.created", EVENT))
    assert isinstance(event.data, models.Event)
    assert event.problems == ()
    assert event.data.site_id == "abc-789"
    assert event.data.ends_at is None
    assert event.data.status == models.EventStatus.CANCELED
    assert event.data.is_participating is True
    [item] = event.data.schedule or []
    assert (item.device_ids, item.is_preparatory_action, item.duration_s) == (["xyz-123"], True, 3600)
    assert item.mode == "PRE_COOL"  # a mode Flip adds later is kept as it is; the unknown setpoint_w is ignored
    [setting] = event.data.device_settings or []
    assert setting == models.EventBatterySettings(device_id="xyz-123", backup_reserve_percentage=30)
    assert event.data.updated_at == datetime(2025, 1, 15, 12, tzinfo=UTC)
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


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


Serve = Callable[[WebhookReceiver], Awaitable["TestClient[web.Request, web.Application]"]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Serves a receiver on 127.0.0.1; drained and closed at the end of the test."""
    started: list[tuple[WebhookReceiver, TestClient[web.Request, web.Application]]] = []

    async def start(receiver: WebhookReceiver) -> TestClient[web.Request, web.Application]:
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        test_client = TestClient(TestServer(app, host="127.0.0.1"))
        await test_client.start_server()
        started.append((receiver, test_client))
        return test_client

    yield start
    for receiver, test_client in started:
        await test_client.close()
        await receiver.drain()


async def deliver_at(
    client: TestClient[web.Request, web.Application], timestamp: int, webhook_id: str = "msg_1"
) -> int:
    headers = signed_headers(SECRET, COMMAND_BODY, webhook_id=webhook_id, timestamp=timestamp)
    async with client.post("/hook", data=COMMAND_BODY, headers=headers) as response:
        return response.status


async def test_an_id_is_remembered_for_the_tolerance_whatever_the_number_of_newer_ids(
    serve: Serve, recorder: Recorder
) -> None:
    clock = Clock(NOW)
    receiver = WebhookReceiver(SECRET, recorder, clock=clock)
    client = await serve(receiver)
    assert await deliver_at(client, NOW, "a") == 204
    for number in range(300):  # far more than one old size-bounded window would have let through
        assert await deliver_at(client, NOW, f"newer-{number}") == 204
    clock.now = NOW + 299
    assert await deliver_at(client, NOW, "a") == 204
    await receiver.drain()
    assert [event.webhook_id for event in recorder.events].count("a") == 1
    assert len(recorder.events) == 301


@pytest.mark.parametrize("skew", [-300, 0, 300], ids=["timestamp-behind", "in-step", "timestamp-ahead"])
async def test_no_replay_that_passes_the_timestamp_check_counts_as_new(
    serve: Serve,
    recorder: Recorder,
    skew: int,
) -> None:
    """Accepted with a timestamp up to the tolerance off this clock, then replayed until it no longer verifies."""
    clock = Clock(NOW)
    receiver = WebhookReceiver(SECRET, recorder, clock=clock)
    client = await serve(receiver)
    timestamp = NOW + skew
    assert await deliver_at(client, timestamp) == 204
    replays = []
    for elapsed in range(0, 2 * 300 + 2, 30):
        clock.now = NOW + elapsed + 0.5
        replays.append(await deliver_at(client, timestamp))
    await receiver.drain()
    assert len(recorder.events) == 1  # every replay was either a known id (204) or stale (401)
    verifies_until = timestamp + 300
    assert replays == [204 if NOW + elapsed + 0.5 <= verifies_until else 401 for elapsed in range(0, 602, 30)]


async def test_an_id_is_forgotten_once_no_replay_of_it_can_verify(serve: Serve, recorder: Recorder) -> None:
    clock = Clock(NOW)
    receiver = WebhookReceiver(SECRET, recorder, clock=clock, tolerance=timedelta(seconds=10))
    client = await serve(receiver)
    assert await deliver_at(client, NOW) == 204
    clock.now = NOW + 2 * 10 + 1.5
    assert await deliver_at(client, NOW + 20) == 204  # a new webhook reusing the id, long after: processed again
    await receiver.drain()
    assert len(recorder.events) == 2


async def test_memory_seen_ids_stay_for_their_ttl_and_memory_holds_one_window() -> None:
    clock = Clock(0.0)
    seen = MemorySeenIds(clock=clock)
    assert isinstance(seen, SeenIds)
    assert await seen.contains_or_add("first", ttl=10) is False
    for number in range(50_000):
        clock.now = number * 0.001  # 50 seconds of 1,000 webhooks a second
        if number == 9_000:
            assert await seen.contains_or_add("first", ttl=10) is True  # 9 s later, 9,000 ids newer
        await seen.contains_or_add(f"id-{number}", ttl=10)
    assert await seen.contains_or_add("first", ttl=10) is False  # 50 s later: forgotten, remembered afresh
    assert len(seen) <= 10_002  # the ids of the last 10 seconds, not 50,000
    assert await seen.contains_or_add("id-49999", ttl=10) is True
    assert await seen.contains_or_add("id-39000", ttl=10) is False


class FlakyStore:
    """A SeenIds store (a Redis one, say) that fails while `down`, recording the ttl it is asked for."""

    def __init__(self) -> None:
        self.down = True
        self.ttls: list[float] = []
        self._memory = MemorySeenIds()

    async def contains_or_add(self, webhook_id: str, ttl: float) -> bool:
        self.ttls.append(ttl)
        if self.down:
            raise ConnectionError("redis://dedup:6379 is unreachable")
        return await self._memory.contains_or_add(webhook_id, ttl)


async def test_a_failing_dedup_store_answers_503_and_the_redelivery_is_processed(
    serve: Serve,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FlakyStore()
    receiver = WebhookReceiver(SECRET, recorder, clock=lambda: NOW, dedup=store)
    client = await serve(receiver)
    headers = signed_headers(SECRET, COMMAND_BODY, webhook_id="msg_1", timestamp=NOW)
    async with client.post("/hook", data=COMMAND_BODY, headers=headers) as response:
        assert response.status == 503
        assert response.headers["Retry-After"] == "5"
    assert any("dedup store failed" in record.getMessage() for record in caplog.records)
    store.down = False
    assert await deliver_at(client, NOW) == 204
    assert await deliver_at(client, NOW) == 204
    await receiver.drain()
    assert len(recorder.events) == 1
    assert store.ttls == [601.0] * 3  # twice the 5-minute tolerance, and a second


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


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_body_size", 0),
        ("max_pending", 0),
        ("callback_timeout", 0),
        ("callback_timeout", -1.0),
        ("callback_timeout", float("inf")),
        ("callback_timeout", float("nan")),
    ],
)
def test_receiver_refuses_bad_limits(recorder: Recorder, option: str, value: float) -> None:
    with pytest.raises(ValueError, match=option):
        WebhookReceiver(SECRET, recorder, **{option: value})


@pytest.mark.parametrize("timestamp", ["9" * 309, "9" * 4300, "9" * 5000, "-1", "1e9", "0", "99999999999"])
async def test_an_implausible_timestamp_gets_401_not_500(
    client: TestClient[web.Request, web.Application], recorder: Recorder, timestamp: str
) -> None:
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(SECRET, "msg_1", NOW, COMMAND_BODY),
    }
    async with client.post("/hook", data=COMMAND_BODY, headers=headers) as response:
        assert response.status == 401
        assert (await response.text()).startswith("the webhook-timestamp header is not a")
    assert recorder.events == []


async def never_finish(_: WebhookEvent) -> None:
    await asyncio.sleep(3600)


async def test_a_callback_past_callback_timeout_is_cancelled_and_logged_and_frees_its_slot(
    serve: Serve,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def hang_on_the_first(event: WebhookEvent) -> None:
        if event.webhook_id == "msg_1":
            await never_finish(event)

    recorder.behaviour = hang_on_the_first
    receiver = WebhookReceiver(SECRET, recorder, clock=lambda: NOW, callback_timeout=0.2, max_pending=1)
    client = await serve(receiver)
    async with asyncio.timeout(5):
        assert await deliver_at(client, NOW, "msg_1") == 204
        await receiver.drain()  # returns when the call's own timeout has ended it
        assert await deliver_at(client, NOW, "msg_2") == 204  # the one slot is free again
        await receiver.drain()
    assert [event.webhook_id for event in recorder.events] == ["msg_2"]
    [overran] = [record for record in caplog.records if "callback_timeout" in record.getMessage()]
    assert overran.levelno == logging.ERROR
    assert overran.getMessage() == (
        "on_event for webhook msg_1 (command.created) ran past callback_timeout (0.2 s) and was cancelled"
    )


async def test_a_callback_raising_its_own_timeout_error_is_logged_as_a_failure(
    serve: Serve,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def time_out(_: WebhookEvent) -> None:
        raise TimeoutError("the device cloud did not answer")

    recorder.behaviour = time_out
    receiver = WebhookReceiver(SECRET, recorder, clock=lambda: NOW)
    client = await serve(receiver)
    assert await deliver_at(client, NOW) == 204
    await receiver.drain()
    [failed] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert failed.getMessage() == "on_event failed for webhook msg_1 (command.created)"
    assert failed.exc_info is not None
    assert isinstance(failed.exc_info[1], TimeoutError)


async def test_beyond_max_pending_callbacks_a_delivery_gets_503_and_its_id_stays_new(
    serve: Serve, recorder: Recorder
) -> None:
    release = asyncio.Event()

    async def wait_for_release(_: WebhookEvent) -> None:
        await release.wait()

    recorder.behaviour = wait_for_release
    receiver = WebhookReceiver(SECRET, recorder, clock=lambda: NOW, max_pending=2)
    client = await serve(receiver)
    async with asyncio.timeout(5):
        assert await deliver_at(client, NOW, "msg_1") == 204
        assert await deliver_at(client, NOW, "msg_2") == 204
        headers = signed_headers(SECRET, COMMAND_BODY, webhook_id="msg_3", timestamp=NOW)
        async with client.post("/hook", data=COMMAND_BODY, headers=headers) as response:
            assert response.status == 503
            assert response.headers["Retry-After"] == "5"
            assert await response.text() == "2 on_event calls are running (max_pending)"
        release.set()
        await receiver.drain()
        assert await deliver_at(client, NOW, "msg_3") == 204  # Flip's re-delivery: processed, not a "duplicate"
        assert await deliver_at(client, NOW, "msg_1") == 204  # while a seen id stays seen
        await receiver.drain()
    assert sorted(event.webhook_id or "" for event in recorder.events) == ["msg_1", "msg_2", "msg_3"]


async def test_drain_returns_within_callback_timeout_and_cancels_what_still_runs(
    serve: Serve,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cancelled = asyncio.Event()

    async def shrug_off_the_first_cancellation(_: WebhookEvent) -> None:
        with contextlib.suppress(asyncio.CancelledError):  # a callback that ignores its timeout: drain() must stop it
            await asyncio.sleep(3600)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    recorder.behaviour = shrug_off_the_first_cancellation
    receiver = WebhookReceiver(SECRET, recorder, clock=lambda: NOW, callback_timeout=0.3)
    client = await serve(receiver)
    assert await deliver_at(client, NOW) == 204
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(5):
        await receiver.drain()
        returned_after = loop.time() - started
        await cancelled.wait()
    assert returned_after < 3  # the callback would have slept for an hour
    assert any(
        record.getMessage() == "drain() cancels 1 on_event calls still running after 0.3 s: webhooks msg_1"
        for record in caplog.records
    )
    assert recorder.events == []


async def test_webhook_app_takes_the_receiver_options(recorder: Recorder) -> None:
    store = FlakyStore()
    store.down = False
    recorder.behaviour = never_finish
    app = webhook_app(SECRET, recorder, max_pending=1, callback_timeout=0.2, dedup=store)
    async with asyncio.timeout(5), TestClient(TestServer(app, host="127.0.0.1")) as client:
        statuses = []
        for webhook_id in ("msg_1", "msg_2"):
            headers = signed_headers(SECRET, COMMAND_BODY, webhook_id=webhook_id)
            async with client.post(DEFAULT_PATH, data=COMMAND_BODY, headers=headers) as response:
                statuses.append(response.status)
    assert statuses == [204, 503]
    assert store.ttls == [601.0]  # msg_2 never reached the store
