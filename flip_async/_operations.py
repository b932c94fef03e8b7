"""API methods name the spec operation they implement; `Send` sends it, and a registry maps each to its method."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypedDict, TypeVar

import attrs

from flip_async._base_client import Call, Parsed
from flip_async._spec import OPERATIONS
from flip_async._spec_types import Operation
from flip_async._transport import Params

__all__ = ["REGISTRY", "CallOptions", "Send", "Sender", "operation"]

A = TypeVar("A")  # what the operation answers
R = TypeVar("R")  # what the method returns
P = ParamSpec("P")
S = TypeVar("S", bound="Sender")


class CallOptions(TypedDict, total=False):
    """The keyword arguments every API method takes, for that call only."""

    timeout: float | None
    """Seconds per attempt (the client's default when None)."""
    max_retries: int | None
    """Retries after the first attempt (the client's default when None)."""


class Sender(Protocol):
    """What sends a call: a client (with the client token), or a site client (site id and site token)."""

    async def _send(self, call: Call) -> Parsed[Any]: ...


@attrs.frozen
class Send(Generic[A]):
    """One operation bound to its sender: what an `@operation` method sends its request with.

    `await send(path=..., params=..., body=..., **options)` is the decoded answer, typed as the method's `Send[...]`
    says (tests/test_coverage.py checks that against the spec); `send.parsed(...)` also gives the response.
    """

    sender: Sender
    operation: Operation

    async def __call__(
        self,
        *,
        path: Mapping[str, str] | None = None,
        params: Params | None = None,
        body: Any = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> A:
        parsed = await self.parsed(path=path, params=params, body=body, timeout=timeout, max_retries=max_retries)
        return parsed.value

    async def parsed(
        self,
        *,
        path: Mapping[str, str] | None = None,
        params: Params | None = None,
        body: Any = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        subject: str | None = None,
        on_throttle: Callable[[float], object] | None = None,
    ) -> Parsed[A]:
        call = Call(
            operation=self.operation,
            path=path or {},
            params=params,
            body=body,
            timeout=timeout,
            max_retries=max_retries,
            subject=subject,
            on_throttle=on_throttle,
        )
        answer: Parsed[A] = await self.sender._send(call)
        return answer


@attrs.frozen
class Registered:
    """A spec operation and the method that implements it."""

    operation: Operation
    method: Callable[..., Coroutine[Any, Any, Any]]


REGISTRY: dict[str, Registered] = {}
"""Every implemented operation by operationId; tests/test_coverage.py checks it against the generated table."""


def operation(
    operation_id: str,
) -> Callable[
    [Callable[Concatenate[S, Send[A], P], Coroutine[Any, Any, R]]], Callable[Concatenate[S, P], Coroutine[Any, Any, R]]
]:
    """Declare the spec operation a method implements; the method gets it bound to `self` as `send`.

    Method, path and token come from the generated table (`_spec.OPERATIONS`). The method's public signature leaves
    `send` out. An operationId the spec lacks, or a second method for one, is a bug caught at import.
    """
    try:
        spec = OPERATIONS[operation_id]
    except KeyError:
        raise LookupError(f"{operation_id!r} is not an operation of openapi/flip.yaml") from None

    def decorate(
        function: Callable[Concatenate[S, Send[A], P], Coroutine[Any, Any, R]],
    ) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
        @functools.wraps(function)
        async def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return await function(self, Send(self, spec), *args, **kwargs)

        if operation_id in REGISTRY:
            raise RuntimeError(f"{operation_id} is implemented twice: {REGISTRY[operation_id].method.__qualname__}")
        REGISTRY[operation_id] = Registered(spec, wrapper)
        wrapper.__signature__ = _without_send(inspect.signature(function))  # type: ignore[attr-defined]
        wrapper.__doc__ = _documented(function.__doc__, spec)
        return wrapper

    return decorate


def _documented(doc: str | None, spec: Operation) -> str:
    """The method's docstring, then the operation it sends, from the table: help() and the API reference show it."""
    sends = f'Sends `{spec.method} {spec.path}` (Flip\'s "{spec.summary}", operation `{spec.operation_id}`).'
    return f"{inspect.cleandoc(doc)}\n\n{sends}" if doc else sends


def _without_send(signature: inspect.Signature) -> inspect.Signature:
    """`(self, send, ...)` as `(self, ...)`: what callers see in help() and IDEs."""
    self_parameter, _send, *rest = signature.parameters.values()
    return signature.replace(parameters=[self_parameter, *rest])
