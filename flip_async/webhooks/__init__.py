"""Receiving Flip webhooks: Standard Webhooks verification, typed events, and an aiohttp.web receiver."""

from flip_async.webhooks._events import EventData, WebhookEvent, WebhookPayloadError, parse_event
from flip_async.webhooks._receiver import DEFAULT_MAX_BODY_SIZE, DEFAULT_PATH, OnEvent, WebhookReceiver, webhook_app
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
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_PATH",
    "DEFAULT_TOLERANCE",
    "ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "EventData",
    "OnEvent",
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
