"""JSON as flip-async reads it: orjson, refusing documents nested deeper than Python code can safely walk."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["MAX_DEPTH", "NestingError", "kind", "loads"]

MAX_DEPTH = 128
"""Levels of nesting accepted; Flip's documents have fewer than ten. orjson alone allows 1,024, past what repr(),
pickle or a recursive walk of the caller's can take before RecursionError."""


class NestingError(ValueError):
    """A JSON document nested deeper than MAX_DEPTH levels."""


def loads(content: bytes | str) -> Any:
    """The decoded document; ValueError (orjson.JSONDecodeError or NestingError) when it is not JSON or too deep."""
    document = orjson.loads(content)
    # A document with at most MAX_DEPTH opening brackets in all cannot be nested deeper, so only documents with more
    # are walked. Deleting the brackets and comparing lengths is one pass over the bytes where counting each kind is
    # two: quicker for answers up to about 100 KB (Flip's are a few KB), a little slower for megabytes.
    if isinstance(content, bytes):
        brackets = len(content) - len(content.translate(None, b"[{"))
    else:
        brackets = content.count("[") + content.count("{")
    if brackets > MAX_DEPTH and depth(document) > MAX_DEPTH:
        raise NestingError(f"the JSON document is nested deeper than {MAX_DEPTH} levels")
    return document


def depth(document: Any) -> int:
    """How many arrays and objects deep `document` goes, walked with an explicit stack rather than recursion."""
    deepest = 0
    pending = [(document, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def kind(value: Any) -> str:
    """The name of a decoded value's type, as an error message says it: `null`, `str`, `int`, `list`, ..."""
    return "null" if value is None else type(value).__name__
