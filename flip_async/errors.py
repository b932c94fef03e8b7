"""The SDK's exception hierarchy, and the mapping from an API error response to its typed exception."""

from __future__ import annotations

import http
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs
import orjson
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "FlipError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "RequestValidationError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "status_error",
]

# An error body can be megabytes of HTML from a proxy; the message keeps a readable head, `.body` keeps it all.
MAX_DETAIL_CHARS = 1000
_ELLIPSIS = "…"


@attrs.frozen
class Problem:
    """One thing wrong with a request or response, located by its wire path (e.g. `devices[0].site_id`)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FlipError(Exception):
    """Base of every exception the SDK raises on purpose."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class APIError(FlipError):
    """Talking to the API failed: an error status, no usable response, or a response that does not fit the model."""

    # How many attempts the transport made before giving up (None when not raised by the transport).
    attempts: int | None = None


class APIStatusError(APIError):
    """The API answered with a non-2xx status. Subclasses name the common statuses."""

    status_code: int
    body: object
    headers: CIMultiDictProxy[str]
    request_id: str | None
    method: str
    url: str

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: object,
        headers: Mapping[str, str],
        method: str,
        url: str | URL,
        attempts: int | None = None,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.status_code = status_code
        self.body = body
        self.headers = _frozen_headers(headers)
        self.request_id = _request_id(self.headers)
        self.method = method
        self.url = _public_url(url)


class BadRequestError(APIStatusError):
    """400: the API rejected the request as malformed."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, wrong, revoked or (for a site token) expired."""


class PermissionDeniedError(APIStatusError):
    """403: the token may not touch this resource (e.g. a site token used on another site)."""


class NotFoundError(APIStatusError):
    """404: no such resource."""


class ConflictError(APIStatusError):
    """409: the resource already exists (commissioning a site twice); never retried."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but failed the API's validation."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried with the server's Retry-After before this is raised."""


class InternalServerError(APIStatusError):
    """5xx: the API failed; retried before this is raised."""


class APIConnectionError(APIError):
    """No usable response: the connection failed, was reset, or the response could not be read."""

    method: str | None
    url: str | None

    def __init__(
        self,
        message: str = "Connection error.",
        *,
        method: str | None = None,
        url: str | URL | None = None,
        attempts: int | None = None,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.method = method
        self.url = None if url is None else _public_url(url)


class APITimeoutError(APIConnectionError):
    """The request did not finish within its timeout."""

    def __init__(
        self,
        message: str = "Request timed out.",
        *,
        method: str | None = None,
        url: str | URL | None = None,
        attempts: int | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url, attempts=attempts)


class _ProblemsError:
    """Shared shape of the two validation errors: a tuple of problems and a message listing each on its own line."""

    problems: tuple[Problem, ...]
    model: str | None
    _default_subject: ClassVar[str]

    def _summary(self, context: str = "") -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} in {self.model or self._default_subject}{context}:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


class RequestValidationError(_ProblemsError, FlipError):
    """The request breaks the API's rules; raised before anything is sent. Lists every problem at once."""

    _default_subject = "the request"

    def __init__(self, problems: Iterable[Problem], model: str | None = None) -> None:
        self.problems = tuple(problems)
        self.model = model
        super().__init__(self._summary())


class ResponseValidationError(_ProblemsError, APIError):
    """The API answered, but its body does not fit the response model.

    A raw `bytes` body is parsed like `APIStatusError.body`: JSON when it is JSON, else text, else None.
    """

    _default_subject = "the response"
    status_code: int | None
    body: object

    def __init__(
        self,
        problems: Iterable[Problem],
        model: str | None = None,
        *,
        status_code: int | None = None,
        body: object = None,
    ) -> None:
        self.problems = tuple(problems)
        self.model = model
        self.status_code = status_code
        self.body = parse_body(body) if isinstance(body, bytes) else body
        super().__init__(self._summary(f" (status {status_code})" if status_code is not None else ""))


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
    raw_body: bytes,
    *,
    attempts: int | None = None,
) -> APIStatusError:
    """Build the typed exception for an error response; its message quotes the API's own explanation."""
    body = parse_body(raw_body)
    frozen = _frozen_headers(headers)
    message = _status_message(status, method, url, body, _request_id(frozen))
    error_class = error_class_for(status)
    return error_class(
        message, status_code=status, body=body, headers=frozen, method=method, url=url, attempts=attempts
    )


def parse_body(raw_body: bytes) -> object:
    """The body as parsed JSON when it is JSON, else as text (undecodable bytes replaced), else None when empty."""
    if not raw_body.strip():
        return None
    try:
        return orjson.loads(raw_body)
    except orjson.JSONDecodeError:
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
    except TypeError:
        return repr(value)


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


def _frozen_headers(headers: Mapping[str, str]) -> CIMultiDictProxy[str]:
    if isinstance(headers, CIMultiDictProxy):
        return headers
    return CIMultiDictProxy(CIMultiDict(headers))


def _request_id(headers: Mapping[str, str]) -> str | None:
    return headers.get("x-request-id") or headers.get("request-id") or None


def _public_url(url: str | URL) -> str:
    """The URL without user info or fragment: enough to find the call, nothing that authenticates it."""
    try:
        parsed = URL(url)
        return str(parsed.with_user(None).with_fragment(None) if parsed.absolute else parsed.with_fragment(None))
    except ValueError:
        return "<unparsable URL>"


def _path_of(url: str | URL) -> str:
    try:
        return URL(url).path
    except ValueError:
        return "<unparsable URL>"
