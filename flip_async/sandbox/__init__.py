"""An embedded, stateful Flip sandbox (aiohttp.web) that follows openapi/flip.yaml, with fault injection."""

from flip_async.sandbox._faults import Faults
from flip_async.sandbox._programs import PROGRAMS, PROGRAMS_BY_ZIP
from flip_async.sandbox._server import Sandbox, serve
from flip_async.sandbox._state import SandboxState
from flip_async.sandbox._stats import SandboxStats
from flip_async.sandbox._webhooks import Delivery, WebhookSender
from flip_async.sandbox._wire import Invalid, Rejected

__all__ = [
    "PROGRAMS",
    "PROGRAMS_BY_ZIP",
    "Delivery",
    "Faults",
    "Invalid",
    "Rejected",
    "Sandbox",
    "SandboxState",
    "SandboxStats",
    "WebhookSender",
    "serve",
]
