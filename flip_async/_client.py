"""FlipClient: the public entry point, the Cloud API's resources on it, and `site()` for the Mobile App API."""

from __future__ import annotations

import functools
import os
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self, Unpack

import aiohttp

from flip_async import _environment, models, resources
from flip_async._base_client import BaseClient, Parsed
from flip_async._operations import CallOptions, Send, operation
from flip_async._rate_limit import RateLimit, Store, key_for
from flip_async._raw import raw_response
from flip_async._resource import Resource, resource
from flip_async._retry import RetryPolicy
from flip_async._site import SiteClient, SiteClientWithRawResponse, SiteTokens
from flip_async._time import utc_now
from flip_async._transport import DEFAULT_MAX_RESPONSE_SIZE, Transport, check_max_retries, check_timeout
from flip_async._validation import validated
from flip_async.bulk import BulkCommissioner, CommissionOutcome, Journal, Row, RunSettings
from flip_async.errors import FlipError, NotFoundError

__all__ = ["DEFAULT_BASE_URL", "FlipClient", "FlipClientWithRawResponse"]

DEFAULT_BASE_URL = "https://api.flip.energy"
"""Flip's production host as its newer docs name it; set FLIP_BASE_URL (or base_url=) for the sandbox."""


class FlipClient(BaseClient):
    """An async client for the Flip Energy API; one per process (or per token), used as `async with`.

    The token falls back to FLIP_API_TOKEN and the base URL to FLIP_BASE_URL, `timeout` (seconds per attempt,
    default 30) to FLIP_TIMEOUT and `max_retries` (default 2) to FLIP_MAX_RETRIES. The timeout never includes time
    spent waiting for one of the `connection_limit` pooled connections. Every API method also takes `timeout=` and
    `max_retries=` for that call only. `user_agent` is appended to flip-async's own product token;
    `default_headers` go with every request (never replacing Authorization). An answer larger than
    `max_response_size` bytes (32 MiB) is a ResponseTooLargeError, read no further.

    The HTTP layer: by default the client makes (and closes) its own aiohttp session. Give it your own `session`, or
    a `connector` for the session it makes, to share a pool or configure TLS; it never closes what it did not make.
    `proxy` sends every request through an HTTP proxy; HTTPS_PROXY and the like are read only with `trust_env=True`.

    `rate_limit` (requests per second) paces every request the client makes, retries included: commissioning,
    telemetry, site calls, every copy from `with_options`. With `rate_limit_store="redis://host:port/db"` (or a
    `limits.aio.storage.Storage`) the rate is shared by every process using that store with the same token and base
    URL (the `redis` extra: `pip install 'flip-async[redis]'`); its key is a hash, never the token.

    Cloud API resources: `sites`, `sessions`, `commands`, `programs`, `telemetry`, `settings`, `supplements`, and
    `commission()` / `commission_many()`. Mobile App API: `site(site_id)`, whose site token is renewed
    `site_token_margin` seconds before it expires by `clock` (a timezone-aware "now"; tests inject one).
    """

    sites = resource(resources.Sites)
    """`Sites`: the sites registered at Flip, page by page, and their site tokens."""
    sessions = resource(resources.Sessions)
    """`Sessions`: single-use tokens that open Flip's white-label portal for a site."""
    commands = resource(resources.Commands)
    """`Commands`: the dispatch commands for the fleet's devices, and their acknowledgement."""
    programs = resource(resources.Programs)
    """`Programs`: the programs open to a kind of device, before any site is commissioned."""
    telemetry = resource(resources.Telemetry)
    """`Telemetry`: monitoring data, any number of points, sent in batches."""
    settings = resource(resources.Settings)
    """`Settings`: reports on the settings requests of `settings.apply` webhooks."""
    supplements = resource(resources.Supplements)
    """`Supplements`: a newer operation Flip lists without documenting it."""

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        connection_limit: int = 100,
        retry_policy: RetryPolicy | None = None,
        user_agent: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        trust_env: bool = False,
        session: aiohttp.ClientSession | None = None,
        connector: aiohttp.BaseConnector | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        rate_limit: float | None = None,
        rate_limit_store: Store | None = None,
        site_token_margin: float = 60.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        token = token or os.environ.get("FLIP_API_TOKEN")
        if not token:
            raise FlipError("no API token: pass FlipClient(token=...) or set FLIP_API_TOKEN")
        base_url = (base_url or os.environ.get("FLIP_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        if rate_limit_store is not None and rate_limit is None:
            raise ValueError("rate_limit_store= shares a rate_limit=; give the rate too")
        pacing = (
            None if rate_limit is None else RateLimit(rate_limit, key=key_for(token, base_url), store=rate_limit_store)
        )
        super().__init__(
            Transport(
                base_url=base_url,
                token=token,
                timeout=_environment.timeout() if timeout is None else timeout,
                max_retries=_environment.max_retries() if max_retries is None else max_retries,
                connection_limit=connection_limit,
                retry_policy=retry_policy,
                user_agent=user_agent,
                default_headers=default_headers,
                proxy=proxy,
                trust_env=trust_env,
                session=session,
                connector=connector,
                max_response_size=max_response_size,
                rate_limit=pacing,
            )
        )
        self._site_tokens = SiteTokens(
            self._issue_site_token, clock=clock or utc_now, margin=timedelta(seconds=site_token_margin)
        )
        self._bulk = BulkCommissioner(self._commission, self._site_exists, api=self.base_url)

    def __repr__(self) -> str:
        return f"FlipClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client; the connection pool too, unless this is a `with_options` copy, which does not own it.

        A bulk run its caller left without closing (a `break` out of the loop) first gets to finish, and journal, the
        requests it has in flight.
        """
        await self._bulk.settle()
        await super().aclose()

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> Self:
        """This client with another `timeout` (seconds per attempt) or `max_retries` for every call made through it.

        `flip.with_options(timeout=5).sites.list()`; its site clients inherit the options. The copy shares this
        client's connection pool and site tokens without owning them: closing the copy leaves this client working,
        closing this client closes the pool for every copy. Invalid values raise ValueError here.
        """
        clone = self._copy(
            timeout=None if timeout is None else check_timeout(timeout),
            max_retries=None if max_retries is None else check_max_retries(max_retries),
        )
        for name, value in list(vars(clone).items()):
            if isinstance(value, Resource | FlipClientWithRawResponse):  # made for, and bound to, the original
                del vars(clone)[name]
        # Its own runs, which closing the copy settles, sent with the copy's options.
        clone._bulk = BulkCommissioner(clone._commission, clone._site_exists, api=clone.base_url)
        return clone

    @functools.cached_property
    def with_raw_response(self) -> FlipClientWithRawResponse:
        """This client's methods answering with their RawResponse: `status_code`, `headers`, `request_id`,
        `attempts`, `elapsed`, `content` and `parse()` (what the method returns).

        `raw = await flip.with_raw_response.sites.list(); raw.request_id; sites = raw.parse()`.
        """
        return FlipClientWithRawResponse(self)

    def site(self, site_id: str) -> SiteClient:
        """The Mobile App API for one site, over this client's connections and with its options.

        Its site token is fetched on first use and kept (per site, never shared with another) for the next
        SiteClient of the same site too, until shortly before it expires.
        """
        return SiteClient(self, site_id, self._site_tokens.keeper(site_id))

    async def commission(
        self, request: models.CommissionRequest | Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> models.CommissionResponse:
        """Create a site and its devices at Flip (operation `commission`); the answer lists the site's programs.

        The request is validated first (RequestValidationError, nothing sent). A site id Flip already has raises
        ConflictError, never retried.
        """
        valid = validated(request, models.CommissionRequest)
        return (await self._commission(valid, **options)).value

    def commission_many(
        self,
        rows: Iterable[Row] | AsyncIterable[Row],
        *,
        concurrency: int = 16,
        journal: str | os.PathLike[str] | Journal | None = None,
        rate_limit: float | None = None,
        ordered: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
        on_outcome: Callable[[CommissionOutcome], object] | None = None,
        on_drain: Callable[[int, float], object] | None = None,
    ) -> AsyncGenerator[CommissionOutcome, None]:
        """Commission every row (a CommissionRequest or its wire mapping), yielding exactly one outcome per row.

        At most `concurrency` requests are in flight, and at most `rate_limit` start per second. Outcomes come in
        completion order, or in input order with `ordered=True`. `timeout` and `max_retries` apply to each row's
        request (and to the checks a 409 or a resume make).

        With a `journal` (a path; or a `Journal` opened by the caller, e.g. to name the API it belongs to), each row
        is recorded just before its request is sent and again as soon as it finishes, before its outcome is yielded.
        A rerun skips the sites the journal shows done, asks Flip about those it shows sent without an answer (and
        sends them only if Flip does not have them), and sends the rest. A journal of another API, or one another run
        holds, is refused at once (JournalMismatchError, JournalInUseError).

        A run whose client token Flip refuses (401 or 403), or whose API is unreachable (UNREACHABLE_AFTER rows in a
        row failing to connect), stops sending: the rows after that are `not_sent`, with the reason as their error.

        `on_outcome` is called with each outcome as soon as it is journaled. It also sees the rows that finish while
        a cancelled (or abandoned) run drains: those are never yielded. Cancelled, a run gives its requests in flight
        their own timeout to finish (`on_drain(in_flight, seconds)` is told when that starts); cancelled again, it
        abandons them, each `unconfirmed`. If `rows` itself raises, the rows already started finish and are yielded
        first, then the error propagates. Invalid settings raise ValueError here.
        """
        settings = RunSettings(
            concurrency=concurrency,
            journal=journal,
            rate_limit=rate_limit,
            ordered=ordered,
            timeout=timeout,
            max_retries=max_retries,
            on_outcome=on_outcome,
            on_drain=on_drain,
            drain_seconds=timeout or self._timeout or self._transport.timeout,
        )
        return self._bulk.commission_many(rows, settings)

    @operation("commission")
    async def _commission(
        self,
        send: Send[models.CommissionResponse],
        request: models.CommissionRequest,
        *,
        on_throttle: Callable[[float], object] | None = None,
        **options: Unpack[CallOptions],
    ) -> Parsed[models.CommissionResponse]:
        """Send an already validated commission request; the bulk engine reads the attempts off the response, and
        slows down at each 429 `on_throttle` is told of."""
        return await send.parsed(body=request, subject=f"site {request.site.id}", on_throttle=on_throttle, **options)

    async def _site_exists(self, site_id: str, **options: Unpack[CallOptions]) -> bool:
        """Whether Flip has the site: it issues a site token only for a site it has."""
        try:
            await self.sites.token(site_id, **options)
        except NotFoundError:
            return False
        return True

    async def _issue_site_token(self, site_id: str) -> models.SiteToken:
        return await self.sites.token(site_id)


class FlipClientWithRawResponse:
    """`flip.with_raw_response`: each method answering with its RawResponse; `site(site_id)` for the Mobile App API."""

    def __init__(self, client: FlipClient) -> None:
        self._client = client
        self.commission = raw_response(client.commission)
        self.sites = resources.SitesWithRawResponse(client.sites)
        self.sessions = resources.SessionsWithRawResponse(client.sessions)
        self.commands = resources.CommandsWithRawResponse(client.commands)
        self.programs = resources.ProgramsWithRawResponse(client.programs)
        self.telemetry = resources.TelemetryWithRawResponse(client.telemetry)
        self.settings = resources.SettingsWithRawResponse(client.settings)
        self.supplements = resources.SupplementsWithRawResponse(client.supplements)

    def site(self, site_id: str) -> SiteClientWithRawResponse:
        return self._client.site(site_id).with_raw_response
