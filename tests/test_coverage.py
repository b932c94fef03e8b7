"""Every operation of the generated table has exactly one API method, typed as the spec's answer, taking per-call
options; nothing about an operation is written by hand outside the generated files."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import UnionType
from typing import Any, get_args, get_origin, get_type_hints

import attrs
import pytest
from support import operations_without_a_method

from flip_async import DeviceChanges, FlipClient, SiteChanges, SiteClient, models
from flip_async._operations import REGISTRY, Send
from flip_async._resource import resource
from flip_async._spec import DEFS, OPERATIONS

PACKAGE = Path(__file__).resolve().parents[1] / "flip_async"
GENERATED = {PACKAGE / "models.py", PACKAGE / "_spec.py"}

# The keyword arguments of each PATCH method with named fields, and the body schema they build.
PATCH_FIELDS = {"update_site": (SiteChanges, "SiteUpdateIn"), "update_device": (DeviceChanges, "DeviceUpdateIn")}
# The PATCH methods that take their body whole instead (a model or its wire mapping), validated as every body is.
WHOLE_BODY_PATCHES = {"update_command_status", "update_event_participation"}


def test_every_operation_has_a_method() -> None:
    assert operations_without_a_method(OPERATIONS) == []
    assert set(REGISTRY) == set(OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_each_method_is_typed_as_the_spec_answers(operation_id: str) -> None:
    """The `Send[...]` a method declares is what the spec says a success answers (None for no body)."""
    declared = get_type_hints(inspect.unwrap(REGISTRY[operation_id].method))["send"]
    assert get_origin(declared) is Send
    (answer,) = get_args(declared)
    spec = OPERATIONS[operation_id]
    documented = {spec.responses[status].type for status in spec.success_statuses}
    assert (set(get_args(answer)) if isinstance(answer, UnionType) else {answer}) == {
        type(None) if kind is None else kind for kind in documented
    }


def _public_methods() -> dict[str, Any]:
    """Every coroutine method reachable from a FlipClient or a SiteClient, by its qualified name."""
    found: dict[str, Any] = {}
    for owner in (FlipClient, SiteClient):
        attributes = inspect.getmembers(owner, lambda member: isinstance(member, resource))
        classes = [owner, *(attribute.cls for _, attribute in attributes)]
        for cls in classes:
            for name, function in inspect.getmembers(cls, inspect.isfunction):
                if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
                    found[f"{cls.__qualname__}.{name}"] = function
    return found


def test_every_registered_method_is_reachable_from_the_clients() -> None:
    reachable = _public_methods()
    for operation_id, registered in REGISTRY.items():
        name = registered.method.__qualname__
        assert reachable.get(name) is registered.method, f"{operation_id}: {name} is not on FlipClient or SiteClient"


API_METHODS = sorted(name for name in _public_methods() if not name.rpartition(".")[2].startswith(("_", "aclose")))


@pytest.mark.parametrize("name", [*API_METHODS, "FlipClient.commission_many"])
def test_every_api_method_takes_timeout_and_max_retries_for_one_call(name: str) -> None:
    method = _public_methods().get(name) or getattr(FlipClient, name.rpartition(".")[2])
    parameters = inspect.signature(method).parameters
    for option in ("timeout", "max_retries"):
        takes = option in parameters and parameters[option].kind is inspect.Parameter.KEYWORD_ONLY
        takes_options = any(
            parameter.kind is inspect.Parameter.VAR_KEYWORD and "CallOptions" in str(parameter.annotation)
            for parameter in parameters.values()
        )
        assert takes or takes_options, f"{name} does not take {option}="


@pytest.mark.parametrize("operation_id", sorted(PATCH_FIELDS))
def test_patch_keywords_are_the_body_fields_and_admit_none_exactly_where_the_spec_allows_null(
    operation_id: str,
) -> None:
    fields, schema_name = PATCH_FIELDS[operation_id]
    assert OPERATIONS[operation_id].body is getattr(models, schema_name)
    schema = DEFS[schema_name]
    hints = get_type_hints(fields)
    assert (
        set(hints) == set(schema["properties"]) == {field.name for field in attrs.fields(getattr(models, schema_name))}
    )
    for name, prop in schema["properties"].items():
        assert (type(None) in get_args(hints[name])) == _spec_nullable(prop), name


def _spec_nullable(prop: dict[str, Any]) -> bool:
    kinds = prop.get("type", [])
    return "null" in kinds or any(option.get("type") == "null" for option in prop.get("anyOf", []))


def test_only_the_patch_methods_listed_here_take_field_keywords() -> None:
    """A new PATCH with a documented body must be listed in PATCH_FIELDS, so its nullability is checked too."""
    documented = {
        operation_id for operation_id, spec in OPERATIONS.items() if spec.method == "PATCH" and attrs.has(spec.body)
    }
    assert documented == set(PATCH_FIELDS) | WHOLE_BODY_PATCHES


@pytest.mark.parametrize("operation_id", sorted(REGISTRY))
def test_callers_see_no_send_parameter_and_the_docstring_names_the_operation(operation_id: str) -> None:
    method = REGISTRY[operation_id].method
    spec = OPERATIONS[operation_id]
    assert "send" not in inspect.signature(method).parameters
    assert f"`{spec.method} {spec.path}`" in (method.__doc__ or "")


_HAND_WRITTEN_OPERATION = re.compile(r"/v1/|\"(GET|POST|PUT|PATCH|DELETE)\"")


def test_no_api_path_or_http_method_is_written_by_hand_outside_the_generated_files() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in GENERATED
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _HAND_WRITTEN_OPERATION.search(line)
    ]
    assert found == []
