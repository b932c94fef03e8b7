"""The sandbox's answers on the wire: JSON bodies built from the models, and FastAPI's two error shapes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from aiohttp import web

from flip_async import _converter, models
from flip_async.errors import Problem

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class Rejected(Exception):
    """An answer other than success (and other than a 422), with FastAPI's body for it: `{"detail": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Invalid(Exception):
    """A 422: the request breaks the spec; `details` locate each problem FastAPI-style (`["body", "site", "id"]`)."""

    def __init__(self, details: Iterable[models.ValidationError]) -> None:
        self.details = list(details)
        super().__init__("; ".join(f"{detail.loc}: {detail.msg}" for detail in self.details))


def problem_detail(location: str, problem: Problem) -> models.ValidationError:
    """A Problem whose wire path reads `devices[0].site_id` as the detail at `[location, "devices", 0, "site_id"]`."""
    loc: list[str | int] = [location]
    if problem.path != "$":
        loc.extend(name or int(index) for name, index in _PATH_PART.findall(problem.path))
    return models.ValidationError(loc=loc, msg=problem.message, type="value_error")


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """`payload` (a model, a list of models, or a plain JSON document) as an application/json response."""
    return web.Response(
        status=status,
        body=orjson.dumps(_converter.unstructure(payload)),
        content_type="application/json",
        headers=headers,
    )


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    """Any error but a 422 as Flip's FastAPI answers it: `{"detail": "message"}`."""
    return json_response(models.ErrorResponse(detail=message), status, headers)


def validation_response(details: list[models.ValidationError]) -> web.Response:
    """A 422 as FastAPI answers it: `{"detail": [{"loc": [...], "msg": ..., "type": ...}, ...]}`."""
    return json_response(models.HTTPValidationError(detail=details), 422)
