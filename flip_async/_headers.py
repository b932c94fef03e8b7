"""Response headers as flip-async reads them: immutable case-insensitive copies, and the request id they carry."""

from __future__ import annotations

from collections.abc import Mapping

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["frozen", "request_id"]


def frozen(headers: Mapping[str, str]) -> CIMultiDictProxy[str]:
    """`headers` as a read-only, case-insensitive multidict (as aiohttp hands them over, unchanged)."""
    return headers if isinstance(headers, CIMultiDictProxy) else CIMultiDictProxy(CIMultiDict(headers))


def request_id(headers: Mapping[str, str]) -> str | None:
    """The id the API gave this request (`x-request-id`, else `request-id`), for quoting to Flip's support."""
    lookup = frozen(headers)
    return lookup.get("x-request-id") or lookup.get("request-id") or None
