"""Request parts besides model bodies: query values, ids for paths, and PATCH bodies of exactly the given fields."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar
from uuid import UUID

from flip_async import _converter, _json
from flip_async._transport import Params
from flip_async._validation import validated
from flip_async.errors import Problem, RequestValidationError

__all__ = [
    "integer",
    "json_object",
    "member",
    "members",
    "patch_body",
    "query",
    "uuid_text",
    "wire",
]

E = TypeVar("E", bound=enum.Enum)

Scalar = str | int | enum.Enum


def query(**values: Scalar | Iterable[Scalar] | None) -> Params:
    """Query parameters as sent: None left out, enums by value, numbers as text, a sequence as a repeated key."""
    params: dict[str, str | list[str]] = {}
    for name, value in values.items():
        if value is not None:
            params[name] = _text(value) if isinstance(value, Scalar) else [_text(item) for item in value]
    return params


def _text(value: Scalar) -> str:
    if isinstance(value, bool):  # an int, to isinstance(); never meant as 0 or 1 here
        raise TypeError("a query value must not be a bool")
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


def member(enum_class: type[E], value: E | str, name: str) -> E:
    """`value` as a member of `enum_class`; RequestValidationError naming the parameter when it is none."""
    try:
        return enum_class(value)
    except ValueError:
        choices = ", ".join(str(item.value) for item in enum_class)
        raise RequestValidationError([Problem(name, f"{value!r} is not one of: {choices}")]) from None


def members(enum_class: type[E], values: Iterable[E | str], name: str) -> list[E]:
    """Each value as a member of `enum_class`, every bad one reported at once."""
    problems: list[Problem] = []
    found: list[E] = []
    for index, value in enumerate(values):
        try:
            found.append(member(enum_class, value, f"{name}[{index}]"))
        except RequestValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RequestValidationError(problems)
    return found


def integer(value: int, name: str, *, minimum: int | None = None) -> int:
    """An integer parameter, at least the spec's `minimum` when it sets one."""
    if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
        wanted = "an integer" if minimum is None else f"an integer >= {minimum}"
        raise RequestValidationError([Problem(name, f"must be {wanted}, got {value!r}")])
    return value


def uuid_text(value: UUID | str, name: str) -> str:
    """A Flip id (format uuid) for a path, in its canonical form."""
    try:
        return str(value if isinstance(value, UUID) else UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise RequestValidationError([Problem(name, f"{value!r} is not a valid UUID")]) from None


def json_object(value: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A body the spec leaves free-form: any JSON object, sent as given (if JSON can carry its nesting)."""
    if not isinstance(value, Mapping):
        raise RequestValidationError([Problem(name, f"expected an object, got {type(value).__name__}")])
    if _json.depth(value) > _json.MAX_DEPTH:
        raise RequestValidationError([Problem(name, f"nested deeper than {_json.MAX_DEPTH} levels")])
    return value


def patch_body(changes: Mapping[str, Any], model: type[Any]) -> dict[str, Any]:
    """The wire body of a PATCH: exactly the keys given in `changes`, validated as `model`.

    A key set to None sends JSON null, which clears the field where the spec lets it be null and is a
    RequestValidationError elsewhere; a key left out is not sent, so Flip keeps its value.
    """
    body = {key: wire(value, key) for key, value in changes.items()}
    validated(body, model)
    return body


def wire(value: Any, name: str) -> Any:
    """`value` as the JSON document it is sent as: a model becomes the mapping it stands for, to be checked as one."""
    try:
        return _converter.unstructure(value)
    except (AttributeError, TypeError, ValueError) as exc:  # e.g. a model built with a string for a date-time
        raise RequestValidationError([Problem(name, f"cannot be written as JSON: {exc}")]) from None
