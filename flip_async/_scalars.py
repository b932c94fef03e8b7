"""What a scalar must be for a request to send it: the facts both request validators (`_validation`, `_checks`) read."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["EMAIL", "INT_END", "INT_MIN", "encodable", "parses"]

# Deliberately loose: one "@", a dot in the domain, no spaces. Flip owns the real check; this catches typos and
# column mix-ups (a name in the email column) before a whole fleet is sent.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# JSON numbers as Flip's stack reads them: 64-bit integers (INT_MIN <= n < INT_END), finite floats (orjson would write
# NaN as null). Compared, never `n in range(...)`: that scans the whole range for an int subclass (an IntEnum member).
INT_MIN, INT_END = -(2**63), 2**64


def encodable(text: str) -> bool:
    """Whether `text` can be written as UTF-8: not when it holds a lone surrogate (text decoded with
    errors="surrogateescape", say)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parses(parse: Callable[[str], Any], text: str) -> bool:
    """Whether `parse` reads `text` (a date-time, date or UUID sent as text) without a ValueError."""
    try:
        parse(text)
    except ValueError:
        return False
    return True
