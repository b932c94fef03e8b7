"""Request validation: everything a request body must satisfy before it may leave the machine."""

from __future__ import annotations

import enum
import functools
import operator
import re
import types
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, TypeVar, Union, get_args, get_origin
from uuid import UUID

import attrs

from flip_async import _converter, models
from flip_async.errors import Problem, RequestValidationError

T = TypeVar("T")

# Deliberately loose: one "@", a dot in the domain, no spaces. Flip owns the real check; this catches typos and
# column mix-ups (a name in the email column) before a whole fleet is sent.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def validated(value: Any, cls: type[T]) -> T:
    """`value` (a `cls` instance or its wire mapping) as a `cls`, or RequestValidationError listing every problem."""
    problems = list(_check_object(value, cls, ""))
    if not problems:
        model = value if isinstance(value, cls) else _converter.structure(value, cls)
        problems = [problem for rule in _MODEL_RULES.get(cls, ()) for problem in rule(model)]
        if not problems:
            return model
    raise RequestValidationError(problems, model=cls.__name__)


def _check_object(value: Any, cls: type, path: str) -> Iterator[Problem]:
    if isinstance(value, cls):
        fields: Mapping[str, Any] = {field.name: getattr(value, field.name) for field in attrs.fields(cls)}
    elif isinstance(value, Mapping):
        by_wire = {_converter.wire_name(field): field.name for field in attrs.fields(cls)}
        for key in value:
            if key not in by_wire:
                yield Problem(_join(path, str(key)), f"unknown field (expected one of: {', '.join(by_wire)})")
        fields = {by_wire[key]: item for key, item in value.items() if key in by_wire}
    else:
        yield Problem(path or "$", f"expected an object ({cls.__name__}), got {_kind(value)}")
        return
    for field in attrs.fields(_resolved(cls)):
        field_path = _join(path, _converter.wire_name(field))
        item = fields.get(field.name)
        if item is not None:
            yield from _check_value(item, _without_none(field.type), field.metadata, field_path)
        elif field.default is attrs.NOTHING and (field.name not in fields or not _is_nullable(field.type)):
            # An unset optional field is simply left out of the body; a required one must be there, and be non-null
            # unless the schema allows null.
            yield Problem(field_path, "is required" if field.name not in fields else "must not be null")


def _check_value(value: Any, hint: Any, rules: Mapping[str, Any], path: str) -> Iterator[Problem]:
    origin = get_origin(hint)
    if _is_union(hint):
        alternatives = [list(_check_value(value, arg, rules, path)) for arg in get_args(hint)]
        if all(alternatives):
            expected = " or ".join(_spoken(getattr(arg, "__name__", str(arg))) for arg in get_args(hint))
            yield Problem(path, f"expected {expected}, got {_kind(value)}")
    elif origin is list:
        yield from _check_list(value, get_args(hint)[0], rules, path)
    elif origin is dict:
        if not isinstance(value, Mapping):
            yield Problem(path, f"expected an object, got {_kind(value)}")
    elif isinstance(hint, type) and attrs.has(hint):
        yield from _check_object(value, hint, path)
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        if not isinstance(value, str) or value not in hint._value2member_map_:
            yield Problem(path, f"{value!r} is not a valid {_spoken(hint.__name__)}")
    elif (check := _SCALAR_CHECKS.get(hint)) is not None:
        problem = check(value)
        yield from [Problem(path, problem)] if problem else _check_rules(value, rules, path)


def _check_list(value: Any, item_hint: Any, rules: Mapping[str, Any], path: str) -> Iterator[Problem]:
    if not isinstance(value, list | tuple):
        yield Problem(path, f"expected a list, got {_kind(value)}")
        return
    if "minItems" in rules and len(value) < rules["minItems"]:
        yield Problem(path, f"must have at least {rules['minItems']} items, has {len(value)}")
    if "maxItems" in rules and len(value) > rules["maxItems"]:
        yield Problem(path, f"must have at most {rules['maxItems']} items, has {len(value)}")
    item_rules = rules.get("items", {})
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        if item is None:
            if not _is_nullable(item_hint):
                yield Problem(item_path, "must not be null")
            continue
        yield from _check_value(item, _without_none(item_hint), item_rules, item_path)


def _check_rules(value: Any, rules: Mapping[str, Any], path: str) -> Iterator[Problem]:
    if rules.get("format") == "email" and not _EMAIL.fullmatch(value):
        yield Problem(path, f"{value!r} is not a valid email address")
    if "minLength" in rules and len(value) < rules["minLength"]:
        yield Problem(path, f"must be at least {rules['minLength']} characters long")
    if "maxLength" in rules and len(value) > rules["maxLength"]:
        yield Problem(path, f"must be at most {rules['maxLength']} characters long")
    for keyword, phrase, holds in _BOUNDS:
        if keyword in rules and not holds(value, rules[keyword]):
            yield Problem(path, f"{phrase} {rules[keyword]}, got {value!r}")


_BOUNDS: tuple[tuple[str, str, Callable[[Any, Any], bool]], ...] = (
    ("minimum", "must be at least", operator.ge),
    ("maximum", "must be at most", operator.le),
    ("exclusiveMinimum", "must be greater than", operator.gt),
    ("exclusiveMaximum", "must be less than", operator.lt),
)


def _expect_str(value: Any) -> str | None:
    return None if isinstance(value, str) else f"expected a string, got {_kind(value)}"


def _expect_int(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    shown = repr(value) if isinstance(value, float | str) else _kind(value)
    return f"expected an integer, got {shown}"


def _expect_number(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None
    return f"expected a number, got {_kind(value)}"


def _expect_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {_kind(value)}"


def _parses(parse: Callable[[str], Any], native: type, what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, native):
            return None
        if isinstance(value, str):
            try:
                parse(value)
            except ValueError:
                return f"{value!r} is not a valid {what}"
            return None
        return f"expected {what}, got {_kind(value)}"

    return check


_SCALAR_CHECKS: dict[Any, Callable[[Any], str | None]] = {
    str: _expect_str,
    int: _expect_int,
    float: _expect_number,
    bool: _expect_bool,
    datetime: _parses(datetime.fromisoformat, datetime, "ISO 8601 date-time"),
    date: _parses(date.fromisoformat, date, "ISO 8601 date"),
    UUID: _parses(UUID, UUID, "UUID"),
    Any: lambda value: None,
}


def _commission_rules(request: models.CommissionRequest) -> Iterator[Problem]:
    """Rules Flip enforces on commissioning that the schema cannot say (DESIGN.md, contract details)."""
    if not request.devices:
        yield Problem("devices", "must contain at least one device")
    for index, device in enumerate(request.devices):
        if device.site_id != request.site.id:
            yield Problem(f"devices[{index}].site_id", f"{device.site_id!r} does not match site.id {request.site.id!r}")


_MODEL_RULES: dict[type, tuple[Callable[[Any], Iterator[Problem]], ...]] = {
    models.CommissionRequest: (_commission_rules,),
}


@functools.cache
def _resolved(cls: type) -> type:
    return attrs.resolve_types(cls, globalns=vars(models))


def _is_nullable(hint: Any) -> bool:
    return hint is Any or (_is_union(hint) and type(None) in get_args(hint))


def _without_none(hint: Any) -> Any:
    if not _is_union(hint):
        return hint
    rest = [arg for arg in get_args(hint) if arg is not type(None)]
    return rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007


def _is_union(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType)


def _spoken(class_name: str) -> str:
    """'StateCode' -> 'state code', for messages a person reads."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", class_name).lower()


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
