"""Standard Webhooks signatures as Flip uses them: sign a message, and verify one against replays and forgeries."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta

from multidict import CIMultiDict

from flip_async import _json
from flip_async.errors import FlipError

__all__ = [
    "DEFAULT_TOLERANCE",
    "ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookVerificationError",
    "WebhookVerifier",
    "sign",
    "signed_headers",
]

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
DEFAULT_TOLERANCE = timedelta(minutes=5)

_SECRET_PREFIX = "whsec_"  # noqa: S105 (the documented prefix of every secret, not a secret)
_SIGNATURE_VERSION = "v1"
# Timestamps outside these years are no webhook's: refused before any arithmetic, so no size of number can overflow.
_EARLIEST_TIMESTAMP = 946_684_800  # 2000-01-01T00:00:00Z
_LATEST_TIMESTAMP = 4_102_444_800  # 2100-01-01T00:00:00Z


class WebhookVerificationError(FlipError):
    """A webhook failed verification: a header is missing or malformed, it is stale, or no signature matches."""


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value (`v1,<base64>`) for one message."""
    return _signature(_signing_key(secret), webhook_id, str(timestamp), body)


def signed_headers(
    secret: str, body: bytes, *, webhook_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`; a fresh id and the current time unless given."""
    webhook_id = f"msg_{uuid.uuid4().hex}" if webhook_id is None else webhook_id
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        ID_HEADER: webhook_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, webhook_id, timestamp, body),
    }


class WebhookVerifier:
    """Checks that a webhook was signed with the secret and is fresh (within `tolerance` of `clock()`).

    `legacy_body_timestamp=True` also accepts the variant that one published version of Flip's "Webhook headers"
    page describes: signed with "the timestamp attribute in the webhook request body (not the value of the
    Webhook-Timestamp header)". A message signed either way is then accepted, each checked against replays by the
    timestamp it was signed with. Off by default: the standard way is what Flip's newer pages describe. Turn it on
    only if genuine deliveries fail verification: answering them 401 makes Flip suspend the endpoint.
    """

    def __init__(
        self,
        secret: str,
        *,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.time,
        legacy_body_timestamp: bool = False,
    ) -> None:
        if tolerance < timedelta(0):
            raise ValueError(f"tolerance must not be negative, got {tolerance!r}")
        self._key = _signing_key(secret)
        self._tolerance = tolerance
        self._clock = clock
        self._legacy_body_timestamp = legacy_body_timestamp

    def __repr__(self) -> str:
        # The secret is left out on purpose: reprs end up in logs and tracebacks.
        legacy = ", legacy_body_timestamp=True" if self._legacy_body_timestamp else ""
        return f"{type(self).__name__}(tolerance={self._tolerance!r}{legacy})"

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Return when the message is authentic and fresh; else raise WebhookVerificationError saying why."""
        lookup = CIMultiDict(headers)  # header names are case-insensitive, whatever the framework hands us
        webhook_id = _required(lookup, ID_HEADER)
        signatures = _v1_signatures(_required(lookup, SIGNATURE_HEADER))
        if not self._legacy_body_timestamp:
            timestamp_text = _required(lookup, TIMESTAMP_HEADER)
            self._check_fresh(_parse_timestamp(timestamp_text), TIMESTAMP_HEADER)
            if not self._signed(signatures, webhook_id, timestamp_text, body):
                raise WebhookVerificationError(
                    f"no signature in the {SIGNATURE_HEADER} header matches: the body, id or timestamp was altered, "
                    "or the secret is not this endpoint's signing key"
                )
            return
        # Either variant: the one whose signature matches says which timestamp must be fresh.
        for timestamp, signed_texts, where in self._legacy_candidates(lookup, body):
            if any(self._signed(signatures, webhook_id, text, body) for text in signed_texts):
                self._check_fresh(timestamp, where)
                return
        raise WebhookVerificationError(
            f"no signature in the {SIGNATURE_HEADER} header matches, signed with the {TIMESTAMP_HEADER} header or "
            "with the body's timestamp: the body, id or timestamp was altered, or the secret is not this endpoint's "
            "signing key"
        )

    def _signed(self, signatures: list[bytes], webhook_id: str, timestamp_text: str, body: bytes) -> bool:
        # The timestamp's own text is signed, so it is used verbatim rather than re-formatted from the parsed number.
        expected = _signature(self._key, webhook_id, timestamp_text, body).encode()
        return any(hmac.compare_digest(expected, candidate) for candidate in signatures)

    def _legacy_candidates(self, headers: CIMultiDict[str], body: bytes) -> Iterator[tuple[int, tuple[str, ...], str]]:
        """(timestamp, the texts it may have been signed as, where it came from) for each timestamp the message has:
        the header's, then the body's (signed as its own text, or as the whole seconds the Standard Webhooks
        libraries sign)."""
        found = False
        if header := headers.get(TIMESTAMP_HEADER, "").strip():
            found = True
            yield _parse_timestamp(header), (header,), TIMESTAMP_HEADER
        if (text := _body_timestamp(body)) is not None:
            found = True
            seconds = _parse_body_timestamp(text)
            yield seconds, tuple(dict.fromkeys((text, str(seconds)))), "the body's timestamp"
        if not found:
            raise WebhookVerificationError(
                f"the {TIMESTAMP_HEADER} header is missing or empty, and the body has no timestamp either"
            )

    def _check_fresh(self, timestamp: int, where: str) -> None:
        age = self._clock() - timestamp
        limit = self._tolerance.total_seconds()
        if age > limit:
            raise WebhookVerificationError(
                f"{where} is {_seconds(age)} old, more than the {_seconds(limit)} tolerance "
                "(a replayed message, or this machine's clock is wrong)"
            )
        if -age > limit:
            raise WebhookVerificationError(
                f"{where} is {_seconds(-age)} in the future, more than the {_seconds(limit)} tolerance "
                "(this machine's clock is probably behind)"
            )


def _signing_key(secret: str) -> bytes:
    # Never echo the secret or the decoder's complaint about it: this message may be logged.
    key = b""
    if isinstance(secret, str):  # a None from os.environ.get() deserves this message too, not an AttributeError
        with contextlib.suppress(binascii.Error, ValueError):
            key = base64.b64decode(secret.strip().removeprefix(_SECRET_PREFIX), validate=True)
    if not key:
        raise ValueError(f"the webhook secret must be non-empty base64, optionally prefixed with '{_SECRET_PREFIX}'")
    return key


def _signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    # surrogateescape gives back the exact bytes of a non-UTF-8 header, as aiohttp decodes headers that way.
    content = b"%s.%s.%s" % (webhook_id.encode("utf-8", "surrogateescape"), timestamp.encode(), body)
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return f"{_SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def _required(headers: CIMultiDict[str], name: str) -> str:
    value = headers.get(name, "")
    if not value.strip():
        raise WebhookVerificationError(f"the {name} header is missing or empty")
    return value


def _parse_timestamp(text: str, what: str = f"the {TIMESTAMP_HEADER} header") -> int:
    # ASCII digits only: int() would also take "+1", "1_000" and non-ASCII digits, which no signer writes.
    if not (text.isascii() and text.isdigit()):
        raise WebhookVerificationError(f"{what} is not a whole number of seconds since 1970")
    digits = text.lstrip("0")
    # Length first: int() refuses more than 4,300 digits, and a float of one with 309 overflows.
    return _plausible(int(digits or "0") if len(digits) <= len(str(_LATEST_TIMESTAMP)) else _LATEST_TIMESTAMP, what)


def _plausible(seconds: int, what: str) -> int:
    if not _EARLIEST_TIMESTAMP <= seconds < _LATEST_TIMESTAMP:
        raise WebhookVerificationError(f"{what} is not a plausible time (it is before 2000 or after 2100)")
    return seconds


def _body_timestamp(body: bytes) -> str | None:
    """The body's `timestamp` attribute as text (a number as its digits); None when it has none or is no JSON object."""
    try:
        document = _json.loads(body)
    except ValueError:
        return None
    value = document.get("timestamp") if isinstance(document, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value.strip() else None


def _parse_body_timestamp(text: str) -> int:
    """The body's timestamp in UNIX seconds: whole seconds, or an ISO 8601 date-time (without an offset: UTC)."""
    what = "the body's timestamp"
    if text.isascii() and text.isdigit():
        return _parse_timestamp(text, what)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WebhookVerificationError(f"{what} is neither whole seconds nor an ISO 8601 date-time") from None
    return _plausible(int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()), what)


def _v1_signatures(header: str) -> list[bytes]:
    """The signatures of every `v1,<base64>` entry; entries of other versions are for other schemes and ignored."""
    signatures = [
        entry.encode("utf-8", "replace") for entry in header.split() if entry.partition(",")[0] == _SIGNATURE_VERSION
    ]
    if not signatures:
        raise WebhookVerificationError(f"the {SIGNATURE_HEADER} header has no '{_SIGNATURE_VERSION},' signature")
    return signatures


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + " s"
