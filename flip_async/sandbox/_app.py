"""The aiohttp application: a route per operation of the table (and of the sandbox's control surface), each
authenticated, read, handled and answered in JSON."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from flip_async._spec import DEFS
from flip_async._spec_types import Operation
from flip_async.sandbox._auth import Authenticator
from flip_async.sandbox._faults import FaultInjector
from flip_async.sandbox._handlers import HANDLERS, Call, Implementation
from flip_async.sandbox._limit import RequestLimit
from flip_async.sandbox._requests import RequestReader
from flip_async.sandbox._state import SandboxState
from flip_async.sandbox._wire import Invalid, Rejected, error_response, json_response, validation_response

# FastAPI behind uvicorn sets no body limit; aiohttp's 1 MiB default would refuse 1,000 rich telemetry points.
MAX_BODY_BYTES = 64 * 1024**2


def build_app(
    operations: Mapping[str, Operation],
    state: SandboxState,
    auth: Authenticator,
    injector: FaultInjector,
    control: Iterable[tuple[Operation, Implementation]] = (),
    limit: RequestLimit | None = None,
) -> web.Application:
    """Every operation of `operations` at its method and path, named by its operationId; 501 where no handler is.

    The `control` routes are served alike but left unnamed: only the named routes, Flip's operations, are counted in
    the stats and meet injected faults.
    """
    middlewares = [
        _request_ids,
        _count_requests(state),
        _json_errors,
        *([limit.middleware] if limit else []),
        injector.middleware,
    ]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    for operation in operations.values():
        implementation = HANDLERS.get(operation.operation_id)
        serve = (
            _not_implemented(operation.operation_id)
            if implementation is None
            else functools.partial(_serve, RequestReader(operation, DEFS), implementation, state, auth)
        )
        app.router.add_route(operation.method, operation.path, serve, name=operation.operation_id)
    for operation, implementation in control:
        serve = functools.partial(_serve, RequestReader(operation, DEFS), implementation, state, auth)
        app.router.add_route(operation.method, operation.path, serve)
    return app


async def _serve(
    reader: RequestReader,
    implementation: Implementation,
    state: SandboxState,
    auth: Authenticator,
    request: web.Request,
) -> web.Response:
    # The order FastAPI keeps: authentication, then parameters and body (422 / 400), then the operation itself.
    try:
        auth.check(reader.operation.auth, request.headers.get("Authorization"), request.match_info.get("siteId"))
        params, body = await reader.read(request, implementation.read_body)
        payload = implementation.handle(Call(state, auth, params, body))
    except Rejected as exc:
        if exc.status == 409:
            state.stats.conflicts += 1
        return error_response(exc.status, exc.message)
    except Invalid as exc:
        return validation_response(exc.details)
    return web.Response(status=204) if payload is None else json_response(payload)


def _not_implemented(operation_id: str) -> Handler:
    """An operation of the spec the sandbox has no handler for yet: the spec may grow before the sandbox does."""

    async def answer(request: web.Request) -> web.StreamResponse:
        return error_response(501, f"the sandbox does not implement {operation_id} yet")

    return answer


def _count_requests(state: SandboxState) -> Middleware:
    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        operation_id = request.match_info.route.name
        if operation_id is not None:
            state.stats.requests[operation_id] += 1
        return await handler(request)

    return count


@web.middleware
async def _request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An `x-request-id` on every answer, as the API's gateway gives one, so that outcomes and logs quote it."""
    response = await handler(request)
    response.headers["x-request-id"] = uuid.uuid4().hex
    return response


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The router's own 404 and 405 (and aiohttp's 413) as FastAPI answers them: `{"detail": "Not Found"}`."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(exc.status, exc.reason, allow)
