"""FlipClient: the public entry point, one thin method per API operation over the shared transport."""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Mapping
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import attrs

from flip_async import _converter, bulk, models
from flip_async._transport import Response, RetryPolicy, Transport
from flip_async._validation import validated
from flip_async.bulk import CommissionOutcome, Row
from flip_async.errors import FlipError, ResponseValidationError

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
    never includes time spent waiting for one of the `connection_limit` pooled connections; each call may override
    `timeout` and `max_retries`. `user_agent` is appended to flip-async's own product token.
    """

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

    def __repr__(self) -> str:
        return f"FlipClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._transport.aclose()

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

    def commission_many(
        self,
        rows: Iterable[Row] | AsyncIterable[Row],
        *,
        concurrency: int = 16,
        journal: str | os.PathLike[str] | None = None,
        rate_limit: float | None = None,
        ordered: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[CommissionOutcome, None]:
        """Commission every row (a CommissionRequest or its wire mapping), yielding exactly one outcome per row.

        At most `concurrency` requests are in flight, and at most `rate_limit` start per second. Outcomes come in
        completion order, or in input order with `ordered=True`. With a `journal` (a JSON Lines file), each finished
        row is recorded before its outcome is yielded, and a rerun skips the sites it shows as done.
        See `flip_async.bulk` for the statuses.
        """
        return bulk.commission_many(
            self,
            rows,
            concurrency=concurrency,
            journal=journal,
            rate_limit=rate_limit,
            ordered=ordered,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def _commission(
        self, request: models.CommissionRequest, *, timeout: float | None, max_retries: int | None
    ) -> Parsed[models.CommissionResponse]:
        """Send an already validated commission request."""
        return await self._call(
            "POST", "/v1/commission", models.CommissionResponse, body=request, timeout=timeout, max_retries=max_retries
        )

    async def _call(
        self,
        method: str,
        path: str,
        cast_to: type[T],
        *,
        body: Any = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Parsed[T]:
        """Send one operation and decode its answer into `cast_to`."""
        response = await self._transport.request(
            method,
            path,
            body=None if body is None else _converter.dumps(body),
            timeout=timeout,
            max_retries=max_retries,
        )
        try:
            return Parsed(_converter.loads(response.content, cast_to), response)
        except _converter.WireShapeError as exc:
            raise ResponseValidationError(
                exc.problems, model=cast_to.__name__, status_code=response.status, body=response.content
            ) from exc
