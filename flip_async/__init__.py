"""flip-async: an async Python SDK for the Flip Energy API."""

from flip_async import _environment, errors, models, resources
from flip_async._client import DEFAULT_BASE_URL, FlipClient
from flip_async._raw import RawResponse
from flip_async._retry import RetryPolicy
from flip_async._site import SiteChanges, SiteClient
from flip_async._version import __version__
from flip_async.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FlipError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RateLimitError,
    RequestValidationError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from flip_async.resources import FailedBatch, PointResult, TelemetryReport
from flip_async.resources.site import DeviceChanges

_environment.log_from_environment()

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DeviceChanges",
    "FailedBatch",
    "FlipClient",
    "FlipError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PointResult",
    "Problem",
    "RateLimitError",
    "RawResponse",
    "RequestValidationError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "SiteChanges",
    "SiteClient",
    "TelemetryReport",
    "UnprocessableEntityError",
    "__version__",
    "errors",
    "models",
    "resources",
]
