"""The one place that speaks HTTP: one pooled aiohttp session, and one request value through auth, per-attempt
timeouts, retries, redaction and logging."""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Final

import aiohttp
import attrs
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from flip_async import _environment, _headers, errors
from flip_async._error_body import parse_body, status_error
from flip_async._rate_limit import RateLimit
from flip_async._redact import Redactor
from flip_async._retry import RETRYABLE_STATUSES, RetryPolicy, retry_after_seconds
from flip_async._version import __version__

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "Params",
    "Request",
    "Response",
    "Transport",
    "check_max_retries",
    "check_timeout",
    "default_user_agent",
]

logger = logging.getLogger("flip_async")

# ClientResponseError is what aiohttp raises for a response it cannot parse (we never call raise_for_status): a broken
# exchange, like a reset or a truncated body (ClientPayloadError).
_RETRYABLE_ERRORS: Final = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError)
# A bad certificate will not fix itself by retrying.
_PERMANENT_ERRORS: Final = (aiohttp.ClientConnectorCertificateError,)

Sleep = Callable[[float], Awaitable[object]]

Params = Mapping[str, str | Sequence[str]]
"""Query parameters as sent: a sequence value is a repeated key (`status=A&status=B`)."""

DEFAULT_MAX_RESPONSE_SIZE = 32 * 1024**2
"""Bytes of one response body read at most: Flip's largest answers (pages of sites, telemetry results for 1,000
points) are far smaller, and a hostile or broken server must not take memory without bound."""
_CHUNK = 64 * 1024


def default_user_agent(extra: str | None = None) -> str:
    """`flip-async/<version> python/<x.y> aiohttp/<version>`, then the caller's own product token if given."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    agent = f"flip-async/{__version__} python/{python} aiohttp/{aiohttp.__version__}"
    return f"{agent} {extra}" if extra else agent


@attrs.frozen
class Request:
    """One logical request, built once and handed to each of its attempts."""

    method: str
    url: URL
    headers: Mapping[str, str] = attrs.field(repr=False)  # Authorization among them
    body: bytes | None = attrs.field(repr=lambda body: "None" if body is None else f"<{len(body)} bytes>")
    timeout: aiohttp.ClientTimeout
    """Per attempt; it starts once a pooled connection is free."""
    max_retries: int
    secrets: tuple[str, ...] = attrs.field(repr=False)
    """This request's token and the client token: what `redactor` hides."""
    subject: str | None = None
    """What the request is about, for log lines: `site abc-789` for a commission."""
    on_throttle: Callable[[float], object] | None = attrs.field(default=None, repr=False)
    """Told of each 429 at once, with the seconds Flip asked to wait (0 when it did not say)."""

    @property
    def redactor(self) -> Redactor:
        """Hides this request's secrets in whatever an error response echoes back; made only when an error needs
        it, not for every request."""
        return Redactor(self.secrets)


@attrs.frozen
class Response:
    """A 2xx response, fully read: the transport is bytes in, bytes out; decoding is the caller's job."""

    status: int
    headers: CIMultiDictProxy[str]
    content: bytes = attrs.field(repr=lambda content: f"<{len(content)} bytes>")
    attempts: int = 1
    # Wall time of the whole call, including time queued for a connection and any retry waits.
    elapsed: float = 0.0

    @property
    def request_id(self) -> str | None:
        return _headers.request_id(self.headers)


@attrs.frozen
class _Reply:
    status: int
    headers: CIMultiDictProxy[str]
    content: bytes = attrs.field(repr=False)


class Transport:
    """Sends requests to one API base URL over one aiohttp session, created lazily in the running loop.

    Each attempt holds one of `connection_limit` slots, so the per-attempt timeout starts only once a pooled
    connection is free (aiohttp counts pool queueing toward its timeout, issue #10313). A caller's own `session`, or
    a session on the caller's `connector`, is used as given and never closed: whoever made it closes it. `proxy`
    sends every request through an HTTP proxy; with `trust_env` and no `proxy`, HTTP(S)_PROXY and NO_PROXY, read once
    here, choose it. `default_headers` go with every request; they cannot replace Authorization.
    With a `rate_limit`, every attempt (retries too) waits its turn before it starts.
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
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        session: aiohttp.ClientSession | None = None,
        connector: aiohttp.BaseConnector | None = None,
        proxy: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        rate_limit: RateLimit | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base_url = _checked_base_url(base_url)
        self._token = _checked_token(token)
        self._timeout = check_timeout(timeout)
        self._max_retries = check_max_retries(max_retries)
        if connection_limit < 1:
            raise ValueError(f"connection_limit must be >= 1, got {connection_limit!r}")
        self._connection_limit = connection_limit
        if isinstance(max_response_size, bool) or not isinstance(max_response_size, int) or max_response_size < 1:
            raise ValueError(f"max_response_size must be an int >= 1 (bytes), got {max_response_size!r}")
        self._max_response_size = max_response_size
        self._user_agent = default_user_agent(user_agent)
        self._retry_policy = retry_policy or RetryPolicy()
        self._sleep = sleep
        if session is not None and connector is not None:
            raise ValueError("pass session= or connector=, not both: a session brings its own connector")
        self._session = session
        self._owns_session = session is None
        self._connector = connector
        self._proxy = _checked_proxy(proxy or (_environment.proxy_for(self._base_url) if trust_env else None))
        self._rate_limit = rate_limit
        # Ours come last: Accept, User-Agent and the token are never a default header's to change.
        self._common_headers = {
            **_checked_default_headers(default_headers),
            "Accept": "application/json",
            "User-Agent": self._user_agent,
        }
        self._client_headers = {has_body: self._headers(self._token, has_body=has_body) for has_body in (False, True)}
        self._client_secrets: tuple[str, ...] = (self._token,)
        # Building a URL costs more than a dict lookup by far; a site's paths repeat, so recent ones are kept.
        self._url = functools.lru_cache(maxsize=1024)(self._url_of)
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
    def timeout(self) -> float:
        """The default per-attempt timeout, in seconds."""
        return self._timeout

    @property
    def closed(self) -> bool:
        return self._closed

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session and its connections, unless the caller gave them. Idempotent; the transport cannot be
        used afterwards."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()
            # Lets the connections' close callbacks run now rather than warn about unclosed transports later.
            await asyncio.sleep(0)

    def build_request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Params | None = None,
        token: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        subject: str | None = None,
        on_throttle: Callable[[float], object] | None = None,
    ) -> Request:
        """The request for `path` below the base URL: `token` replaces the client token for it (a site token), and
        `timeout` (seconds per attempt) and `max_retries` replace the transport's defaults; `subject` goes in its log
        lines."""
        has_body = body is not None
        if token is None:
            headers, secrets = self._client_headers[has_body], self._client_secrets
        else:
            secret = _checked_token(token)
            headers, secrets = self._headers(secret, has_body=has_body), (secret, self._token)
        return Request(
            method=method,
            url=self._url(path).with_query(_query_pairs(params)) if params else self._url(path),
            headers=headers,
            body=body,
            timeout=_client_timeout(self._timeout if timeout is None else check_timeout(timeout)),
            max_retries=self._max_retries if max_retries is None else check_max_retries(max_retries),
            secrets=secrets,
            subject=subject,
            on_throttle=on_throttle,
        )

    async def send(self, request: Request) -> Response:
        """Send `request`, retrying what is safe to retry; return a 2xx or raise a typed error."""
        started = time.monotonic()
        session, slots = self._session_for_running_loop()
        attempt = 0
        while True:
            attempt += 1
            try:
                reply = await self._attempt(session, slots, request, attempt)
            except _BodyTooLarge as exc:
                raise errors.ResponseTooLargeError(
                    f"{request.method} {request.url.path}: the answer is larger than {self._max_response_size} bytes"
                    f"{exc.announced} (max_response_size); reading stopped there",
                    limit=self._max_response_size,
                    method=request.method,
                    url=request.url,
                    attempts=attempt,
                ) from None
            except _PERMANENT_ERRORS as exc:
                raise _connection_error(exc, request, attempt) from _scrubbed(exc)
            except (*_RETRYABLE_ERRORS, TimeoutError) as exc:
                if attempt > request.max_retries:
                    raise _connection_error(exc, request, attempt) from _scrubbed(exc)
                await self._wait_before_retry(request, attempt, _reason(exc), None)
                continue
            if 200 <= reply.status < 300:
                return Response(reply.status, reply.headers, reply.content, attempt, time.monotonic() - started)
            if reply.status == 429 and request.on_throttle is not None:
                request.on_throttle(retry_after_seconds(reply.headers) or 0.0)
            if reply.status in RETRYABLE_STATUSES and attempt <= request.max_retries:
                await self._wait_before_retry(request, attempt, f"HTTP {reply.status}", reply.headers)
                continue
            raise _status_error(reply, request, attempt)

    async def _attempt(
        self, session: aiohttp.ClientSession, slots: asyncio.Semaphore, request: Request, attempt: int
    ) -> _Reply:
        if self._rate_limit is not None:  # before taking a connection: a request waiting its turn holds none
            await self._rate_limit.wait()
        async with slots:
            started = time.monotonic()
            # The exchange is written out here rather than in a coroutine of its own: each level of coroutines costs
            # every resumption of the request (a few per request) a frame switch.
            try:
                async with session.request(
                    request.method,
                    request.url,
                    data=request.body,
                    headers=request.headers,
                    timeout=request.timeout,
                    allow_redirects=False,
                    proxy=self._proxy,
                ) as response:
                    # Reading it all hands the connection back to the pool before any retry wait; a body given up
                    # on mid-way closes its connection instead.
                    length = response.content_length
                    if length is None:
                        content = await _read_at_most(response.content, self._max_response_size)
                    elif length <= self._max_response_size:
                        content = await response.read()
                    else:
                        raise _BodyTooLarge(length)
                    reply = _Reply(response.status, _headers.frozen(response.headers), content)
            except BaseException as exc:
                _log_attempt(request, type(exc).__name__, attempt, started)
                raise
            _log_attempt(request, reply.status, attempt, started, reply.headers)
            return reply

    async def _wait_before_retry(
        self, request: Request, attempt: int, reason: str, headers: Mapping[str, str] | None
    ) -> None:
        delay = self._retry_policy.delay(attempt, headers)
        logger.warning(
            "Retrying %s %s in %.3f s (retry %d of %d) after %s",
            request.method,
            request.url.path,
            delay,
            attempt,
            request.max_retries,
            reason,
        )
        await self._sleep(delay)

    def _session_for_running_loop(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self._closed:
            raise RuntimeError("this Transport is closed")
        loop = asyncio.get_running_loop()
        if self._session is None or self._slots is None:
            if self._session is None:
                # Limit equal to the semaphore: a request holding a slot never waits in aiohttp's own pool queue.
                self._session = aiohttp.ClientSession(
                    connector=self._connector or aiohttp.TCPConnector(limit=self._connection_limit),
                    connector_owner=self._connector is None,
                    cookie_jar=aiohttp.DummyCookieJar(),
                )
            # A given pool's own limit, if it sets one, bounds what we send at once as ours does.
            given = self._session.connector.limit if self._session.connector is not None else 0
            self._slots = asyncio.Semaphore(min(given, self._connection_limit) if given else self._connection_limit)
            self._loop = loop
        elif loop is not self._loop:
            raise RuntimeError("a Transport can only be used from the event loop it first ran in")
        return self._session, self._slots

    def _url_of(self, path: str) -> URL:
        return self._base_url.with_path(self._base_url.path.rstrip("/") + "/" + path.lstrip("/"))

    def _headers(self, token: str, *, has_body: bool) -> dict[str, str]:
        headers = {**self._common_headers, "Authorization": f"Bearer {token}"}
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers


class _BodyTooLarge(Exception):
    def __init__(self, length: int | None) -> None:
        self.announced = "" if length is None else f" (it announced {length})"


async def _read_at_most(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """A body of unannounced length (chunked), refused as soon as it passes `limit` bytes."""
    content = bytearray()
    async for chunk in stream.iter_chunked(_CHUNK):
        content += chunk
        if len(content) > limit:
            raise _BodyTooLarge(None)
    return bytes(content)


@functools.lru_cache(maxsize=64)
def _client_timeout(seconds: float) -> aiohttp.ClientTimeout:
    """One ClientTimeout per distinct value (they are immutable), not one per request."""
    return aiohttp.ClientTimeout(total=seconds)


def _log_attempt(
    request: Request, outcome: str | int, attempt: int, started: float, headers: CIMultiDictProxy[str] | None = None
) -> None:
    # Everything here waits for the level check: a request pays for a log line only when DEBUG is on.
    if logger.isEnabledFor(logging.DEBUG):
        elapsed_ms = (time.monotonic() - started) * 1000
        about = f" ({request.subject})" if request.subject else ""
        request_id = None if headers is None else _headers.request_id(headers)
        answered = f", request id {request_id}" if request_id else ""
        logger.debug(
            "%s %s%s -> %s (attempt %d, %.1f ms%s)",
            request.method,
            request.url.path,
            about,
            outcome,
            attempt,
            elapsed_ms,
            answered,
        )


def _query_pairs(params: Params) -> list[tuple[str, str]]:
    """Mapping to pairs, a sequence value becoming a repeated key (`status=A&status=B`)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if isinstance(value, str):
            pairs.append((key, value))
        else:
            pairs.extend((key, item) for item in value)
    return pairs


def _reason(exc: BaseException) -> str:
    detail = str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _connection_error(exc: BaseException, request: Request, attempts: int) -> errors.APIConnectionError:
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    where = f"{request.method} {request.url.path}"
    if isinstance(exc, TimeoutError):
        return errors.APITimeoutError(
            f"{where} timed out ({tries})", method=request.method, url=request.url, attempts=attempts
        )
    return errors.APIConnectionError(
        f"{where} failed ({tries}): {request.redactor.text(_reason(exc))}",
        method=request.method,
        url=request.url,
        attempts=attempts,
    )


def _status_error(reply: _Reply, request: Request, attempts: int) -> errors.APIStatusError:
    # A server or proxy that echoes the Authorization header back must not put a token into our exception.
    redactor = request.redactor
    body = redactor.document(parse_body(reply.content))
    return status_error(
        reply.status, request.method, request.url, redactor.headers(reply.headers), body, attempts=attempts
    )


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
    if url.user is not None or url.password is not None:
        # Never echo the URL: its password is the point. Flip authenticates with the token alone.
        raise ValueError("base_url must not carry credentials (user:password@); pass the API token as token=")
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    return url.with_query(None).with_fragment(None)


def _checked_proxy(proxy: str | None) -> str | None:
    if proxy is not None and (URL(proxy).scheme not in ("http", "https") or not URL(proxy).host):
        raise ValueError("proxy must be an absolute http(s) URL, e.g. http://proxy.internal:3128")
    return proxy


_OURS = frozenset({"authorization", "accept", "user-agent", "content-type"})


def _checked_default_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """The caller's extra headers, refusing those flip-async sets itself (the token above all)."""
    given = dict(headers or {})
    if clash := sorted(name for name in given if name.lower() in _OURS):
        raise ValueError(
            f"default_headers cannot set {', '.join(clash)}: flip-async sets it (the token with token=, the "
            "product with user_agent=)"
        )
    return given


def _checked_token(token: str) -> str:
    # Never echo the value: this message may be logged.
    if not (isinstance(token, str) and token and token.isascii() and token.isprintable() and " " not in token):
        raise ValueError(
            "token must be a non-empty string of visible ASCII characters (what an HTTP header can carry): "
            "no spaces, line breaks, control or non-ASCII characters"
        )
    return token


def check_timeout(timeout: float) -> float:
    """`timeout` as seconds per attempt, or ValueError: it must be a finite number > 0."""
    number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
    if not (number and math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout must be a finite number of seconds > 0, got {timeout!r}")
    return float(timeout)


def check_max_retries(max_retries: int) -> int:
    """`max_retries` as given, or ValueError: it must be an int >= 0."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
    return max_retries
