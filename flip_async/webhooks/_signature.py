"""Standard Webhooks signatures as Flip uses them: sign a message, and verify one against replays and forgeries."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta

from multidict import CIMultiDict

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
    """Checks that a webhook was signed with the secret and is fresh (within `tolerance` of `clock()`)."""

    def __init__(
        self,
        secret: str,
        *,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if tolerance < timedelta(0):
            raise ValueError(f"tolerance must not be negative, got {tolerance!r}")
        self._key = _signing_key(secret)
        self._tolerance = tolerance
        self._clock = clock

    def __repr__(self) -> str:
        # The secret is left out on purpose: reprs end up in logs and tracebacks.
        return f"{type(self).__name__}(tolerance={self._tolerance!r})"

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Return when the message is authentic and fresh; else raise WebhookVerificationError saying why."""
        lookup = CIMultiDict(headers)  # header names are case-insensitive, whatever the framework hands us
        webhook_id = _required(lookup, ID_HEADER)
        timestamp_text = _required(lookup, TIMESTAMP_HEADER)
        signatures = _v1_signatures(_required(lookup, SIGNATURE_HEADER))
        self._check_fresh(_parse_timestamp(timestamp_text))
        # The header's own text is signed, so it is used verbatim rather than re-formatted from the parsed number.
        expected = _signature(self._key, webhook_id, timestamp_text, body).encode()
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise WebhookVerificationError(
                f"no signature in the {SIGNATURE_HEADER} header matches: the body, id or timestamp was altered, "
                "or the secret is not this endpoint's signing key"
            )

    def _check_fresh(self, timestamp: int) -> None:
        age = self._clock() - timestamp
        limit = self._tolerance.total_seconds()
        if age > limit:
            raise WebhookVerificationError(
                f"{TIMESTAMP_HEADER} is {_seconds(age)} old, more than the {_seconds(limit)} tolerance "
                "(a replayed message, or this machine's clock is wrong)"
            )
        if -age > limit:
            raise WebhookVerificationError(
                f"{TIMESTAMP_HEADER} is {_seconds(-age)} in the future, more than the {_seconds(limit)} tolerance "
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


def _parse_timestamp(text: str) -> int:
    # ASCII digits only: int() would also take "+1", "1_000" and non-ASCII digits, which no signer writes.
    if not (text.isascii() and text.isdigit()):
        raise WebhookVerificationError(f"the {TIMESTAMP_HEADER} header is not a whole number of seconds since 1970")
    digits = text.lstrip("0")
    # Length first: int() refuses more than 4,300 digits, and a float of one with 309 overflows.
    if len(digits) > len(str(_LATEST_TIMESTAMP)) or not _EARLIEST_TIMESTAMP <= int(digits or "0") < _LATEST_TIMESTAMP:
        raise WebhookVerificationError(
            f"the {TIMESTAMP_HEADER} header is not a plausible time (it is before 2000 or after 2100)"
        )
    return int(digits)


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
