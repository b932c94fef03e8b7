"""Sending one call of a spec operation over the transport and decoding its answer into the operation's model."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Generic, Self, TypeVar

import attrs

from flip_async import _converter
from flip_async._error_body import parse_body
from flip_async._raw import saw
from flip_async._spec_types import Operation
from flip_async._transport import Params, Response, Transport
from flip_async.errors import Problem, RequestValidationError, ResponseValidationError

__all__ = ["BaseClient", "Call", "Parsed"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Call:
    """One request of an operation: path parameters (a site client adds `siteId`), query, body (a model or a wire
    mapping; None for none) and this call's own `timeout` and `max_retries` (None: the client's)."""

    operation: Operation
    path: Mapping[str, str] = attrs.field(factory=dict)
    params: Params | None = None
    body: Any = None
    timeout: float | None = None
    max_retries: int | None = None
    subject: str | None = None
    """What the call is about, for log lines (`site abc-789`)."""
    on_throttle: Callable[[float], object] | None = attrs.field(default=None, repr=False)
    """Told of each 429 the call meets, with the seconds Flip asked to wait (the bulk engine slows down)."""


@attrs.frozen
class Parsed(Generic[T]):
    """A decoded answer with the response it came in (attempts, elapsed time, headers)."""

    value: T
    response: Response


class BaseClient:
    """Sends calls through one transport with this client's default options; what every API method sends through.

    A client made by `_copy` shares the transport without owning it: closing the copy leaves the transport open for
    the client that owns it, and closing that one closes it for every copy (aiohttp's `connector_owner`).
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._owns_transport = True
        self._closed = False
        # Per-call defaults set by with_options(); None leaves the transport's own.
        self._timeout: float | None = None
        self._max_retries: int | None = None

    @property
    def base_url(self) -> str:
        """The API's base URL, without a trailing slash."""
        return str(self._transport.base_url).rstrip("/")

    @property
    def closed(self) -> bool:
        """Whether this client, or the connection pool it sends through, is closed."""
        return self._closed or self._transport.closed

    async def aclose(self) -> None:
        """Close this client (idempotent); the connection pool too when this client owns it."""
        self._closed = True
        if self._owns_transport:
            await self._transport.aclose()

    def _copy(self, *, timeout: float | None, max_retries: int | None) -> Self:
        """A shallow copy that shares, and does not own, this client's transport, with other per-call defaults."""
        clone = copy.copy(self)
        clone._owns_transport = False
        clone._closed = False
        if timeout is not None:
            clone._timeout = timeout
        if max_retries is not None:
            clone._max_retries = max_retries
        return clone

    async def _send(self, call: Call, *, token: str | None = None) -> Parsed[Any]:
        """Send one call and decode its answer into its operation's model; `token` replaces the client token."""
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} is closed")
        operation = call.operation
        request = self._transport.build_request(
            operation.method,
            operation.url_path(call.path),
            body=None if call.body is None else _json_body(call.body),
            params=call.params,
            token=token,
            timeout=self._timeout if call.timeout is None else call.timeout,
            max_retries=self._max_retries if call.max_retries is None else call.max_retries,
            subject=call.subject,
            on_throttle=call.on_throttle,
        )
        response = await self._transport.send(request)
        saw(response)
        answer_type = _answer_type(operation, response)
        try:
            value = None if answer_type is None else _converter.loads(response.content or b"null", answer_type)
        except _converter.WireShapeError as exc:
            raise ResponseValidationError(
                exc.problems,
                model=_type_name(answer_type),
                status_code=response.status,
                body=request.redactor.document(parse_body(response.content)),
            ) from exc
        return Parsed(value, response)


def _answer_type(operation: Operation, response: Response) -> Any:
    """The type to decode a 2xx answer as; None (nothing to decode) for an empty answer the spec allows."""
    if operation.may_answer_empty and not response.content.strip():
        return None
    return operation.success_type(response.status)


def _json_body(body: Any) -> bytes:
    """The request body as JSON; what JSON cannot carry (an int past 64 bits, a Decimal, a lone surrogate, ...)
    is a RequestValidationError, raised before anything is sent."""
    try:
        return _converter.dumps(body)
    except (TypeError, ValueError) as exc:  # orjson.JSONEncodeError is a TypeError
        raise RequestValidationError([Problem("$", f"cannot be written as JSON: {exc}")]) from None


def _type_name(cast_to: Any) -> str:
    """`Site`, `list[Site]`, `dict[str, Any]`: how an error names what the answer should have been."""
    return cast_to.__name__ if isinstance(cast_to, type) else str(cast_to).replace("flip_async.models.", "")
