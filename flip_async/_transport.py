"""The one place that speaks HTTP: one pooled aiohttp session with auth, per-attempt timeouts, retries and logging."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC
from typing import Final

import aiohttp
import attrs
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from flip_async import errors
from flip_async._version import __version__

__all__ = ["RETRYABLE_STATUSES", "Response", "RetryPolicy", "Transport", "default_user_agent", "retry_after_seconds"]

logger = logging.getLogger("flip_async")

# 409 is deliberately absent: commissioning is not idempotent on the wire, and a repeat must surface as a conflict.
RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})

# ClientResponseError is what aiohttp raises for a response it cannot parse (we never call raise_for_status): a broken
# exchange, like a reset or a truncated body (ClientPayloadError).
_RETRYABLE_ERRORS: Final = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError)
# A bad certificate will not fix itself by retrying.
_PERMANENT_ERRORS: Final = (aiohttp.ClientConnectorCertificateError,)

_REDACTED: Final = "[redacted]"

Sleep = Callable[[float], Awaitable[object]]


def default_user_agent(extra: str | None = None) -> str:
    """`flip-async/<version> python/<x.y> aiohttp/<version>`, then the caller's own product token if given."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    agent = f"flip-async/{__version__} python/{python} aiohttp/{aiohttp.__version__}"
    return f"{agent} {extra}" if extra else agent


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How long to wait before each retry: capped exponential backoff with full jitter, or the server's own hint."""

    initial_delay: float = attrs.field(default=0.5, validator=_non_negative)
    factor: float = attrs.field(default=2.0, validator=_non_negative)
    max_delay: float = attrs.field(default=8.0, validator=_non_negative)
    # A server may ask for any wait; past this cap we retry anyway rather than park a fleet run for an hour.
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative)
    jitter: bool = True

    @classmethod
    def immediate(cls) -> RetryPolicy:
        """No waiting at all, even when the server asks for it: for tests."""
        return cls(initial_delay=0.0, max_delay=0.0, max_retry_after=0.0)

    def backoff(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """The delay before the `retry`-th retry (1-based), drawn uniformly below the exponential ceiling."""
        ceiling = min(self.max_delay, self.initial_delay * self.factor ** max(retry - 1, 0))
        # Full jitter: many clients failing together spread out instead of retrying in lockstep.
        return ceiling * rand() if self.jitter else ceiling

    def delay(self, retry: int, headers: Mapping[str, str] | None = None) -> float:
        """The server's Retry-After hint (capped) when it gave a usable one, else the backoff."""
        hinted = retry_after_seconds(headers) if headers is not None else None
        if hinted is not None:
            return min(hinted, self.max_retry_after)
        return self.backoff(retry)


def retry_after_seconds(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait per `retry-after-ms` (float ms) or `Retry-After` (seconds or HTTP-date); None if absent/bad."""
    headers = _frozen(headers)
    millis = _finite_float(headers.get("retry-after-ms"))
    if millis is not None and millis >= 0:
        return millis / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _finite_float(value)
    if seconds is not None:
        return seconds if seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now())


def _finite_float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@attrs.frozen
class Response:
    """A 2xx response, fully read: the transport is bytes in, bytes out; decoding is the converter's job."""

    status: int
    headers: CIMultiDictProxy[str]
    content: bytes = attrs.field(repr=lambda content: f"<{len(content)} bytes>")
    attempts: int = 1
    # Wall time of the whole call, including time queued for a connection and any retry waits.
    elapsed: float = 0.0

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id") or self.headers.get("request-id") or None


@attrs.frozen
class _Reply:
    status: int
    headers: CIMultiDictProxy[str]
    content: bytes = attrs.field(repr=False)


Params = Mapping[str, str | Sequence[str]]


class Transport:
    """Sends requests to one API base URL over one aiohttp session, created lazily in the running loop.

    Each attempt holds one of `connection_limit` slots, so the per-attempt timeout starts only once a pooled
    connection is free (aiohttp counts pool queueing toward its timeout, issue #10313).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 2,
        connection_limit: int = 100,
        user_agent: str | None = None,
        retry_policy: RetryPolicy | None = None,
        trust_env: bool = False,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base_url = _checked_base_url(base_url)
        self._token = _checked_token(token)
        self._timeout = _checked_timeout(timeout)
        self._max_retries = _checked_retries(max_retries)
        if connection_limit < 1:
            raise ValueError(f"connection_limit must be >= 1, got {connection_limit!r}")
        self._connection_limit = connection_limit
        self._user_agent = default_user_agent(user_agent)
        self._retry_policy = retry_policy or RetryPolicy()
        self._trust_env = trust_env
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def __repr__(self) -> str:
        # The token is left out on purpose: reprs end up in logs and tracebacks.
        return (
            f"{type(self).__name__}(base_url={str(self._base_url)!r}, timeout={self._timeout!r}, "
            f"max_retries={self._max_retries!r}, connection_limit={self._connection_limit!r}, closed={self._closed!r})"
        )

    @property
    def base_url(self) -> URL:
        return self._base_url

    @property
    def user_agent(self) -> str:
        return self._user_agent

    @property
    def closed(self) -> bool:
        return self._closed

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session and its connections. Idempotent; the transport cannot be used afterwards."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
            # Lets the connections' close callbacks run now rather than warn about unclosed transports later.
            await asyncio.sleep(0)

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Params | None = None,
        token: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Response:
        """Send one logical request, retrying what is safe to retry; return a 2xx or raise a typed error.

        `token` replaces the client token for this call (e.g. a site token); `timeout` (seconds per attempt) and
        `max_retries` replace the transport's defaults for this call.
        """
        started = time.monotonic()
        secret = self._token if token is None else _checked_token(token)
        client_timeout = aiohttp.ClientTimeout(total=self._timeout if timeout is None else _checked_timeout(timeout))
        retries = self._max_retries if max_retries is None else _checked_retries(max_retries)
        url = self._url(path, params)
        headers = self._headers(secret, has_body=body is not None)
        session, slots = self._session_for_running_loop()

        attempt = 0
        while True:
            attempt += 1
            try:
                reply = await self._attempt(session, slots, method, url, headers, body, client_timeout, attempt)
            except _PERMANENT_ERRORS as exc:
                raise _connection_error(exc, method, url, attempt) from _scrubbed(exc)
            except (*_RETRYABLE_ERRORS, TimeoutError) as exc:
                if attempt > retries:
                    raise _connection_error(exc, method, url, attempt) from _scrubbed(exc)
                await self._wait_before_retry(method, url, attempt, retries, _reason(exc), None)
                continue
            if 200 <= reply.status < 300:
                return Response(reply.status, reply.headers, reply.content, attempt, time.monotonic() - started)
            if reply.status in RETRYABLE_STATUSES and attempt <= retries:
                await self._wait_before_retry(method, url, attempt, retries, f"HTTP {reply.status}", reply.headers)
                continue
            raise _status_error(reply, method, url, attempt, secrets=(secret, self._token))

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        slots: asyncio.Semaphore,
        method: str,
        url: URL,
        headers: Mapping[str, str],
        body: bytes | None,
        client_timeout: aiohttp.ClientTimeout,
        attempt: int,
    ) -> _Reply:
        async with slots:
            started = time.monotonic()
            try:
                reply = await _exchange(session, method, url, headers, body, client_timeout)
            except BaseException as exc:
                _log_attempt(method, url, type(exc).__name__, attempt, started)
                raise
            _log_attempt(method, url, str(reply.status), attempt, started)
            return reply

    async def _wait_before_retry(
        self,
        method: str,
        url: URL,
        attempt: int,
        retries: int,
        reason: str,
        headers: Mapping[str, str] | None,
    ) -> None:
        delay = self._retry_policy.delay(attempt, headers)
        logger.warning(
            "Retrying %s %s in %.3f s (retry %d of %d) after %s", method, url.path, delay, attempt, retries, reason
        )
        await self._sleep(delay)

    def _session_for_running_loop(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self._closed:
            raise RuntimeError("this Transport is closed")
        loop = asyncio.get_running_loop()
        if self._session is None or self._slots is None:
            # Limit equal to the semaphore: a request holding a slot never waits in aiohttp's own pool queue.
            connector = aiohttp.TCPConnector(limit=self._connection_limit)
            self._session = aiohttp.ClientSession(
                connector=connector, trust_env=self._trust_env, cookie_jar=aiohttp.DummyCookieJar()
            )
            self._slots = asyncio.Semaphore(self._connection_limit)
            self._loop = loop
        elif loop is not self._loop:
            raise RuntimeError("a Transport can only be used from the event loop it first ran in")
        return self._session, self._slots

    def _url(self, path: str, params: Params | None) -> URL:
        url = self._base_url.with_path(self._base_url.path.rstrip("/") + "/" + path.lstrip("/"))
        return url.with_query(_query_pairs(params)) if params else url

    def _headers(self, token: str, *, has_body: bool) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": self._user_agent}
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers


async def _exchange(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    headers: Mapping[str, str],
    body: bytes | None,
    client_timeout: aiohttp.ClientTimeout,
) -> _Reply:
    async with session.request(
        method, url, data=body, headers=headers, timeout=client_timeout, allow_redirects=False
    ) as response:
        # Reading it all hands the connection back to the pool before any retry wait.
        content = await response.read()
        return _Reply(response.status, _frozen(response.headers), content)


def _log_attempt(method: str, url: URL, outcome: str, attempt: int, started: float) -> None:
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.debug("%s %s -> %s (attempt %d, %.1f ms)", method, url.path, outcome, attempt, elapsed_ms)


def _query_pairs(params: Params) -> list[tuple[str, str]]:
    """Mapping to pairs, a sequence value becoming a repeated key (`status=A&status=B`)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if isinstance(value, str):
            pairs.append((key, value))
        else:
            pairs.extend((key, item) for item in value)
    return pairs


def _frozen(headers: Mapping[str, str]) -> CIMultiDictProxy[str]:
    return headers if isinstance(headers, CIMultiDictProxy) else CIMultiDictProxy(CIMultiDict(headers))


def _reason(exc: BaseException) -> str:
    detail = str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _connection_error(exc: BaseException, method: str, url: URL, attempts: int) -> errors.APIConnectionError:
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(exc, TimeoutError):
        return errors.APITimeoutError(
            f"{method} {url.path} timed out ({tries})", method=method, url=url, attempts=attempts
        )
    return errors.APIConnectionError(
        f"{method} {url.path} failed ({tries}): {_reason(exc)}", method=method, url=url, attempts=attempts
    )


def _status_error(
    reply: _Reply, method: str, url: URL, attempts: int, *, secrets: Sequence[str]
) -> errors.APIStatusError:
    # A server or proxy that echoes the Authorization header back must not put a token into our exception.
    content = reply.content
    headers = CIMultiDict(reply.headers)
    for secret in secrets:
        content = content.replace(secret.encode(), _REDACTED.encode())
        headers = CIMultiDict((key, value.replace(secret, _REDACTED)) for key, value in headers.items())
    return errors.status_error(reply.status, method, url, headers, content, attempts=attempts)


def _scrubbed(exc: BaseException) -> BaseException:
    """The exception with the request headers (our Authorization) dropped from aiohttp's `request_info`."""
    if isinstance(exc, aiohttp.ClientResponseError):
        info = exc.request_info
        headless = aiohttp.RequestInfo(info.url, info.method, CIMultiDictProxy(CIMultiDict()), info.real_url)
        exc.request_info = headless
        exc.args = (headless, exc.history)
    return exc


def _checked_base_url(base_url: str) -> URL:
    url = URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    return url.with_query(None).with_fragment(None)


def _checked_token(token: str) -> str:
    # Never echo the value: this message may be logged.
    if not isinstance(token, str) or not token or not token.isprintable() or any(c.isspace() for c in token):
        raise ValueError("token must be a non-empty string without whitespace or control characters")
    return token


def _checked_timeout(timeout: float) -> float:
    if not (math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout must be a finite number of seconds > 0, got {timeout!r}")
    return float(timeout)


def _checked_retries(max_retries: int) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
    return max_retries
