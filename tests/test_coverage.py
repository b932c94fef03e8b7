"""Every operation of openapi/flip.yaml has a client method declaring it, with the spec's method, path and token."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, get_args, get_type_hints

import attrs
import pytest
import yaml

from flip_async import DeviceChanges, FlipClient, SiteChanges, SiteClient, models
from flip_async._operations import REGISTRY
from flip_async._resource import resource

SPEC = yaml.safe_load((Path(__file__).resolve().parents[1] / "openapi" / "flip.yaml").read_text())
METHODS = ("get", "put", "post", "patch", "delete")
SPEC_OPERATIONS = {
    operation["operationId"]: (method.upper(), path, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in METHODS
}

# The keyword arguments of each PATCH method with named fields, and the body schema they build.
PATCH_FIELDS = {"update_site": (SiteChanges, "SiteUpdateIn"), "update_device": (DeviceChanges, "DeviceUpdateIn")}


def test_every_spec_operation_has_a_client_method_and_no_method_claims_another() -> None:
    missing = sorted(set(SPEC_OPERATIONS) - set(REGISTRY))
    unknown = sorted(set(REGISTRY) - set(SPEC_OPERATIONS))
    assert not missing, f"operations without a client method: {missing}"
    assert not unknown, f"methods for operations the spec does not have: {unknown}"


@pytest.mark.parametrize("operation_id", sorted(SPEC_OPERATIONS))
def test_each_method_sends_the_spec_method_path_and_token(operation_id: str) -> None:
    method, path, spec = SPEC_OPERATIONS[operation_id]
    declared = REGISTRY[operation_id].operation
    assert (declared.method, declared.path) == (method, path)
    assert [list(requirement) for requirement in spec["security"]] == [[declared.auth.value]]


def _public_methods() -> dict[str, Any]:
    """Every coroutine method reachable from a FlipClient or a SiteClient, by its qualified name."""
    found: dict[str, Any] = {}
    for owner in (FlipClient, SiteClient):
        attributes = inspect.getmembers(owner, lambda member: isinstance(member, resource))
        classes = [owner, *(attribute.cls for _, attribute in attributes)]
        for cls in classes:
            for name, function in inspect.getmembers(cls, inspect.iscoroutinefunction):
                found[f"{cls.__qualname__}.{name}"] = function
    return found


def test_every_registered_method_is_reachable_from_the_clients() -> None:
    reachable = _public_methods()
    for operation_id, registered in REGISTRY.items():
        name = registered.method.__qualname__
        assert reachable.get(name) is registered.method, f"{operation_id}: {name} is not on FlipClient or SiteClient"


@pytest.mark.parametrize("operation_id", sorted(PATCH_FIELDS))
def test_patch_keywords_are_the_body_fields_and_admit_none_exactly_where_the_spec_allows_null(
    operation_id: str,
) -> None:
    fields, schema_name = PATCH_FIELDS[operation_id]
    schema = SPEC["components"]["schemas"][schema_name]
    assert _request_schema(operation_id) == {"$ref": f"#/components/schemas/{schema_name}"}
    hints = get_type_hints(fields)
    assert (
        set(hints) == set(schema["properties"]) == {field.name for field in attrs.fields(getattr(models, schema_name))}
    )
    for name, prop in schema["properties"].items():
        assert (type(None) in get_args(hints[name])) == _spec_nullable(prop), name


def _request_schema(operation_id: str) -> Any:
    return SPEC_OPERATIONS[operation_id][2]["requestBody"]["content"]["application/json"]["schema"]


def _spec_nullable(prop: dict[str, Any]) -> bool:
    kinds = prop.get("type", [])
    return "null" in kinds or any(option.get("type") == "null" for option in prop.get("anyOf", []))


def test_only_the_patch_methods_listed_here_take_field_keywords() -> None:
    """A new PATCH with a documented body must be listed in PATCH_FIELDS, so its nullability is checked too."""
    documented = {
        operation_id
        for operation_id, (method, _, spec) in SPEC_OPERATIONS.items()
        if method == "PATCH" and "$ref" in _request_schema(operation_id)
    }
    assert documented - {"update_command_status"} == set(PATCH_FIELDS)


@pytest.mark.parametrize("operation_id", sorted(REGISTRY))
def test_callers_see_no_send_parameter(operation_id: str) -> None:
    method = REGISTRY[operation_id].method
    assert "send" not in inspect.signature(method).parameters
    assert method.__doc__ is None or "send" not in method.__doc__.split()
