"""An operation of the spec as data: the types that the generated operation table (`_spec.py`) is written in."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from flip_async.errors import Problem, RequestValidationError

__all__ = ["Auth", "Operation", "Parameter", "Reply", "path_problem"]

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")
# What aiohttp would alter on the way (it percent-encodes the path itself but keeps `/`, dot segments and existing
# escapes), so an id holding one of these would reach Flip as another id, or another path.
_UNSENDABLE = re.compile(r"/|%[0-9A-Fa-f]{2}|^\.{1,2}$")


def path_problem(value: str) -> str | None:
    """Why `value` cannot be sent as a path parameter unaltered (so Flip would see another id), or None."""
    if "/" not in value and "%" not in value and value not in ("", ".", ".."):
        return None  # the usual id, told apart without the regex: it runs for every site and device commissioned
    if not value or _UNSENDABLE.search(value):
        return f"{value!r} cannot go in a URL path as is: not empty, '.' or '..', nor with '/' or %XX"
    return None


JSONSchema = Mapping[str, Any]
"""A JSON Schema (2020-12) whose `$ref`s point into the table's `DEFS` as `#/$defs/<Name>`."""


class Auth(enum.StrEnum):
    """The token an operation takes, named as the spec's security schemes are."""

    CLIENT = "ClientToken"
    SITE = "SiteToken"


@attrs.frozen(kw_only=True)
class Parameter:
    """A path or query parameter: its name as sent, its Python type and its JSON Schema."""

    name: str
    location: Literal["path", "query"]
    type: Any
    """str, int, UUID, an enum of `models`, or a list of one (a query parameter repeated once per value)."""
    required: bool
    schema: JSONSchema


@attrs.frozen(kw_only=True)
class Reply:
    """What one status of an operation answers with: its Python type and its JSON Schema (both None: no body)."""

    type: Any
    schema: JSONSchema | None


@attrs.frozen(kw_only=True)
class Operation:
    """One operation of openapi/flip.yaml: `path` is the spec's template, with a `{name}` per path parameter."""

    operation_id: str
    summary: str
    method: str
    path: str
    auth: Auth
    parameters: tuple[Parameter, ...] = ()
    body: Any = None
    """The Python type of the JSON request body (a model class, or `dict[str, Any]` when free-form); None for none."""
    body_schema: JSONSchema | None = None
    body_required: bool = False
    """Whether a request must carry the body (an absent one is a 422 at Flip)."""
    responses: Mapping[int, Reply] = attrs.field(factory=dict)
    """By HTTP status, the documented answers: successes and errors alike."""
    _segments: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    may_answer_empty: bool = attrs.field(init=False, repr=False, eq=False)
    """Whether a success of this operation may come without a body (a documented 2xx without one)."""

    def __attrs_post_init__(self) -> None:
        # Worked out once, not per call. The path is split into literal text and parameter names, alternately:
        # building a URL is then a join, not a regex.
        object.__setattr__(self, "_segments", tuple(_PATH_PARAMETER.split(self.path)))
        object.__setattr__(
            self, "may_answer_empty", any(self.responses[status].type is None for status in self.success_statuses)
        )

    @property
    def path_parameters(self) -> tuple[Parameter, ...]:
        return tuple(parameter for parameter in self.parameters if parameter.location == "path")

    @property
    def query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(parameter for parameter in self.parameters if parameter.location == "query")

    @property
    def success_statuses(self) -> tuple[int, ...]:
        return tuple(status for status in self.responses if 200 <= status < 300)

    def success_type(self, status: int) -> Any:
        """The Python type of a 2xx answer: the spec's for `status`, else that of its first documented success."""
        reply = self.responses.get(status)
        if reply is None:
            reply = self.responses[self.success_statuses[0]]
        return reply.type

    def url_path(self, values: Mapping[str, str]) -> str:
        """The path with each `{name}` replaced by its value; RequestValidationError for a value it cannot carry."""
        problems = [Problem(name, why) for name, value in values.items() if (why := path_problem(value)) is not None]
        if problems:
            raise RequestValidationError(problems, model=f"the path of {self.operation_id}")
        if len(self._segments) == 1:  # no parameters in the path
            return self.path
        # Odd positions of the split are parameter names, even ones the literal text between them.
        return "".join(values[part] if index % 2 else part for index, part in enumerate(self._segments))
