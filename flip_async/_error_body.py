"""An API error response as its typed exception: the class for its status, and a message in the API's own words."""

from __future__ import annotations

import http
from collections.abc import Mapping
from typing import Any

import orjson
from yarl import URL

from flip_async import _headers, _json
from flip_async.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

__all__ = ["MAX_DETAIL_CHARS", "describe_body", "error_class_for", "parse_body", "status_error"]

# An error body can be megabytes of HTML from a proxy; the message keeps a readable head, `.body` keeps it all.
MAX_DETAIL_CHARS = 1000
_ELLIPSIS = "…"

_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP status: its named class, InternalServerError for 5xx, else APIStatusError."""
    if status >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status, APIStatusError)


def status_error(
    status: int,
    method: str,
    url: str | URL,
    headers: Mapping[str, str],
    body: object,
    *,
    attempts: int | None = None,
) -> APIStatusError:
    """The typed exception for an error response whose `body` is already decoded (see `parse_body`) and redacted;
    its message quotes the API's own explanation."""
    frozen = _headers.frozen(headers)
    message = _status_message(status, method, url, body, _headers.request_id(frozen))
    return error_class_for(status)(
        message, status_code=status, body=body, headers=frozen, method=method, url=url, attempts=attempts
    )


def parse_body(raw_body: bytes) -> object:
    """The body as parsed JSON when it is JSON, else as text (undecodable bytes replaced), else None when empty."""
    if not raw_body.strip():
        return None
    try:
        return _json.loads(raw_body)
    except ValueError:  # not JSON, or nested too deep to hand over as a document: the text, as with any other body
        return raw_body.decode("utf-8", errors="replace")


def describe_body(body: object) -> str:
    """The API's own words from any error body, in one line of bounded length; '' when there are none."""
    if body is None:
        return ""
    if isinstance(body, str):
        return _truncate(" ".join(body.split()))
    parts = _api_words(body) if isinstance(body, dict) else []
    return _truncate("; ".join(parts) if parts else _compact(body))


def _api_words(body: dict[str, Any]) -> list[str]:
    """Explanations from every documented shape: FastAPI `detail`, `{code, error, message}` and `errors[]`."""
    parts: list[str] = []
    parts.extend(_detail_words(body.get("detail")))
    headline = _headline(body)
    if headline:
        parts.insert(0, headline)
    parts.extend(_errors_words(body.get("errors")))
    return parts


def _headline(body: dict[str, Any]) -> str:
    code, error, message = (_text(body.get(key)) for key in ("code", "error", "message"))
    # Nest-style bodies repeat the HTTP reason in `error`; the message already says more.
    words = message or error
    if code and words:
        return f"{code}: {words}"
    return code or words


def _detail_words(detail: object) -> list[str]:
    if detail is None:
        return []
    if isinstance(detail, list):
        return [_fastapi_item(item) for item in detail]
    return [_text(detail)]


def _fastapi_item(item: object) -> str:
    if not isinstance(item, dict):
        return _text(item)
    loc, msg = item.get("loc"), _text(item.get("msg")) or _text(item.get("message"))
    where = _loc_path(loc) if isinstance(loc, list) else _text(loc)
    if where and msg:
        return f"{where}: {msg}"
    return msg or where or _compact(item)


def _errors_words(errors: object) -> list[str]:
    if errors is None:
        return []
    if not isinstance(errors, list):
        return [_text(errors)]
    words = []
    for item in errors:
        if isinstance(item, dict):
            path, message = _text(item.get("path")), _text(item.get("message"))
            words.append(f"{path}: {message}" if path and message else message or path or _compact(item))
        else:
            words.append(_text(item))
    return words


def _loc_path(loc: list[Any]) -> str:
    """FastAPI's `["body", "devices", 0, "site_id"]` as `body.devices[0].site_id`."""
    path = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "; ".join(value)
    return _compact(value)


def _compact(value: object) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson refuses documents nested deeper than it writes; repr() would recurse as deep
        return f"<a {type(value).__name__} too deeply nested to show>"


def _truncate(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS


def _status_message(status: int, method: str, url: str | URL, body: object, request_id: str | None) -> str:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    message = f"{status} {reason} from {method} {_path_of(url)}"
    words = describe_body(body)
    if words:
        message += f": {words}"
    if request_id:
        message += f" (request id {request_id})"
    return message


def _path_of(url: str | URL) -> str:
    try:
        return URL(url).path
    except ValueError:
        return "<unparsable URL>"
