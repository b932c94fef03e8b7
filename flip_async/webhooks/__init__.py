"""Receiving Flip webhooks: Standard Webhooks verification, typed events, and an aiohttp.web receiver."""

from flip_async.webhooks._dedup import MemorySeenIds, RedisSeenIds, SeenIds
from flip_async.webhooks._events import EventData, WebhookEvent, WebhookPayloadError, parse_event
from flip_async.webhooks._receiver import (
    DEFAULT_CALLBACK_TIMEOUT,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_PENDING,
    DEFAULT_PATH,
    RETRY_AFTER_SECONDS,
    OnEvent,
    WebhookReceiver,
    webhook_app,
)
from flip_async.webhooks._signature import (
    DEFAULT_TOLERANCE,
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookVerificationError,
    WebhookVerifier,
    sign,
    signed_headers,
)

__all__ = [
    "DEFAULT_CALLBACK_TIMEOUT",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_PENDING",
    "DEFAULT_PATH",
    "DEFAULT_TOLERANCE",
    "ID_HEADER",
    "RETRY_AFTER_SECONDS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "EventData",
    "MemorySeenIds",
    "OnEvent",
    "RedisSeenIds",
    "SeenIds",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookReceiver",
    "WebhookVerificationError",
    "WebhookVerifier",
    "parse_event",
    "sign",
    "signed_headers",
    "webhook_app",
]
