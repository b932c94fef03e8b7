"""Operations: each client method declares the spec operation it implements, and a registry maps one to the other."""

from __future__ import annotations

import enum
import functools
import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

import attrs

from flip_async.errors import Problem, RequestValidationError

if TYPE_CHECKING:
    from flip_async._client import Parsed
    from flip_async._transport import Params

__all__ = ["REGISTRY", "Auth", "Call", "Operation", "Send", "Sender", "operation"]

T = TypeVar("T")
P = ParamSpec("P")
S = TypeVar("S", bound="Sender")

_PATH_PARAM = re.compile(r"\{(\w+)\}")
# What the transport would alter on the way (it percent-encodes the path itself but keeps `/`, dot segments and
# existing escapes), so an id holding one of these would reach Flip as another id, or another path.
_UNSENDABLE = re.compile(r"/|%[0-9A-Fa-f]{2}|^\.{1,2}$")


class Auth(enum.StrEnum):
    """The token an operation takes, named as the spec's security schemes are."""

    CLIENT = "ClientToken"
    SITE = "SiteToken"


@attrs.frozen
class Operation:
    """One operation of openapi/flip.yaml: `path` is the spec's template (`/v1/site/{siteId}/device/{deviceId}`)."""

    operation_id: str
    method: str
    path: str
    auth: Auth

    def url_path(self, values: Mapping[str, str]) -> str:
        """The path with each `{name}` replaced by its value; RequestValidationError for a value it cannot carry."""
        problems = [
            Problem(name, f"{value!r} cannot go in a URL path as is: not empty, '.' or '..', nor with '/' or %XX")
            for name, value in values.items()
            if not value or _UNSENDABLE.search(value)
        ]
        if problems:
            raise RequestValidationError(problems, model=f"the path of {self.operation_id}")
        return _PATH_PARAM.sub(lambda match: values[match[1]], self.path)


@attrs.frozen(kw_only=True)
class Call:
    """One request of an operation: path parameters (a site client adds `siteId`), query, body (a model or a wire
    mapping; None for none) and this call's own `timeout` and `max_retries`."""

    operation: Operation
    path: Mapping[str, str] = attrs.field(factory=dict)
    params: Params | None = None
    body: Any = None
    timeout: float | None = None
    max_retries: int | None = None


class Sender(Protocol):
    """What sends a call: the client (client token), or a site client (site id and site token)."""

    async def _send(self, call: Call, cast_to: type[T]) -> Parsed[T]: ...


@attrs.frozen
class Send(Generic[S]):
    """One operation bound to its sender: what an `@operation` method gets to send its request with.

    The answer is decoded into `cast_to`; an empty answer (204) decodes as null. A method that needs the whole
    response (attempts, headers) sends `Call(operation=send.operation, ...)` through its sender itself.
    """

    sender: S
    operation: Operation

    async def __call__(
        self,
        cast_to: type[T],
        *,
        path: Mapping[str, str] | None = None,
        params: Params | None = None,
        body: Any = None,
    ) -> T:
        call = Call(operation=self.operation, path=path or {}, params=params, body=body)
        return (await self.sender._send(call, cast_to)).value


@attrs.frozen
class Registered:
    """A spec operation and the method that implements it."""

    operation: Operation
    method: Callable[..., Awaitable[Any]]


REGISTRY: dict[str, Registered] = {}
"""Every implemented operation by operationId; tests/test_coverage.py checks it against openapi/flip.yaml."""


def operation(
    operation_id: str, method: str, path: str, *, auth: Auth = Auth.CLIENT
) -> Callable[[Callable[Concatenate[S, Send[S], P], Awaitable[T]]], Callable[Concatenate[S, P], Awaitable[T]]]:
    """Declare the spec operation a method implements; the method gets it bound to `self` as `send`.

    The method's public signature leaves `send` out. A second method for the same operationId is a bug, caught at
    import.
    """
    spec = Operation(operation_id, method, path, auth)

    def decorate(
        function: Callable[Concatenate[S, Send[S], P], Awaitable[T]],
    ) -> Callable[Concatenate[S, P], Awaitable[T]]:
        @functools.wraps(function)
        async def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
            return await function(self, Send(self, spec), *args, **kwargs)

        if operation_id in REGISTRY:
            raise RuntimeError(f"{operation_id} is implemented twice: {REGISTRY[operation_id].method.__qualname__}")
        REGISTRY[operation_id] = Registered(spec, wrapper)
        wrapper.__signature__ = _without_send(inspect.signature(function))  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _without_send(signature: inspect.Signature) -> inspect.Signature:
    """`(self, send, ...)` as `(self, ...)`: what callers see in help() and IDEs."""
    self_parameter, _send, *rest = signature.parameters.values()
    return signature.replace(parameters=[self_parameter, *rest])
