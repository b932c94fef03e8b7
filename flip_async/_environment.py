"""Configuration from the environment: FLIP_LOG for logging with no code, FLIP_TIMEOUT and FLIP_MAX_RETRIES defaults."""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Callable
from typing import TypeVar

from yarl import URL

__all__ = ["DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "log_from_environment", "max_retries", "proxy_for", "timeout"]

N = TypeVar("N", int, float)

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def timeout() -> float:
    """FLIP_TIMEOUT (seconds per attempt, > 0) when set, else 30."""
    return _number(
        "FLIP_TIMEOUT", float, DEFAULT_TIMEOUT, "a number of seconds > 0", lambda value: 0 < value < math.inf
    )


def max_retries() -> int:
    """FLIP_MAX_RETRIES (>= 0) when set, else 2."""
    return _number("FLIP_MAX_RETRIES", int, DEFAULT_MAX_RETRIES, "an integer >= 0", lambda value: value >= 0)


def proxy_for(url: URL) -> str | None:
    """The proxy HTTPS_PROXY or HTTP_PROXY (either case) names for `url`, unless NO_PROXY exempts its host.

    What aiohttp's own `trust_env` reads, less `~/.netrc`: aiohttp would send a netrc entry for the API's host as
    Basic auth, which cannot go with the bearer token (every request would fail).
    """
    import urllib.request  # only clients made with trust_env=True pay for it

    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.scheme)
    if proxy is None or url.host is None or urllib.request.proxy_bypass(url.host):
        return None
    return proxy


def _number(name: str, kind: type[N], default: N, expected: str, acceptable: Callable[[N], bool]) -> N:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not acceptable(value):
        raise ValueError(f"{name}={text!r} is not {expected}")
    return value


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
