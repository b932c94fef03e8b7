"""An embedded, stateful Flip sandbox (aiohttp.web) built from the spec's operation table, with fault injection.

It checks requests against the spec's JSON Schemas with python-jsonschema, which comes with the `sandbox` extra:
`pip install 'flip-async[sandbox]'` (without it, importing this package raises ImportError saying so).
"""

from flip_async.sandbox._faults import Faults
from flip_async.sandbox._handlers import unimplemented
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
    "unimplemented",
]
