"""Configuration from the environment: FLIP_LOG for logging with no code, FLIP_TIMEOUT and FLIP_MAX_RETRIES defaults."""

from __future__ import annotations

import logging
import os
import sys
from typing import TypeVar

__all__ = ["DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "log_from_environment", "max_retries", "timeout"]

N = TypeVar("N", int, float)

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def timeout() -> float:
    """FLIP_TIMEOUT (seconds per attempt) when set, else 30."""
    return _number("FLIP_TIMEOUT", float, DEFAULT_TIMEOUT)


def max_retries() -> int:
    """FLIP_MAX_RETRIES when set, else 2."""
    return _number("FLIP_MAX_RETRIES", int, DEFAULT_MAX_RETRIES)


def _number(name: str, kind: type[N], default: N) -> N:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not {'an integer' if kind is int else 'a number'}") from None


def log_from_environment() -> None:
    """With FLIP_LOG=debug or info, the `flip_async` logger's records go to stderr at that level (once).

    For a quick look without touching logging setup, as OPENAI_LOG does; any other value is ignored.
    """
    level = _LEVELS.get(os.environ.get("FLIP_LOG", "").strip().lower())
    logger = logging.getLogger("flip_async")
    if level is None or any(getattr(handler, "_flip_log", False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._flip_log = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
