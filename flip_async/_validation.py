"""Request validation: everything a request body must satisfy before it may leave the machine."""

from __future__ import annotations

import enum
import functools
import math
import operator
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar, Union, cast, get_args, get_origin
from uuid import UUID

import attrs

from flip_async import _converter, _json, models
from flip_async._checks import PASSES
from flip_async._json import kind
from flip_async._scalars import EMAIL, INT_END, INT_MIN, encodable, parses
from flip_async._spec import DEFS
from flip_async._spec_types import path_problem
from flip_async.errors import Problem, RequestValidationError

T = TypeVar("T")

Check = Callable[[Any, str, list[Problem]], None]
"""Checks a non-null value found at a wire path, appending what is wrong with it."""


def check(value: Any, cls: type) -> None:
    """RequestValidationError listing every problem of `value` (a `cls` instance or its wire mapping), if any."""
    problems: list[Problem] = []
    # The generated test says at the cost of an `if` a field whether the value passes; only a value it cannot pass
    # takes the walk below, which names every problem with its path.
    passes = PASSES.get(cls)
    if passes is None or not passes(value):
        _object_check(cls)(value, "", problems)
    for rule in _MODEL_RULES.get(cls, ()):
        problems.extend(rule(value))
    if problems:
        raise RequestValidationError(problems, model=cls.__name__)


def validated(value: Any, cls: type[T]) -> T:
    """`value` (a `cls` instance or its wire mapping) as a `cls` as it is sent, or RequestValidationError listing every
    problem. What is sent may be completed (see `_COMPLETIONS`); the caller's own value is never changed."""
    check(value, cast(type, cls))
    complete = cast(Callable[[T], T], _COMPLETIONS.get(cls, _as_given))
    if isinstance(value, cls):
        return complete(value)
    try:
        return complete(_converter.structure(value, cls))
    except _converter.WireShapeError:
        # A valid mapping holding models or Python values where JSON has text (a Site, a datetime): as its wire form.
        return complete(_converter.structure(_converter.unstructure(value), cls))


def field_type(cls: type, path: Sequence[str]) -> Any:
    """The Python type at a wire path below `cls` (`["devices", "0", "type"]` -> DeviceType); None when unknown."""
    hint: Any = cls
    for part in path:
        hint = _without_none(hint)
        if get_origin(hint) is list:
            hint = get_args(hint)[0] if part.isdigit() else None
        elif isinstance(hint, type) and attrs.has(hint):
            by_wire = {_converter.wire_name(field): field for field in attrs.fields(_resolved(hint))}
            hint = by_wire[part].type if part in by_wire else None
        else:
            return None
    return _without_none(hint)


# Checks are compiled once per type, from the model's type hints and the spec's keywords in field metadata, so that
# validating a request walks plain closures instead of re-reading typing information for every field.


@attrs.frozen
class _FieldPlan:
    name: str
    wire: str
    required: bool
    nullable: bool
    check: Check


@functools.cache
def _object_check(cls: type) -> Check:
    plans = [
        _FieldPlan(
            name=field.name,
            wire=_converter.wire_name(field),
            required=field.default is attrs.NOTHING,
            # An optional field's type admits None (it means "not set"); whether null may be *sent* is the spec's.
            nullable=_is_nullable(field.type)
            if field.default is attrs.NOTHING
            else field.metadata.get("nullable", False),
            check=_value_check(_without_none(field.type), field.metadata),
        )
        for field in attrs.fields(_resolved(cls))
    ]
    by_wire = {plan.wire: plan for plan in plans}
    expected = ", ".join(by_wire)
    # The model walk runs on every send: plain tuples, and each path built inline (a call per field showed up).
    rows = [(plan.name, plan.wire, plan.required and not plan.nullable, plan.check) for plan in plans]

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        if isinstance(value, cls):
            for name, wire, non_null, check_item in rows:
                item = getattr(value, name)
                if item is not None:
                    check_item(item, f"{path}.{wire}" if path else wire, problems)
                elif non_null:
                    problems.append(Problem(_join(path, wire), "must not be null"))
        elif isinstance(value, Mapping):
            for key in value:
                if key not in by_wire:
                    problems.append(Problem(_join(path, str(key)), f"unknown field (expected one of: {expected})"))
            for plan in plans:
                if plan.wire not in value:
                    # An unset optional field is simply left out of the body.
                    if plan.required:
                        problems.append(Problem(_join(path, plan.wire), "is required"))
                elif (item := value[plan.wire]) is not None:
                    plan.check(item, _join(path, plan.wire), problems)
                elif not plan.nullable:
                    problems.append(Problem(_join(path, plan.wire), "must not be null"))
        else:
            problems.append(Problem(path or "$", f"expected an object ({cls.__name__}), got {kind(value)}"))

    return check


def _value_check(hint: Any, rules: Mapping[str, Any]) -> Check:
    if _is_union(hint):
        return _union_check([_value_check(arg, rules) for arg in get_args(hint)], get_args(hint))
    if get_origin(hint) is list:
        return _list_check(get_args(hint)[0], rules)
    if get_origin(hint) is dict:
        return _free_form_check
    if isinstance(hint, type) and attrs.has(hint):
        return _nested_check(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_check(hint)
    if hint is Any:
        return _accept
    return _scalar_check(hint, rules)


def _nested_check(cls: type) -> Check:
    """`cls`'s object check, compiled on first use (a model may contain itself) and kept from then on."""
    compiled: list[Check] = []

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        if not compiled:
            compiled.append(_object_check(cls))
        compiled[0](value, path, problems)

    return check


def _union_check(alternatives: list[Check], hints: tuple[Any, ...]) -> Check:
    expected = " or ".join(_spoken(getattr(hint, "__name__", str(hint))) for hint in hints)

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        for alternative in alternatives:
            attempt: list[Problem] = []
            alternative(value, path, attempt)
            if not attempt:
                return
        problems.append(Problem(path, f"expected {expected}, got {kind(value)}"))

    return check


def _list_check(item_hint: Any, rules: Mapping[str, Any]) -> Check:
    item_check = _value_check(_without_none(item_hint), rules.get("items", {}))
    item_nullable = _is_nullable(item_hint)
    min_items, max_items = rules.get("minItems"), rules.get("maxItems")

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        if not isinstance(value, list | tuple):
            problems.append(Problem(path, f"expected a list, got {kind(value)}"))
            return
        if min_items is not None and len(value) < min_items:
            problems.append(Problem(path, f"must have at least {min_items} items, has {len(value)}"))
        if max_items is not None and len(value) > max_items:
            problems.append(Problem(path, f"must have at most {max_items} items, has {len(value)}"))
        for index, item in enumerate(value):
            if item is not None:
                item_check(item, f"{path}[{index}]", problems)
            elif not item_nullable:
                problems.append(Problem(f"{path}[{index}]", "must not be null"))

    return check


def _free_form_check(value: Any, path: str, problems: list[Problem]) -> None:
    """Any JSON object, as long as JSON (and the Python that writes it) can carry its nesting."""
    if not isinstance(value, Mapping):
        problems.append(Problem(path, f"expected an object, got {kind(value)}"))
    elif _json.depth(value) > _json.MAX_DEPTH:
        problems.append(Problem(path, f"nested deeper than {_json.MAX_DEPTH} levels"))


def _enum_check(enum_class: type[enum.Enum]) -> Check:
    values = frozenset(enum_class._value2member_map_)
    what = _spoken(enum_class.__name__)

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        if not isinstance(value, str) or value not in values:
            problems.append(Problem(path, f"{value!r} is not a valid {what}"))

    return check


def _accept(value: Any, path: str, problems: list[Problem]) -> None:
    """Anything goes (free-form JSON)."""


def _scalar_check(hint: Any, rules: Mapping[str, Any]) -> Check:
    expect = _SCALAR_CHECKS[hint]
    limits = _limit_checks(rules)

    if not limits:  # most fields: the type (and what JSON can carry of it) is all there is to check

        def check_type(value: Any, path: str, problems: list[Problem]) -> None:
            if (wrong := expect(value)) is not None:
                problems.append(Problem(path, wrong))

        return check_type

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        wrong = expect(value)
        if wrong is not None:
            problems.append(Problem(path, wrong))
            return
        for limit in limits:
            if (broken := limit(value)) is not None:
                problems.append(Problem(path, broken))

    return check


def _limit_checks(rules: Mapping[str, Any]) -> list[Callable[[Any], str | None]]:
    """One check per validation keyword the spec sets on a scalar field."""
    checks: list[Callable[[Any], str | None]] = []
    if rules.get("format") == "email":
        checks.append(lambda value: None if EMAIL.fullmatch(value) else f"{value!r} is not a valid email address")
    if (shortest := rules.get("minLength")) is not None:
        checks.append(lambda value: None if len(value) >= shortest else f"must be at least {shortest} characters long")
    if (longest := rules.get("maxLength")) is not None:
        checks.append(lambda value: None if len(value) <= longest else f"must be at most {longest} characters long")
    for keyword, phrase, holds in _BOUNDS:
        if keyword in rules:
            checks.append(_bound_check(rules[keyword], phrase, holds))
    return checks


def _bound_check(bound: Any, phrase: str, holds: Callable[[Any, Any], bool]) -> Callable[[Any], str | None]:
    return lambda value: None if holds(value, bound) else f"{phrase} {bound}, got {value!r}"


_BOUNDS: tuple[tuple[str, str, Callable[[Any, Any], bool]], ...] = (
    ("minimum", "must be at least", operator.ge),
    ("maximum", "must be at most", operator.le),
    ("exclusiveMinimum", "must be greater than", operator.gt),
    ("exclusiveMaximum", "must be less than", operator.lt),
)


def _expect_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a string, got {kind(value)}"
    if not value.isascii() and not encodable(value):
        return f"{value!r} is not valid Unicode text"
    return None


def _expect_int(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None if INT_MIN <= value < INT_END else f"{value} does not fit in 64 bits"
    shown = repr(value) if isinstance(value, float | str) else kind(value)
    return f"expected an integer, got {shown}"


def _expect_number(value: Any) -> str | None:
    if isinstance(value, float):
        return None if math.isfinite(value) else f"expected a finite number, got {value!r}"
    return _expect_int(value) and f"expected a number, got {kind(value)}"


def _expect_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {kind(value)}"


def _parses(parse: Callable[[str], Any], native: type, what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, native):
            return None
        if isinstance(value, str):
            return None if parses(parse, value) else f"{value!r} is not a valid {what}"
        return f"expected {what}, got {kind(value)}"

    return check


_SCALAR_CHECKS: dict[Any, Callable[[Any], str | None]] = {
    str: _expect_str,
    int: _expect_int,
    float: _expect_number,
    bool: _expect_bool,
    datetime: _parses(datetime.fromisoformat, datetime, "ISO 8601 date-time"),
    date: _parses(date.fromisoformat, date, "ISO 8601 date"),
    UUID: _parses(UUID, UUID, "UUID"),
}


# Model rules run beside the schema checks so that one error lists everything, and so they read the request as given
# (a model or its wire mapping, possibly malformed): each looks only at values whose shape it can trust.


def _commission_rules(request: Any) -> Iterator[Problem]:
    """Rules Flip enforces on commissioning that the schema cannot say: at least one device (Flip's newer API says
    so), and each device's `site_id`, when given, equal to `site.id`; and ids that later calls can put in a URL
    path."""
    devices = _member(request, "devices")
    if isinstance(devices, list | tuple) and not devices:
        yield Problem("devices", "must contain at least one device")
    site_id = _member(_member(request, "site"), "id")
    if isinstance(site_id, str) and (why := path_problem(site_id)) is not None:
        yield Problem("site.id", why)
    if not isinstance(devices, list | tuple):
        return
    for index, device in enumerate(devices):
        device_id = _member(device, "id")
        if isinstance(device_id, str) and (why := path_problem(device_id)) is not None:
            yield Problem(f"devices[{index}].id", why)
        device_site_id = _member(device, "site_id")
        if isinstance(site_id, str) and isinstance(device_site_id, str) and device_site_id != site_id:
            yield Problem(f"devices[{index}].site_id", f"{device_site_id!r} does not match site.id {site_id!r}")


# Flip's telemetry page: "In case the device was online, all telemetry items must be supplied and must not be null."
# Which items those are is the spec's (BatteryTelemetry's `then`), read from the table rather than written twice.
_ONLINE_TELEMETRY: tuple[str, ...] = tuple(DEFS["BatteryTelemetry"]["then"]["required"])


def _online_telemetry_rules(point: Any) -> list[Problem]:
    """Every telemetry item given and not null in a data point of a device that was online (`last_is_online`)."""
    if _member(point, "last_is_online") is not True:
        return []
    if type(point) is dict and None not in map(point.get, _ONLINE_TELEMETRY):
        return []  # the usual point, found so at C speed: every point of an upload passes here
    return [
        Problem(name, "is required while last_is_online is true")
        if isinstance(point, Mapping) and name not in point
        else Problem(name, "must not be null while last_is_online is true")
        for name in _ONLINE_TELEMETRY
        if _member(point, name) is None
    ]


def _member(value: Any, name: str) -> Any:
    """A field of a model or a key of its wire mapping (the two spell it alike here); None when absent."""
    if type(value) is dict:  # the usual mapping, known without the slower isinstance() of an abstract class
        return value.get(name)
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)


_MODEL_RULES: dict[type, tuple[Callable[[Any], Iterable[Problem]], ...]] = {
    models.CommissionRequest: (_commission_rules,),
    models.BatteryTelemetry: (_online_telemetry_rules,),
}


def _devices_on_their_site(request: models.CommissionRequest) -> models.CommissionRequest:
    """The request with each device that leaves out `site_id` on `site.id`. Flip's seed contract requires the field
    and its newer one leaves it out, so a body that always carries it is valid under both."""
    if all(device.site_id is not None for device in request.devices):
        return request
    devices = [
        device if device.site_id is not None else attrs.evolve(device, site_id=request.site.id)
        for device in request.devices
    ]
    return attrs.evolve(request, devices=devices)


def _as_given(value: T) -> T:
    return value


_COMPLETIONS: dict[type, Callable[[Any], Any]] = {models.CommissionRequest: _devices_on_their_site}
"""By model, what validation adds to a valid request before it is sent."""


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
