"""The spec's JSON Schemas applied to requests by python-jsonschema (2020-12), each problem told FastAPI-style."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flip_async import models
from flip_async._spec_types import JSONSchema

try:
    from jsonschema import Draft202012Validator, FormatChecker, TypeChecker, validators
    from jsonschema.exceptions import ValidationError as SchemaError
    from jsonschema.protocols import Validator
except ImportError as exc:  # the sandbox's one dependency beyond the SDK's
    raise ImportError(
        "flip_async.sandbox needs the sandbox extra: pip install 'flip-async[sandbox]'", name=exc.name
    ) from exc

Location = tuple[str | int, ...]
"""Where a value sits, FastAPI-style: `("body", "devices", 0, "site_id")`, `("query", "limit")`."""

# Formats are read as Flip's own stack (FastAPI on pydantic) reads them, not as RFC 3339's stricter grammar: Flip's
# examples write "2022-02-22" and "2025-04-30 12:00:00.000Z" in date-time fields.
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?(?:Z|[+-]\d\d:?\d\d)?)?")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32}")
# An address as email-validator (pydantic's EmailStr) would take it, short of its deliverability and length rules:
# dot-separated atoms, "@", then at least two domain labels of letters, digits and inner hyphens.
_EMAIL = re.compile(
    r"""[\w!#$%&'*+/=?^`{|}~-]+ (?:\.[\w!#$%&'*+/=?^`{|}~-]+)*
    @ (?:[^\W_](?:[^\W_]|-)*[^\W_]\.|[^\W_]\.)+ [^\W_]{2,}""",
    re.VERBOSE,
)


def _spelled(pattern: re.Pattern[str], parse: Callable[[str], object] = str) -> Callable[[object], bool]:
    """A format check: a string must match `pattern`, then `parse` (whose ValueError fails it); other values pass.

    (A format speaks only of strings; the type keyword speaks of the rest.) Parsing checks the ranges a pattern
    cannot: month 13, February 30, hour 25.
    """

    def check(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        if pattern.fullmatch(instance) is None:
            return False
        parse(instance)
        return True

    return check


FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time", raises=ValueError)(_spelled(_DATE_TIME, datetime.fromisoformat))
FORMATS.checks("date", raises=ValueError)(_spelled(_DATE, date.fromisoformat))
FORMATS.checks("uuid")(_spelled(_UUID))
FORMATS.checks("email")(_spelled(_EMAIL))


def _required(validator: Validator, required: list[str], instance: Any, schema: JSONSchema) -> Iterator[SchemaError]:
    """The standard keyword, but each error sits at the missing property (FastAPI's `loc`), not at its object."""
    if validator.is_type(instance, "object"):
        for name in required:
            if name not in instance:
                yield SchemaError("Field required", path=[name])


def _is_integer(checker: TypeChecker, instance: object) -> bool:
    """JSON Schema's integer (1.0 is one), but one the sandbox's JSON encoder can write back: 1e20 is not."""
    if isinstance(instance, float):
        return instance.is_integer() and -(2**63) <= instance < 2**64
    return isinstance(instance, int) and not isinstance(instance, bool)


# (typeshed leaves `extend` untyped)
_Validator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    {"required": _required},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


class Schema:
    """One JSON Schema of the operation table, compiled once, its `$ref`s resolved against the table's definitions."""

    def __init__(self, schema: JSONSchema, definitions: Mapping[str, JSONSchema]) -> None:
        self._root = {**schema, "$defs": definitions}
        self._validator = _Validator(self._root, format_checker=FORMATS)
        self._definitions = definitions

    def problems(self, value: Any, location: Location) -> list[models.ValidationError]:
        """Every problem of `value`, at `location` and below; none when it is valid."""
        return [
            detail
            for error in self._validator.iter_errors(value)
            for detail in _explain(error, location, self._root, self._definitions)
        ]


def from_text(texts: Sequence[str], schema: JSONSchema, definitions: Mapping[str, JSONSchema]) -> Any:
    """A path or query value (its text; once per item of an array) as the JSON value of its schema's type.

    ValueError, saying why, when a text does not read as that type (`many` for an integer).
    """
    schema = _resolved(schema, definitions)
    types = _types(schema)
    if "array" in types:
        items = schema.get("items", {})
        return [from_text([text], items, definitions) for text in texts]
    # A scalar given twice counts once, by its last value, as Starlette reads a query string.
    return _scalar_from_text(texts[-1], types)


_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# pydantic's spellings of a boolean in a query string.
_BOOLEANS = {
    **dict.fromkeys(("true", "t", "yes", "y", "on", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "off", "0"), False),
}


def _scalar_from_text(text: str, types: tuple[str, ...]) -> Any:
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text) and math.isfinite(number := float(text)):
        return number
    if "boolean" in types and text.lower() in _BOOLEANS:
        return _BOOLEANS[text.lower()]
    if "string" in types or not types:
        return text
    raise ValueError(f"expected {_type_words(types)}, got {_shown(text)}")


def _resolved(schema: JSONSchema, definitions: Mapping[str, JSONSchema]) -> JSONSchema:
    """The schema a `{"$ref": "#/$defs/<Name>"}` points to; any other schema itself."""
    return _resolved(definitions[_ref_name(schema)], definitions) if "$ref" in schema else schema


def _types(schema: JSONSchema) -> tuple[str, ...]:
    """The JSON types a schema names at its top (none when it names none)."""
    types = schema.get("type", ())
    return (types,) if isinstance(types, str) else tuple(types)


# Turning jsonschema's errors into FastAPI's details ------------------------------------------------------------------


def _explain(
    error: SchemaError, location: Location, root: JSONSchema, definitions: Mapping[str, JSONSchema]
) -> Iterator[models.ValidationError]:
    if error.validator in ("anyOf", "oneOf") and (branch := _best_branch(error)) is not None:
        # Every nullable enum or model is `anyOf: [{$ref}, {type: null}]`: the problem is in the branch that fits.
        for inner in branch:
            yield from _explain(inner, location, root, definitions)
        return
    message, kind = _message(error, definitions)
    if (condition := _condition(error, root, definitions)) is not None:
        message = f"{message} while {condition}"
    yield models.ValidationError(loc=[*location, *error.absolute_path], msg=message, type=kind)


def _condition(error: SchemaError, root: JSONSchema, definitions: Mapping[str, JSONSchema]) -> str | None:
    """For an error of a `then`, its `if` in words ("last_is_online is true"), or None: a rule that holds only under
    a condition says so, or it reads as if it always held."""
    path = list(error.absolute_schema_path)
    # The last `then` keyword on the way (a property named "then" sits after "properties" and is no keyword).
    keyword = next(
        (
            index
            for index in reversed(range(len(path)))
            if path[index] == "then" and path[index - 1 : index] != ["properties"]
        ),
        None,
    )
    if keyword is None:
        return None
    node: Any = root
    for key in path[:keyword]:
        node = _resolved_for(node, key, definitions)[key]
    condition = _resolved_for(node, "if", definitions).get("if", {})
    words = [
        f"{name} is {_shown(rule['const'])}"
        for name, rule in condition.get("properties", {}).items()
        if isinstance(rule, dict) and "const" in rule
    ]
    return " and ".join(words) or "the schema's condition holds"


def _resolved_for(node: Any, key: str | int, definitions: Mapping[str, JSONSchema]) -> Any:
    """`node`, or the schema its `$ref` points to when the key is not its own (the error paths skip `$ref`s)."""
    while isinstance(node, dict) and key not in node and "$ref" in node:
        node = definitions[_ref_name(node)]
    return node


def _best_branch(error: SchemaError) -> list[SchemaError] | None:
    """The errors of the alternative that the value fits the type of (the fewest errors, if several); None if none."""
    branches: dict[int, list[SchemaError]] = {}
    for inner in error.context or ():
        branches.setdefault(int(inner.relative_schema_path[0]), []).append(inner)
    fitting = [errors for errors in branches.values() if not any(_misfits(inner) for inner in errors)]
    return min(fitting, key=len) if fitting else None


def _misfits(error: SchemaError) -> bool:
    """Whether the value is of a type the alternative does not take at all (rather than breaking it further in)."""
    return error.validator == "type" and not error.relative_path


def _message(error: SchemaError, definitions: Mapping[str, JSONSchema]) -> tuple[str, str]:
    """A readable message and a pydantic-style error type for one error."""
    keyword = error.validator
    # Set on every error jsonschema yields (its stubs also allow "unset", for errors built by hand).
    expected: Any = error.validator_value
    value: Any = error.instance
    match keyword:
        case "required":
            return error.message, "missing"
        case "type":
            types = (expected,) if isinstance(expected, str) else tuple(expected)
            return f"expected {_type_words(types)}, got {_shown(value)}", _TYPE_ERRORS.get(types[0], "type_error")
        case "enum":
            name = next((name for name, schema in definitions.items() if schema is error.schema), None)
            if name is None:
                return f"{_shown(value)} is not one of {_choices(expected)}", "enum"
            return f"{_shown(value)} is not a valid {_spoken(name)} (one of {_choices(expected)})", "enum"
        case "anyOf" | "oneOf" if error.context:
            names = " or ".join(_schema_words(branch) for branch in expected)
            return f"expected {names}, got {_shown(value)}", "union_type"
        case "oneOf":
            return "matches more than one of the alternatives the spec allows", "union_type"
        case "format":
            what, kind = _FORMAT_WORDS.get(expected, (f"{expected} value", "value_error"))
            return f"{_shown(value)} is not a valid {what}", kind
        case "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum":
            phrase, kind = _BOUNDS[keyword]
            return f"must be {phrase} {expected}, got {_shown(value)}", kind
        case "minItems":
            return f"must have at least {expected} items, has {len(value)}", "too_short"
        case "maxItems":
            return f"must have at most {expected} items, has {len(value)}", "too_long"
        case "not" if expected == {"type": "null"}:
            return "must not be null", "value_error"
        case "minLength":
            return f"must be at least {expected} characters long", "string_too_short"
        case "maxLength":
            return f"must be at most {expected} characters long", "string_too_long"
    # Keywords the spec does not use today: jsonschema's own words, cut short (they quote the whole value).
    return _cut(error.message, 200), "value_error"


_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_TYPE_ERRORS = {
    "string": "string_type",
    "integer": "int_type",
    "number": "float_type",
    "boolean": "bool_type",
    "array": "list_type",
    "object": "dict_type",
    "null": "none_required",
}
_FORMAT_WORDS = {
    "date-time": ("date-time (such as 2025-04-30T12:00:00Z)", "datetime_parsing"),
    "date": ("date (such as 2025-04-30)", "date_parsing"),
    "uuid": ("UUID", "uuid_parsing"),
    "email": ("email address", "value_error"),
}
_BOUNDS = {
    "minimum": ("at least", "greater_than_equal"),
    "maximum": ("at most", "less_than_equal"),
    "exclusiveMinimum": ("greater than", "greater_than"),
    "exclusiveMaximum": ("less than", "less_than"),
}
_MOST_CHOICES = 8
_LONGEST_QUOTE = 50


def _type_words(types: Sequence[str]) -> str:
    return " or ".join(_TYPE_WORDS.get(name, name) for name in types)


def _schema_words(schema: JSONSchema) -> str:
    """What an alternative of anyOf/oneOf takes, for a person: "a state code", "null", "a string or null"."""
    if "$ref" in schema:
        spoken = _spoken(_ref_name(schema))
        return f"{'an' if spoken[0] in 'aeiou' else 'a'} {spoken}"
    return _type_words(_types(schema)) if "type" in schema else "a value of another shape"


def _choices(values: Sequence[Any]) -> str:
    """An enum's values, all of them when few, else the count, the first few and the last."""
    shown = [str(value) for value in values]
    if len(shown) <= _MOST_CHOICES:
        return ", ".join(shown)
    return f"{len(shown)}: {', '.join(shown[:4])}, …, {shown[-1]}"


def _shown(value: Any) -> str:
    """A value as a message quotes it: JSON's words for true, false and null; long text cut short."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str) and len(value) > _LONGEST_QUOTE:
        return repr(value[:_LONGEST_QUOTE]) + "…"
    return repr(value)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ref_name(schema: JSONSchema) -> str:
    reference: str = schema["$ref"]
    return reference.rsplit("/", 1)[-1]


def _spoken(name: str) -> str:
    """'StateCode' -> 'state code'."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
