"""Raw responses: any API method called so that it answers with the HTTP response it came in as well."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Coroutine
from typing import Any, Generic, ParamSpec, TypeVar

import attrs
from multidict import CIMultiDictProxy

from flip_async._transport import Response
from flip_async.errors import ResponseValidationError

__all__ = ["RawResponse", "raw_response", "saw"]

P = ParamSpec("P")
R = TypeVar("R")


class _Seen:
    """The responses one raw call's requests came back with (a telemetry upload sends several)."""

    def __init__(self) -> None:
        self.last: Response | None = None


_SEEN: contextvars.ContextVar[_Seen | None] = contextvars.ContextVar("flip_async_raw_response", default=None)


def saw(response: Response) -> None:
    """Told of every 2xx response before it is decoded; kept only while a raw call is under way in this task."""
    seen = _SEEN.get()
    if seen is not None:
        seen.last = response


@attrs.frozen
class RawResponse(Generic[R]):
    """The HTTP response of a call, and `parse()` for what the method returns.

    For a method that sends several requests (a telemetry upload in batches), the response of the last one.
    """

    response: Response = attrs.field(repr=False)
    _parsed: R | None = attrs.field(alias="parsed", repr=False)
    _error: ResponseValidationError | None = attrs.field(default=None, alias="error", repr=False)

    @property
    def status_code(self) -> int:
        return self.response.status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self.response.headers

    @property
    def request_id(self) -> str | None:
        """The id Flip gave the request (`x-request-id`), to quote to Flip's support."""
        return self.response.request_id

    @property
    def attempts(self) -> int:
        """HTTP attempts made, retries included."""
        return self.response.attempts

    @property
    def elapsed(self) -> float:
        """Seconds from the first attempt to the answer, retry waits included."""
        return self.response.elapsed

    @property
    def content(self) -> bytes:
        """The body as received."""
        return self.response.content

    def parse(self) -> R:
        """What the method returns; ResponseValidationError if the body did not fit its model."""
        if self._error is not None:
            raise self._error
        return self._parsed  # type: ignore[return-value]  # None only where R admits it


def raw_response(method: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, RawResponse[R]]]:
    """`method`, answering with its RawResponse instead of its parsed result (which `.parse()` gives)."""

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
        seen = _Seen()
        token = _SEEN.set(seen)
        try:
            parsed = await method(*args, **kwargs)
        except ResponseValidationError as exc:
            if seen.last is None:
                raise
            return RawResponse(seen.last, parsed=None, error=exc)
        finally:
            _SEEN.reset(token)
        assert seen.last is not None, f"{method.__qualname__} sent no request"
        return RawResponse(seen.last, parsed=parsed)

    return call
