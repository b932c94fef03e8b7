"""Reading a request's parameters and body per the spec, or the 400 / 422 that says why they cannot be read."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar
from uuid import UUID

import attrs
import orjson
from aiohttp import web

from flip_async import _converter, models
from flip_async._validation import validated
from flip_async.errors import Problem, RequestValidationError
from flip_async.sandbox._wire import Invalid, Rejected, problem_detail

T = TypeVar("T")

BodyReader = Callable[[Any], Any]
"""Turns a decoded JSON body into what the handler gets, or raises Invalid."""

_POINT_PATH = re.compile(r"telemetry\[(\d+)\]")


@attrs.frozen
class Param:
    """A path or query parameter: `parse` turns its text into a value or raises ValueError saying what is wrong."""

    name: str
    location: Literal["path", "query"]
    parse: Callable[[str], Any] = str
    required: bool = False
    default: Any = None
    repeated: bool = False  # a query parameter given once per value (`status=A&status=B`)


def path_param(name: str, parse: Callable[[str], Any] = str) -> Param:
    return Param(name, "path", parse, required=True)


def query_param(name: str, parse: Callable[[str], Any] = str, *, required: bool = False, default: Any = None) -> Param:
    return Param(name, "query", parse, required=required, default=default)


def repeated_query_param(name: str, parse: Callable[[str], Any]) -> Param:
    return Param(name, "query", parse, repeated=True)


def integer(minimum: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"expected an integer, got {text!r}") from None
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid UUID") from None


def member(enum_class: type[enum.Enum]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return enum_class(text)
        except ValueError:
            choices = ", ".join(str(item.value) for item in enum_class)
            raise ValueError(f"{text!r} is not one of: {choices}") from None

    return parse


def read_params(params: tuple[Param, ...], request: web.Request) -> dict[str, Any]:
    """Each parameter by name, parsed; Invalid lists every problem at once."""
    values: dict[str, Any] = {}
    details: list[models.ValidationError] = []
    for param in params:
        try:
            values[param.name] = _read_param(param, request)
        except ValueError as exc:
            details.append(models.ValidationError(loc=[param.location, param.name], msg=str(exc), type="value_error"))
    if details:
        raise Invalid(details)
    return values


def _read_param(param: Param, request: web.Request) -> Any:
    if param.location == "path":
        return param.parse(request.match_info[param.name])
    if param.repeated:
        return [param.parse(text) for text in request.query.getall(param.name, [])]
    text = request.query.get(param.name)
    if text is None:
        if param.required:
            raise ValueError("is required")
        return param.default
    return param.parse(text)


async def read_body(request: web.Request, reader: BodyReader, *, malformed_status: int) -> Any:
    """The body decoded and read by `reader`; 422 when it is missing or breaks the spec.

    A body that is not JSON at all answers `malformed_status`: 400 with an ErrorResponse, or 422 with FastAPI's own
    `json_invalid` detail.
    """
    content = await request.read()
    if not content.strip():
        raise Invalid([models.ValidationError(loc=["body"], msg="a JSON body is required", type="missing")])
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        if malformed_status == 400:
            raise Rejected(400, "MALFORMED_JSON", f"the body is not valid JSON ({exc})") from None
        raise Invalid(
            [models.ValidationError(loc=["body", exc.pos], msg="JSON decode error", type="json_invalid")]
        ) from None
    return reader(document)


def model(cls: type[T]) -> Callable[[Any], T]:
    """A reader that validates the body as `cls` with the SDK's own request rules."""

    def read(document: Any) -> T:
        try:
            return validated(document, cls)
        except RequestValidationError as exc:
            raise Invalid(problem_detail("body", problem) for problem in exc.problems) from None

    return read


@attrs.frozen
class Patch:
    """A PATCH body: the validated model and the wire keys it actually had (an explicit null clears a field)."""

    update: Any
    keys: frozenset[str]

    def changes(self) -> dict[str, Any]:
        """Python field name to new value, for exactly the keys the body gave."""
        return {
            field.name: getattr(self.update, field.name)
            for field in attrs.fields(type(self.update))
            if _converter.wire_name(field) in self.keys
        }


def patch(cls: type[Any]) -> BodyReader:
    read_model = model(cls)
    return lambda document: Patch(read_model(document), frozenset(document))


def free_form(document: Any) -> dict[str, Any]:
    """A body the spec leaves undocumented: any JSON object."""
    if not isinstance(document, dict):
        raise Invalid([problem_detail("body", Problem("$", "expected a JSON object"))])
    return document


@attrs.frozen
class Points:
    """A telemetry body: the raw data points, and the problems of each bad one by index (paths within the point)."""

    points: list[Any]
    problems: Mapping[int, list[Problem]]


def points(cls: type[Any]) -> BodyReader:
    """A reader for a telemetry body: a bad envelope is a 422, a bad data point only fails that point."""

    def read(document: Any) -> Points:
        try:
            validated(document, cls)
        except RequestValidationError as exc:
            envelope = [problem for problem in exc.problems if not _POINT_PATH.match(problem.path)]
            if envelope:
                raise Invalid(problem_detail("body", problem) for problem in envelope) from None
            by_point: dict[int, list[Problem]] = {}
            for problem in exc.problems:
                index, within = _split_point_path(problem.path)
                by_point.setdefault(index, []).append(Problem(within, problem.message))
            return Points(document["telemetry"], by_point)
        return Points(document.get("telemetry") or [], {})

    return read


def _split_point_path(wire_path: str) -> tuple[int, str]:
    """`telemetry[2].home_total_energy_wh` as (2, "home_total_energy_wh"): a point's problem, told within the point."""
    match = _POINT_PATH.match(wire_path)
    assert match is not None
    return int(match[1]), wire_path[match.end() :].removeprefix(".")
