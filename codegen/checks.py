"""Render flip_async/_checks.py: per request model, a straight-line test that a value passes request validation.

Validation runs on every send. `flip_async._validation` walks compiled closures that build each field's path and
message as they go; a request that is valid (nearly every one) needs none of that. The functions written here only
say whether a value certainly passes, field by field and at the cost of an `if` each; when one says no, or cannot
tell, the detailed walk runs and names every problem, so errors read exactly as they always have. They follow the
same rules as that walk, read from the same models: type hints, wire names and the spec's keywords in field metadata.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Union, get_args, get_origin
from uuid import UUID

import attrs

HEADER = '''\
# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: {source}. Regenerate with `make generate` (python codegen/generate.py);
# `make check-generated` fails while this file differs from a fresh generation.
"""Per request model, whether a value (a model or its wire mapping) certainly passes request validation.

True only when `flip_async._validation` would find no problem; False when it would, or when this cannot tell cheaply
(a Mapping that is not a dict, a str subclass, ...): the detailed walk then runs and names every problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from flip_async import models
from flip_async._json import MAX_DEPTH, depth
from flip_async._scalars import EMAIL, INT_END, INT_MIN, encodable, parses

__all__ = ["PASSES"]

_ABSENT = object()
'''

_BOUNDS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}


def render(models: types.ModuleType, roots: list[str], source: str) -> str:
    """The module's source (unformatted): a function per model reachable from the `roots` (request bodies)."""
    classes = list(_reachable([getattr(models, name) for name in roots], models))
    writer = _Writer(models)
    functions = [writer.function(cls) for cls in classes]
    lines = [HEADER.format(source=source), *writer.constants, "", *functions]
    lines.append("PASSES: dict[type, Callable[[Any], bool]] = {")
    lines += [f"    models.{cls.__name__}: passes_{cls.__name__}," for cls in classes]
    lines.append("}")
    lines.append('"""By model class, its test; a model without one is always checked by the detailed walk."""')
    return "\n".join(lines) + "\n"


def _reachable(roots: list[type], models: types.ModuleType) -> Iterator[type]:
    """Every attrs class among `roots` and the types of their fields, each once, in the order first met."""
    seen: set[type] = set()
    pending = list(reversed(roots))
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        for field in attrs.fields(attrs.resolve_types(cls, globalns=vars(models))):
            pending.extend(reversed([hint for hint in _mentioned(field.type) if attrs.has(hint) and hint not in seen]))


def _mentioned(hint: Any) -> Iterator[Any]:
    yield hint
    for arg in get_args(hint):
        yield from _mentioned(arg)


class _Writer:
    """Writes test expressions for type hints; module-level constants they need are collected in `constants`."""

    def __init__(self, models: types.ModuleType) -> None:
        self.models = models
        self.constants: list[str] = []
        """The enums' values, which several classes test against."""
        self._named: set[str] = set()

    def function(self, cls: type) -> str:
        """The class's wire names and its test, both branches (a model, a dict) in one function."""
        name = cls.__name__
        fields = attrs.fields(attrs.resolve_types(cls, globalns=vars(self.models)))
        wires = [field.metadata.get("wire_name", field.name) for field in fields]
        model_lines, mapping_lines = [], []
        for field, wire in zip(fields, wires, strict=True):
            is_required = field.default is attrs.NOTHING
            nullable = _is_nullable(field.type) if is_required else bool(field.metadata.get("nullable", False))
            test = self.test(_without_none(field.type), dict(field.metadata), "v")
            # A model's None means "not set" for an optional field; only a required, non-nullable one must be set.
            model_lines.append(f"        v = value.{field.name}")
            if is_required and not nullable:
                model_lines.append(f"        if v is None or not {test}:")
            else:
                model_lines.append(f"        if v is not None and not {test}:")
            model_lines.append("            return False")
            # In a mapping, a key left out is not sent; an explicit null is sent, and must be allowed. A required key
            # left out reads as None here, which fails as null does.
            if nullable and is_required:
                mapping_lines.append(f"        v = value.get({wire!r}, _ABSENT)")
                mapping_lines.append(f"        if v is _ABSENT or (v is not None and not {test}):")
            elif nullable:
                mapping_lines.append(f"        v = value.get({wire!r})")
                mapping_lines.append(f"        if v is not None and not {test}:")
            elif is_required:
                mapping_lines.append(f"        v = value.get({wire!r})")
                mapping_lines.append(f"        if v is None or not {test}:")
            else:
                mapping_lines.append(f"        v = value.get({wire!r}, _ABSENT)")
                mapping_lines.append(f"        if v is not _ABSENT and (v is None or not {test}):")
            mapping_lines.append("            return False")
        return "\n".join(
            [
                f"_{name}_FIELDS = frozenset({sorted(wires)!r})",
                "",
                "",
                f"def passes_{name}(value: Any) -> bool:",
                "    v: Any  # each field's value in turn",
                f"    if type(value) is models.{name}:",
                *model_lines,
                "        return True",
                "    if type(value) is dict:",
                f"        if not value.keys() <= _{name}_FIELDS:",
                "            return False",
                *mapping_lines,
                "        return True",
                "    return False",
                "",
                "",
            ]
        )

    def test(self, hint: Any, rules: dict[str, Any], var: str) -> str:
        """A boolean expression: `var` (not None) passes as `hint` with the spec's `rules`."""
        if _is_union(hint):
            return "(" + " or ".join(self.test(arg, rules, var) for arg in get_args(hint)) + ")"
        if get_origin(hint) is list:
            return self._list_test(get_args(hint)[0], rules, var)
        if get_origin(hint) is dict:
            return f"(isinstance({var}, Mapping) and depth({var}) <= MAX_DEPTH)"
        if isinstance(hint, type) and attrs.has(hint):
            return f"passes_{hint.__name__}({var})"
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            values = f"_{hint.__name__}_VALUES"
            self._constant(values, f"frozenset(models.{hint.__name__}._value2member_map_)")
            return f"(isinstance({var}, str) and {var} in {values})"
        if hint is Any:
            return "True"
        return self._scalar_test(hint, rules, var)

    def _list_test(self, item_hint: Any, rules: dict[str, Any], var: str) -> str:
        item = f"{var}_"
        item_test = self.test(_without_none(item_hint), rules.get("items", {}), item)
        if _is_nullable(item_hint):
            each = f"({item} is None or {item_test})"
        else:
            each = f"({item} is not None and {item_test})"
        parts = [f"isinstance({var}, (list, tuple))"]
        if "minItems" in rules:
            parts.append(f"len({var}) >= {rules['minItems']!r}")
        if "maxItems" in rules:
            parts.append(f"len({var}) <= {rules['maxItems']!r}")
        parts.append(f"all({each} for {item} in {var})")
        return "(" + " and ".join(parts) + ")"

    def _scalar_test(self, hint: Any, rules: dict[str, Any], var: str) -> str:
        integer = f"(type({var}) is int and INT_MIN <= {var} < INT_END)"
        parsed = {datetime: "datetime.fromisoformat", date: "date.fromisoformat", UUID: "UUID"}
        if hint is str:
            parts = [f"type({var}) is str", f"({var}.isascii() or encodable({var}))"]
        elif hint is int:
            parts = [integer]
        elif hint is float:
            parts = [f"((type({var}) is float and math.isfinite({var})) or {integer})"]
        elif hint is bool:
            parts = [f"type({var}) is bool"]
        elif hint in parsed:
            native = hint.__name__
            parts = [f"(isinstance({var}, {native}) or (type({var}) is str and parses({parsed[hint]}, {var})))"]
        else:
            raise TypeError(f"no request check for the type {hint!r}")
        if rules.get("format") == "email":
            parts.append(f"EMAIL.fullmatch({var}) is not None")
        if "minLength" in rules:
            parts.append(f"len({var}) >= {rules['minLength']!r}")
        if "maxLength" in rules:
            parts.append(f"len({var}) <= {rules['maxLength']!r}")
        parts += [f"{var} {operator} {rules[keyword]!r}" for keyword, operator in _BOUNDS.items() if keyword in rules]
        return "(" + " and ".join(parts) + ")"

    def _constant(self, name: str, value: str) -> None:
        if name not in self._named:
            self._named.add(name)
            self.constants.append(f"{name} = {value}")


# The same three readings of a type hint as flip_async._validation's: codegen cannot import the package, whose
# generated modules may be the stale (or broken) ones it is about to replace.
def _is_union(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType)


def _is_nullable(hint: Any) -> bool:
    return hint is Any or (_is_union(hint) and type(None) in get_args(hint))


def _without_none(hint: Any) -> Any:
    if not _is_union(hint):
        return hint
    rest = [arg for arg in get_args(hint) if arg is not type(None)]
    return rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007
