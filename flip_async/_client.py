"""FlipClient: the public entry point, the Cloud API's resources on it, and `site()` for the Mobile App API."""

from __future__ import annotations

import copy
import os
import weakref
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import attrs

from flip_async import _converter, bulk, models, resources
from flip_async._operations import Call, Send, operation
from flip_async._resource import Resource, resource
from flip_async._secrets import redact_secrets
from flip_async._site import SiteClient, SiteTokens
from flip_async._transport import Response, RetryPolicy, Transport
from flip_async._validation import validated
from flip_async.errors import FlipError, Problem, RequestValidationError, ResponseValidationError, parse_body

T = TypeVar("T")


@attrs.frozen
class Parsed(Generic[T]):
    """A decoded answer with the response it came in (attempts, elapsed time, headers)."""

    value: T
    response: Response


DEFAULT_BASE_URL = "https://api.flip.energy"
"""Flip's production host as its newer docs name it; set FLIP_BASE_URL (or base_url=) for the sandbox."""


class FlipClient:
    """An async client for the Flip Energy API; one per process (or per token), used as `async with`.

    The token falls back to FLIP_API_TOKEN and the base URL to FLIP_BASE_URL. `timeout` is seconds per attempt and
    never includes time spent waiting for one of the `connection_limit` pooled connections; `commission` and
    `commission_many` may override `timeout` and `max_retries` per call. `user_agent` is appended to flip-async's own
    product token.

    Cloud API resources: `sites`, `sessions`, `commands`, `programs`, `telemetry`, `settings`, `supplements`, and
    `commission()`. Mobile App API: `site(site_id)`, whose site token is renewed `site_token_margin` seconds before
    it expires by `clock` (a timezone-aware "now"; tests inject one).
    """

    sites = resource(resources.Sites)
    sessions = resource(resources.Sessions)
    commands = resource(resources.Commands)
    programs = resource(resources.Programs)
    telemetry = resource(resources.Telemetry)
    settings = resource(resources.Settings)
    supplements = resource(resources.Supplements)

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        connection_limit: int = 100,
        retry_policy: RetryPolicy | None = None,
        user_agent: str | None = None,
        trust_env: bool = False,
        site_token_margin: float = 60.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        token = token or os.environ.get("FLIP_API_TOKEN")
        if not token:
            raise FlipError("no API token: pass FlipClient(token=...) or set FLIP_API_TOKEN")
        self.base_url = (base_url or os.environ.get("FLIP_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self._transport = Transport(
            base_url=self.base_url,
            token=token,
            timeout=timeout,
            max_retries=max_retries,
            connection_limit=connection_limit,
            retry_policy=retry_policy,
            user_agent=user_agent,
            trust_env=trust_env,
        )
        self._site_tokens = SiteTokens(
            self._issue_site_token, clock=clock or _utc_now, margin=timedelta(seconds=site_token_margin)
        )
        # Bulk runs under way, which aclose() lets finish their requests in flight first.
        self._bulk_runs: weakref.WeakSet[bulk._Run] = weakref.WeakSet()
        # Per-call defaults set by with_options(); None leaves the transport's own.
        self._timeout: float | None = None
        self._max_retries: int | None = None

    def __repr__(self) -> str:
        return f"FlipClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards.

        A bulk run its caller left without closing (a `break` out of the loop) first gets to finish, and journal, the
        requests it has in flight.
        """
        for run in list(self._bulk_runs):
            await run.settle()
        await self._transport.aclose()

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> FlipClient:
        """This client with another `timeout` (seconds per attempt) or `max_retries` for every call made through it.

        `flip.with_options(timeout=5).sites.list()`; its site clients inherit the options. The copy shares this
        client's connections and site tokens, so close this client, not the copy.
        """
        clone = copy.copy(self)
        for name, value in list(vars(clone).items()):
            if isinstance(value, Resource):  # made for, and bound to, the original
                del vars(clone)[name]
        clone._timeout = self._timeout if timeout is None else timeout
        clone._max_retries = self._max_retries if max_retries is None else max_retries
        return clone

    def site(self, site_id: str) -> SiteClient:
        """The Mobile App API for one site, over this client's connections.

        Its site token is fetched on first use and kept (per site, never shared with another) for the next
        SiteClient of the same site too, until shortly before it expires.
        """
        return SiteClient(self, site_id, self._site_tokens.keeper(site_id))

    async def commission(
        self,
        request: models.CommissionRequest | Mapping[str, Any],
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> models.CommissionResponse:
        """Create a site and its devices at Flip (POST /v1/commission); the answer lists the site's programs.

        The request is validated first (RequestValidationError, nothing sent). A site id Flip already has raises
        ConflictError, never retried.
        """
        valid = validated(request, models.CommissionRequest)
        return (await self._commission(valid, timeout=timeout, max_retries=max_retries)).value

    # Bulk commissioning lives in flip_async.bulk; it is a method here so that users find it on the client.
    commission_many = bulk.commission_many

    @operation("commission", "POST", "/v1/commission")
    async def _commission(
        self,
        send: Send[FlipClient],
        request: models.CommissionRequest,
        *,
        timeout: float | None,
        max_retries: int | None,
    ) -> Parsed[models.CommissionResponse]:
        """Send an already validated commission request; the bulk engine reads the attempts off the response."""
        call = Call(operation=send.operation, body=request, timeout=timeout, max_retries=max_retries)
        return await self._send(call, models.CommissionResponse)

    async def _issue_site_token(self, site_id: str) -> models.SiteToken:
        return await self.sites.token(site_id)

    async def _send(self, call: Call, cast_to: type[T], *, token: str | None = None) -> Parsed[T]:
        """Send one call and decode its answer into `cast_to`; `token` replaces the client token (a site token)."""
        response = await self._transport.request(
            call.operation.method,
            call.operation.url_path(call.path),
            body=None if call.body is None else _json_body(call.body),
            params=call.params,
            token=token,
            timeout=self._timeout if call.timeout is None else call.timeout,
            max_retries=self._max_retries if call.max_retries is None else call.max_retries,
        )
        try:
            return Parsed(_decoded(response.content, cast_to), response)
        except _converter.WireShapeError as exc:
            raise ResponseValidationError(
                exc.problems,
                model=_type_name(cast_to),
                status_code=response.status,
                body=redact_secrets(parse_body(response.content)),
            ) from exc


def _json_body(body: Any) -> bytes:
    """The request body as JSON; what JSON cannot carry (an int past 64 bits, a Decimal, a lone surrogate, ...)
    is a RequestValidationError, raised before anything is sent."""
    try:
        return _converter.dumps(body)
    except (TypeError, ValueError) as exc:  # orjson.JSONEncodeError is a TypeError
        raise RequestValidationError([Problem("$", f"cannot be written as JSON: {exc}")]) from None


def _decoded(content: bytes, cast_to: type[T]) -> T:
    """The answer as `cast_to`: an empty body (204) reads as null, and a NoneType answer ignores whatever came."""
    if cast_to is type(None):
        return None
    return _converter.loads(content or b"null", cast_to)


def _type_name(cast_to: Any) -> str:
    """`Site`, `list[Site]`, `dict[str, Any] | None`: how an error names what the answer should have been."""
    return cast_to.__name__ if isinstance(cast_to, type) else str(cast_to).replace(f"{models.__name__}.", "")


def _utc_now() -> datetime:
    return datetime.now(UTC)
