"""Running the sandbox: `Sandbox` (start / close, or `async with`) and `serve` for the command line."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from flip_async._spec import OPERATIONS
from flip_async._spec_types import Operation
from flip_async._time import utc_now
from flip_async.sandbox._app import build_app
from flip_async.sandbox._auth import Authenticator
from flip_async.sandbox._control import control_routes
from flip_async.sandbox._faults import FaultInjector, Faults
from flip_async.sandbox._limit import RequestLimit
from flip_async.sandbox._state import Clock, SandboxState
from flip_async.sandbox._stats import SandboxStats
from flip_async.sandbox._webhooks import WebhookSender

DEFAULT_HOST = "127.0.0.1"

logger = logging.getLogger("flip_async.sandbox")


class _ServerLog(logging.LoggerAdapter[logging.Logger]):
    """aiohttp's server log, as the sandbox keeps it: a client's malformed request (which aiohttp answers 4xx) is one
    line at debug level, never a traceback; anything else is logged as aiohttp logs it."""

    def log(self, level: int, msg: object, *args: object, exc_info: Any = None, **kwargs: Any) -> None:
        malformed = _malformed(exc_info)
        if malformed is not None:
            super().log(logging.DEBUG, "A malformed request, answered %s: %s", *malformed)
        else:
            super().log(level, msg, *args, exc_info=exc_info, **kwargs)


def _malformed(exc: object) -> tuple[int, str] | None:
    """The status aiohttp answered a client's malformed request with and what was wrong; None for anything else."""
    if isinstance(exc, web.RequestPayloadError):
        # A broken body surfaces again, wrapped, when aiohttp drains it after the sandbox has answered 400; before
        # aiohttp 3.10 the wrapper keeps only the message.
        cause = exc.__cause__
        return _malformed(cause) if isinstance(cause, HttpProcessingError) else (400, " ".join(str(exc).split()))
    if isinstance(exc, HttpProcessingError):
        return exc.code or 400, " ".join(exc.message.split())
    return None


class Sandbox:
    """A stateful, in-memory Flip API on `host` (loopback by default) and `port` (0: a free one), with fault injection.

    `token` is the client token it accepts (a fresh throwaway one when None). `clock` returns the sandbox's "now"
    (timezone-aware; tests inject one to expire site tokens). Read `base_url` once started; `state` holds the data
    (and helpers such as `state.create_command`), `stats` the counters. Given `webhook_url` and `webhook_secret` (or
    later `configure_webhooks`), it posts signed webhooks there: `event.created`, `event.updated`, `command.created`,
    `command.updated` (acknowledged, opted out, canceled), `enrollment.created` and `enrollment.updated`
    (`webhooks.deliveries` records them; `await webhooks.drain()` waits for those under way). Its control surface,
    under `/_sandbox/`, lets another process create events and commands, cancel commands and set the webhooks.

    `operations` is the operation table it serves (default: the spec's, `flip_async._spec.OPERATIONS`); an operation
    it has no handler for answers 501 (see `unimplemented`). With a `rate_limit` (requests per second) it answers 429
    with `Retry-After` beyond that rate, as a rate-limited API does (`stats.rate_limited` counts them).
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        faults: Faults | None = None,
        clock: Clock | None = None,
        host: str = DEFAULT_HOST,
        port: int = 0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        operations: Mapping[str, Operation] = OPERATIONS,
        rate_limit: float | None = None,
    ) -> None:
        self.faults = faults or Faults()
        if self.faults.operations is not None and (unknown := self.faults.operations - set(operations)):
            raise ValueError(f"Faults.operations names unknown operationIds: {', '.join(sorted(unknown))}")
        self.token = token or f"sandbox-{secrets.token_urlsafe(24)}"
        self.stats = SandboxStats()
        clock = clock or utc_now
        self.webhooks = WebhookSender(clock)
        if webhook_url is not None or webhook_secret is not None:
            self.configure_webhooks(webhook_url or "", webhook_secret or "")
        self.state = SandboxState(clock=clock, stats=self.stats, notify=self.webhooks.notify)
        self._auth = Authenticator(self.token, self.state.now)
        injector = FaultInjector(self.faults, self.stats)
        limit = None if rate_limit is None else RequestLimit(rate_limit, self.stats)
        self._app = build_app(operations, self.state, self._auth, injector, control_routes(self.webhooks), limit)
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    def __repr__(self) -> str:
        # The token is left out on purpose, as everywhere in flip-async.
        return f"Sandbox(base_url={self._base_url!r}, faults={self.faults!r})"

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`, the FlipClient `base_url` for this sandbox."""
        if self._base_url is None:
            raise RuntimeError("the sandbox is not running: use `async with Sandbox() as sandbox` or `await start()`")
        return self._base_url

    def site_token(self, site_id: str) -> str:
        """A site token for `site_id`, as the get_site_token operation would issue (the site need not exist)."""
        return self._auth.issue(site_id).site_access_token

    def configure_webhooks(self, url: str, secret: str) -> None:
        """Post signed webhooks to `url` from now on, signed with `secret` (a `whsec_` signing key)."""
        if not url:
            raise ValueError("webhooks need a URL to post to")
        self.webhooks.configure(url, secret)

    async def start(self) -> Self:
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        # No access log: it would cost the demo's throughput and tells nothing the stats do not.
        runner = web.AppRunner(
            self._app,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=0.1,
            logger=_ServerLog(logger),
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._base_url = f"http://{host}:{port}"
        return self

    async def close(self) -> None:
        """Stop serving (and sending webhooks); idempotent. The state and stats stay readable."""
        await self.webhooks.aclose()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self._base_url = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def serve(
    host: str = DEFAULT_HOST,
    port: int = 8080,
    *,
    token: str | None = None,
    faults: Faults | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    rate_limit: float | None = None,
    ready: Callable[[Sandbox], None] | None = None,
) -> None:
    """Serve a sandbox until cancelled (Ctrl-C); `ready` is called once it listens, e.g. to print its URL and token."""
    async with Sandbox(
        token,
        faults=faults,
        host=host,
        port=port,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        rate_limit=rate_limit,
    ) as sandbox:
        if ready is not None:
            ready(sandbox)
        await asyncio.Event().wait()
