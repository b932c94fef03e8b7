"""The one cattrs converter: Flip's JSON wire format to and from the generated attrs models."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterator
from datetime import date, datetime
from types import NoneType, UnionType
from typing import Any, TypeVar, Union, get_args, get_origin
from uuid import UUID

import attrs
import cattrs
import orjson
from cattrs.cols import is_mapping, is_sequence, list_structure_factory, mapping_structure_factory
from cattrs.errors import ClassValidationError, IterableValidationError
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.orjson import make_converter

from flip_async import _json, models
from flip_async._json import kind
from flip_async._time import aware
from flip_async.errors import Problem

T = TypeVar("T")


class WireShapeError(Exception):
    """A wire document does not fit a model; `problems` name each misfit by its wire path."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


@attrs.frozen
class WireDocument:
    """A body already made only of JSON values (dicts, lists, strings, numbers, booleans, None), written as it is:
    unstructuring it would walk and copy every value again (for a telemetry upload, a third of its CPU). Nothing checks
    that rule: a datetime inside would be written by orjson, not as the converter writes it."""

    document: Any = attrs.field(repr=False)


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field (the Python name unless the spec's name is not a valid identifier)."""
    name: str = field.metadata.get("wire_name", field.name)
    return name


# Structuring is lenient (Flip may add fields and enum values at any time) but never guesses: a value of the wrong
# kind is an error, not a silent coercion such as bool("false") or int(1.5).


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # an id Flip sends as a number is still an id
    raise TypeError(f"expected a string, got {kind(value)}")


# From 2**53 on a float no longer holds every integer, and orjson reads an integer past 64 bits as a float: such a value
# may already have been rounded, so it is refused rather than passed on as a number Flip never sent.
_EXACT_FLOAT_INTEGERS = 2**53


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        if abs(value) < _EXACT_FLOAT_INTEGERS:
            return int(value)
        raise ValueError(f"{value!r} is too large an integer to read exactly")
    raise TypeError(f"expected an integer, got {kind(value)}")


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {kind(value)}")


def _structure_json(value: Any, _: type) -> object:
    """Any JSON value, as decoded: what a free-form document (`dict[str, object]`) holds."""
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {kind(value)}")


def _from_text(native: type[T], parse: Callable[[str], T], what: str) -> Callable[[Any, type], T]:
    """A hook reading `native` values from their text; one already of that type (a Python-built mapping) passes."""

    def structure(value: Any, _: type) -> T:
        if isinstance(value, native):
            return value
        if isinstance(value, str):
            return parse(value)
        raise TypeError(f"expected {what}, got {kind(value)}")

    return structure


# fromisoformat (3.11+) reads every spelling in Flip's docs: "2022-02-22", "2025-04-30 12:00:00.000Z", "...T...Z".
_structure_datetime = _from_text(datetime, datetime.fromisoformat, "a date-time string")
_structure_date = _from_text(date, date.fromisoformat, "a date string")
# Ids repeat from one answer to the next (every site in a zip code is offered the same programs), and parsing one
# costs more than the rest of a field: recently seen ones are reused (UUIDs are immutable).
_parse_uuid = functools.lru_cache(maxsize=4096)(UUID)
_structure_uuid = _from_text(UUID, _parse_uuid, "a UUID string")


def _unstructure_datetime(value: datetime) -> str:
    """RFC 3339, with an offset always: a date-time without one (a bare date in a mapping, say) is UTC."""
    text = aware(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _only(kinds: type | tuple[type, ...], what: str, inner: Callable[[Any, Any], T]) -> Callable[[Any, Any], T]:
    """`inner`, refusing values that are not one of `kinds`: cattrs would read a string as a list of characters."""

    def structure(value: Any, hint: Any) -> T:
        if not isinstance(value, kinds):
            raise TypeError(f"expected {what}, got {kind(value)}")
        return inner(value, hint)

    return structure


def _open_enum_hook(enum_class: type[enum.Enum]) -> Callable[[Any, type], Any]:
    """Structure a known value to its member and keep an unknown one as a plain string (a newer API's value)."""
    members = enum_class._value2member_map_

    def structure(value: Any, _: type) -> Any:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {kind(value)}")
        return members.get(value, value)

    return structure


def _renames(cls: type) -> dict[str, Any]:
    return {f.name: override(rename=f.metadata["wire_name"]) for f in attrs.fields(cls) if "wire_name" in f.metadata}


def _build(*, detailed: bool) -> cattrs.Converter:
    converter = make_converter(detailed_validation=detailed)
    for primitive, hook in (
        (str, _structure_str),
        (int, _structure_int),
        (float, _structure_float),
        (bool, _structure_bool),
        (datetime, _structure_datetime),
        (date, _structure_date),
        (UUID, _structure_uuid),
    ):
        converter.register_structure_hook(primitive, hook)
    # By predicate, not by class: a hook for the class `object` would be every class's, through singledispatch.
    converter.register_structure_hook_func(lambda hint: hint is object, _structure_json)
    converter.register_unstructure_hook(datetime, _unstructure_datetime)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(UUID, str)
    converter.register_unstructure_hook(WireDocument, lambda wire: wire.document)
    converter.register_structure_hook_factory(
        is_sequence, lambda hint: _only((list, tuple), "a list", list_structure_factory(hint, converter))
    )
    converter.register_structure_hook_factory(
        is_mapping, lambda hint: _only(dict, "an object", mapping_structure_factory(hint, converter))
    )
    # Registered per class: cattrs' own str hook would otherwise claim every StrEnum and let any string through.
    for enum_class in _model_classes(enum.Enum):
        converter.register_structure_hook(enum_class, _open_enum_hook(enum_class))
    if detailed:
        converter.register_structure_hook_factory(
            attrs.has,
            lambda cls: _only(
                dict, f"an object ({cls.__name__})", make_dict_structure_fn(cls, converter, **_renames(cls))
            ),
        )
    else:
        converter.register_structure_hook_factory(attrs.has, lambda cls: _fast_structure_fn(cls, converter))
    converter.register_structure_hook_factory(_is_optional, lambda hint: _optional_hook(converter, hint))
    converter.register_structure_hook_factory(
        _is_model_or_free_form, lambda hint: _model_or_free_form_hook(converter, hint)
    )
    converter.register_unstructure_hook_factory(_is_optional, lambda hint: _optional_unstructure_hook(converter, hint))
    # Optional fields default to None: leaving them out of the body is what "not set" means on the wire.
    converter.register_unstructure_hook_factory(
        attrs.has, lambda cls: make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **_renames(cls))
    )
    return converter


# The fast path's structure function for a model. It does what cattrs' generated one does (each field through the
# converter's hook for its type, an absent optional field given its default), except that a plain field whose value
# already has exactly its type (a str for `str`, an int for `int`, ...) is taken as it is: that is what its hook
# would return, and a Python call per field was most of what decoding a response cost after parsing the JSON. Each
# field's value is a local variable passed to the class by keyword (no dict of them to build and unpack). Any error
# falls back to the detailed converter (see `structure`), so errors read the same as ever.
_PLAIN = (str, int, float, bool)
_FROM_TEXT: dict[Any, Callable[[str], Any]] = {
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    UUID: _parse_uuid,
}


def _fast_structure_fn(cls: type, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    fields = attrs.fields(attrs.resolve_types(cls))
    if any(
        field.converter is not None
        or not field.init
        or (isinstance(field.default, attrs.Factory) and field.default.takes_self)  # type: ignore[arg-type]
        for field in fields
    ):
        return make_dict_structure_fn(cls, converter, _cattrs_detailed_validation=False, **_renames(cls))
    namespace: dict[str, Any] = {"cls": cls}
    lines = [f"def structure_{cls.__name__}(o, _):"]
    for index, field in enumerate(fields):
        wire, name = wire_name(field), f"t{index}"
        value = _fast_value(field.type, name, namespace, converter)
        if field.default is attrs.NOTHING:
            lines.append(f"    v = o[{wire!r}]; a{index} = {value}")
            continue
        lines.append(f"    if {wire!r} in o: v = o[{wire!r}]; a{index} = {value}")
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"{name}_default"] = field.default.factory
            lines.append(f"    else: a{index} = {name}_default()")
        else:
            namespace[f"{name}_default"] = field.default
            lines.append(f"    else: a{index} = {name}_default")
    keywords = ", ".join(f"{field.alias}=a{index}" for index, field in enumerate(fields))
    lines.append(f"    return cls({keywords})")
    exec(compile("\n".join(lines), f"<flip_async fast structure {cls.__name__}>", "exec"), namespace)  # noqa: S102
    function: Callable[[Any, Any], Any] = namespace[f"structure_{cls.__name__}"]
    return function


def _fast_value(hint: Any, name: str, namespace: dict[str, Any], converter: cattrs.Converter, var: str = "v") -> str:
    """The expression structuring `var` as `hint`, with the hint and its hook bound in `namespace` under `name`."""
    if _is_optional(hint):
        inner = next(arg for arg in get_args(hint) if arg is not NoneType)
        return f"None if {var} is None else ({_fast_value(inner, name, namespace, converter, var)})"
    namespace[name] = hint
    try:
        namespace[f"{name}_hook"] = converter.get_structure_hook(hint)
    except RecursionError:  # a model that contains itself: look it up when it is used
        namespace[f"{name}_hook"] = converter.structure
    call = f"{name}_hook({var}, {name})"
    if hint in _PLAIN:
        return f"{var} if type({var}) is {name} else {call}"
    # Text read as its hook would read text (the hooks above), without the call: Flip's answers hold ids, dates and
    # enum values in nearly every object.
    if hint in _FROM_TEXT:
        namespace[f"{name}_parse"] = _FROM_TEXT[hint]
        return f"{name}_parse({var}) if type({var}) is str else {call}"
    if isinstance(hint, type) and issubclass(hint, enum.Enum) and hint.__module__ == models.__name__:
        namespace[f"{name}_members"] = hint._value2member_map_  # an open enum: an unknown value stays a string
        return f"{name}_members.get({var}, {var}) if type({var}) is str else {call}"
    if get_origin(hint) is list and get_args(hint):  # a JSON array: each item as the list hook would
        item = _fast_value(get_args(hint)[0], f"{name}_item", namespace, converter, var=f"{var}_")
        return f"[{item} for {var}_ in {var}] if type({var}) is list else {call}"
    return call


def _is_optional(hint: Any) -> bool:
    """`X | None` for a single X."""
    args = get_args(hint)
    return get_origin(hint) in (Union, UnionType) and len(args) == 2 and NoneType in args


def _optional_hook(converter: cattrs.Converter, hint: Any) -> Callable[[Any, Any], Any]:
    """`X | None`, with X's hook looked up once (cattrs' own optional hook dispatches on every call)."""
    inner_type = next(arg for arg in get_args(hint) if arg is not NoneType)
    try:
        inner = converter.get_structure_hook(inner_type)
    except RecursionError:  # a model that contains itself: look it up when it is used
        inner = converter.structure

    def structure(value: Any, _: Any) -> Any:
        return None if value is None else inner(value, inner_type)

    return structure


def _optional_unstructure_hook(converter: cattrs.Converter, hint: Any) -> Callable[[Any], Any]:
    """`X | None` written as X is, None as null: `identity` itself when X's values are written as they are, which the
    generated unstructure functions then inline (cattrs' own optional hook makes two calls a field)."""
    inner = converter.get_unstructure_hook(next(arg for arg in get_args(hint) if arg is not NoneType))
    if inner is identity:
        return identity

    def unstructure(value: Any) -> Any:
        return None if value is None else inner(value)

    return unstructure


def _is_model_or_free_form(hint: Any) -> bool:
    """`SomeModel | dict[str, Any]`: the spec's way of saying "this shape when documented, else any object"."""
    args = [arg for arg in get_args(hint) if arg is not type(None)] if get_origin(hint) in (Union, UnionType) else []
    return len(args) == 2 and attrs.has(args[0]) and get_origin(args[1]) is dict


def _model_or_free_form_hook(converter: cattrs.Converter, hint: Any) -> Callable[[Any, Any], Any]:
    model_class = get_args(hint)[0]

    def structure(value: Any, _: Any) -> Any:
        if value is None or not isinstance(value, dict):
            return converter.structure(value, dict[str, Any]) if value is not None else None
        try:
            return converter.structure(value, model_class)
        except (ClassValidationError, TypeError, ValueError, KeyError):
            return value

    return structure


def _model_classes(base: type[T]) -> Iterator[type[T]]:
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, base) and value.__module__ == models.__name__:
            yield value


# Two converters with the same hooks. Every document is first read by `_fast`, which skips cattrs' bookkeeping of
# where each error happened; only a document that does not fit is read again by `converter` (detailed validation),
# to name every misfit by its path. Both run the same hooks on the same input, so a document that fits gives the
# same model either way: the profile of a commission call showed the bookkeeping as a third of decoding.
converter = _build(detailed=True)
_fast = _build(detailed=False)


def unstructure(model: Any) -> Any:
    """The wire document (JSON-ready dicts, lists and scalars) for a model."""
    return converter.unstructure(model)


def dumps(model: Any) -> bytes:
    """The JSON bytes for a model or a wire document."""
    return orjson.dumps(converter.unstructure(model))


def structure(document: Any, cls: type[T]) -> T:
    """A model from a decoded wire document; raises WireShapeError naming every misfit by its wire path."""
    try:
        return _fast.structure(document, cls)
    except Exception:  # noqa: S110 - read it again below, to say what is wrong and where
        pass
    try:
        return converter.structure(document, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        raise WireShapeError(list(_problems(exc, ""))) from exc
    except (TypeError, ValueError, KeyError) as exc:
        raise WireShapeError([Problem(path="$", message=_describe(exc))]) from exc


def loads(content: bytes, cls: type[T]) -> T:
    """A model from JSON bytes; raises WireShapeError when the bytes are not JSON, nest too deep, or do not fit."""
    try:
        document = _json.loads(content)
    except _json.NestingError as exc:
        raise WireShapeError([Problem(path="$", message=str(exc))]) from exc
    except ValueError as exc:  # orjson.JSONDecodeError
        raise WireShapeError([Problem(path="$", message=f"not valid JSON ({exc})")]) from exc
    return structure(document, cls)


def _problems(exc: BaseException, path: str) -> Iterator[Problem]:
    """Flatten cattrs' exception groups into problems whose paths use wire names (`devices[0].site_id`)."""
    if not isinstance(exc, ClassValidationError | IterableValidationError):
        yield Problem(path=path or "$", message=_describe(exc))
        return
    names = {f.name: wire_name(f) for f in attrs.fields(exc.cl)} if attrs.has(exc.cl) else {}
    for child in exc.exceptions:
        yield from _problems(child, _child_path(path, child, names))


def _child_path(path: str, child: BaseException, names: dict[str, str]) -> str:
    for note in getattr(child, "__notes__", ()):
        if (name := getattr(note, "name", None)) is not None:
            return f"{path}.{names.get(name, name)}" if path else names.get(name, name)
        if (index := getattr(note, "index", None)) is not None:
            return f"{path}[{index}]"
    return path


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required field is missing"
    return str(exc) or type(exc).__name__
