"""Griffe extensions for the reference: what static analysis of the source cannot see, taken from the live objects.

Static analysis stays the base, as it alone sees attribute docstrings (the models' fields, for one).
"""

from __future__ import annotations

import enum
import inspect
from typing import Any

import griffe


def _live(obj: griffe.Object) -> Any:
    try:
        return griffe.dynamic_import(obj.path)
    except ImportError:
        return None


class LiveSignatures(griffe.Extension):
    """A decorated function documented as `help()` shows it: the live object's docstring and parameters.

    `@operation(...)` methods drop their internal `send` parameter and gain a line naming the operation they send, both
    at import time, from the generated table. The source shows neither, and griffe's own dynamic analysis unwraps a
    decorated function back to the source function, so it does not either.
    """

    def on_function_instance(self, *, node: Any, func: griffe.Function, agent: Any, **kwargs: Any) -> None:
        live = _live(func)
        if not callable(live) or not hasattr(live, "__wrapped__"):
            return
        documented = inspect.getdoc(live)
        if documented:
            func.docstring = griffe.Docstring(
                documented,
                lineno=func.docstring.lineno if func.docstring else func.lineno,
                parent=func,
                parser=agent.docstring_parser,
                parser_options=agent.docstring_options,
            )
        shown = inspect.signature(live).parameters
        unknown = set(shown) - {parameter.name for parameter in func.parameters}
        if unknown:
            raise ValueError(f"{func.path}: its signature has {sorted(unknown)}, which its source does not")
        func.parameters = griffe.Parameters(*(parameter for parameter in func.parameters if parameter.name in shown))


class EnumValues(griffe.Extension):
    """An enum whose members have no docstrings lists its values in one line, not one heading per member."""

    def on_class_members(self, *, node: Any, cls: griffe.Class, agent: Any, **kwargs: Any) -> None:
        live = _live(cls)
        if not (isinstance(live, type) and issubclass(live, enum.Enum)):
            return
        members = [cls.members[name] for name in live.__members__ if name in cls.members]
        if any(member.docstring for member in members):
            return
        values = ", ".join(
            f"`{member.name}`" if member.name == member.value else f"`{member.name}` = `{member.value!r}`"
            for member in live
        )
        text = f"{cls.docstring.value}\n\nValues: {values}." if cls.docstring else f"Values: {values}."
        cls.docstring = griffe.Docstring(
            text, lineno=cls.lineno, parent=cls, parser=agent.docstring_parser, parser_options=agent.docstring_options
        )
        for member in members:
            cls.del_member(member.name)
