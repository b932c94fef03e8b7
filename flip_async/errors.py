"""The SDK's exception hierarchy: what every error it raises on purpose is, and what each one carries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

import attrs
from multidict import CIMultiDictProxy
from yarl import URL

from flip_async import _headers

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
    "ResponseTooLargeError",
    "ResponseValidationError",
    "UnprocessableEntityError",
]


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
        self.headers = _headers.frozen(headers)
        self.request_id = _headers.request_id(self.headers)
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


class ResponseTooLargeError(APIError):
    """The API's answer is larger than the client's `max_response_size`; reading stopped there (never retried)."""

    def __init__(self, message: str, *, limit: int, method: str, url: str | URL, attempts: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.method = method
        self.url = _public_url(url)
        self.attempts = attempts


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
    """The API answered, but its body does not fit the response model; `body` is what it sent, decoded as
    `APIStatusError.body` is (JSON when it is JSON, else text, else None), with secrets redacted."""

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
        self.body = body
        super().__init__(self._summary(f" (status {status_code})" if status_code is not None else ""))


def _public_url(url: str | URL) -> str:
    """The URL without user info or fragment: enough to find the call, nothing that authenticates it."""
    try:
        parsed = URL(url)
        return str(parsed.with_user(None).with_fragment(None) if parsed.is_absolute() else parsed.with_fragment(None))
    except ValueError:
        return "<unparsable URL>"
