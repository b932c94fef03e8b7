"""Reading a request's parameters and body by its operation's schemas, or the 422 that says why they cannot be."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import orjson
from aiohttp import web

from flip_async import _converter, _json, models
from flip_async._spec_types import JSONSchema, Operation
from flip_async.sandbox._schema import Schema, from_text
from flip_async.sandbox._wire import Invalid, Rejected, problem_detail

BodyReader = Callable[["Body", Any], Any]
"""Turns a decoded JSON body into what the handler gets, or raises Invalid."""


@attrs.frozen
class Body:
    """An operation's JSON body: the schema it must pass, and the Python type it is then structured into."""

    schema: Schema
    type: Any

    def problems(self, document: Any) -> list[models.ValidationError]:
        return self.schema.problems(document, ("body",))

    def structured(self, document: Any) -> Any:
        """A valid body as its model (a free-form one as the JSON object it is)."""
        try:
            return _converter.structure(document, self.type)
        except _converter.WireShapeError as exc:  # the schema passed what the model cannot carry: still the client's
            raise Invalid(problem_detail("body", problem) for problem in exc.problems) from None


class RequestReader:
    """One operation's way of reading requests: path and query parameters, then the JSON body."""

    def __init__(self, operation: Operation, definitions: Mapping[str, JSONSchema]) -> None:
        self.operation = operation
        self._definitions = definitions
        self._parameters = [(parameter, Schema(parameter.schema, definitions)) for parameter in operation.parameters]
        self._body = (
            None if operation.body_schema is None else Body(Schema(operation.body_schema, definitions), operation.body)
        )

    async def read(self, request: web.Request, read_body: BodyReader) -> tuple[dict[str, Any], Any]:
        """The parameters by name (None for an absent optional one) and the body as `read_body` gives it.

        Invalid lists every problem of the parameters and the body at once, as FastAPI does.
        """
        params, problems = self._params(request)
        body = None
        if self._body is not None:
            content = await _body_bytes(request)
            if content.strip() or self.operation.body_required:
                try:
                    body = read_body(self._body, self._decoded(content))
                except Invalid as exc:
                    problems.extend(exc.details)
        if problems:
            raise Invalid(problems)
        return params, body

    def _params(self, request: web.Request) -> tuple[dict[str, Any], list[models.ValidationError]]:
        params: dict[str, Any] = {}
        problems: list[models.ValidationError] = []
        for parameter, schema in self._parameters:
            location = (parameter.location, parameter.name)
            if parameter.location == "path":
                texts = [request.match_info[parameter.name]]
            else:
                texts = request.query.getall(parameter.name, [])
            if not texts:
                if parameter.required:
                    problems.append(models.ValidationError(loc=list(location), msg="Field required", type="missing"))
                params[parameter.name] = self._default(parameter.schema, parameter.type)
                continue
            try:
                value = from_text(texts, parameter.schema, self._definitions)
            except ValueError as exc:
                problems.append(models.ValidationError(loc=list(location), msg=str(exc), type="value_error"))
                continue
            if found := schema.problems(value, location):
                problems.extend(found)
            else:
                params[parameter.name] = _converter.structure(value, parameter.type)
        return params, problems

    def _default(self, schema: JSONSchema, cls: Any) -> Any:
        return _converter.structure(schema["default"], cls) if "default" in schema else None

    def _decoded(self, content: bytes) -> Any:
        """The decoded JSON body; Invalid (FastAPI's 422) when there is none, it is not JSON, or it is nested deeper
        than the SDK reads (a document that deep would fail later, when stored or answered)."""
        if not content.strip():
            raise Invalid([models.ValidationError(loc=["body"], msg="Field required", type="missing")])
        try:
            return _json.loads(content)
        except orjson.JSONDecodeError as exc:
            problem = models.ValidationError(
                loc=["body", exc.pos], msg=f"JSON decode error: {exc.msg}", type="json_invalid"
            )
            raise Invalid([problem]) from None
        except _json.NestingError as exc:
            raise Invalid([models.ValidationError(loc=["body"], msg=str(exc), type="value_error")]) from None


async def _body_bytes(request: web.Request) -> bytes:
    """The request's body; Rejected (400, as uvicorn answers) when it cannot be read: a broken chunked encoding, a
    Content-Encoding it does not decode."""
    try:
        return await request.read()
    except web.RequestPayloadError as exc:
        cause = exc.__cause__
        why = " ".join(str(getattr(cause, "message", cause) or "broken payload").split())
        raise Rejected(400, f"the request body cannot be read: {why}") from None


# Body readers: a handler names the one it takes (the default is `model`).


def model(body: Body, document: Any) -> Any:
    """The body as its model, once the schema passes it."""
    if problems := body.problems(document):
        raise Invalid(problems)
    return body.structured(document)


@attrs.frozen
class Patch:
    """A PATCH body: the model and the wire keys it actually had (an explicit null clears a field)."""

    update: Any
    keys: frozenset[str]

    def changes(self) -> dict[str, Any]:
        """Python field name to new value, for exactly the keys the body gave."""
        return {
            field.name: getattr(self.update, field.name)
            for field in attrs.fields(type(self.update))
            if _converter.wire_name(field) in self.keys
        }


def patch(body: Body, document: Any) -> Patch:
    return Patch(model(body, document), frozenset(document))


@attrs.frozen
class Points:
    """A telemetry body: its data points, and why each bad one is bad, by index."""

    points: list[Any]
    problems: Mapping[int, str]


def points(body: Body, document: Any) -> Points:
    """A telemetry body: a bad envelope is a 422, a bad data point only fails that point."""
    envelope: list[models.ValidationError] = []
    by_point: dict[int, list[str]] = {}
    for problem in body.problems(document):
        match problem.loc:
            case ["body", "telemetry", int(index), *within]:
                by_point.setdefault(index, []).append(f"{_dotted(within)}: {problem.msg}" if within else problem.msg)
            case _:
                envelope.append(problem)
    if envelope:
        raise Invalid(envelope)
    return Points(document.get("telemetry") or [], {index: "; ".join(found) for index, found in by_point.items()})


def _dotted(loc: list[str | int]) -> str:
    """`["attributes", 0, "x"]` as `attributes[0].x`, the way a point's problem reads within the point."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).removeprefix(".")
