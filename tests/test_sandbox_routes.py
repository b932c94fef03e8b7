"""The sandbox's hand-written route table against openapi/flip.yaml: same operations, tokens, parameters, bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from flip_async.sandbox import Faults, Sandbox
from flip_async.sandbox._routes import OPERATIONS, Operation

SPEC = yaml.safe_load((Path(__file__).resolve().parents[1] / "openapi" / "flip.yaml").read_text())
METHODS = ("get", "put", "post", "patch", "delete")


def _spec_operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        operation["operationId"]: (method.upper(), path, operation)
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


SPEC_OPERATIONS = _spec_operations()
ROUTES = {operation.operation_id: operation for operation in OPERATIONS}


def _resolved(parameter: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in parameter:
        return parameter
    resolved: dict[str, Any] = SPEC["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
    return resolved


def test_the_route_table_has_exactly_the_spec_operations() -> None:
    assert len(OPERATIONS) == len(ROUTES) == 27
    assert set(ROUTES) == set(SPEC_OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(SPEC_OPERATIONS))
def test_each_route_matches_its_spec_operation(operation_id: str) -> None:
    method, path, spec = SPEC_OPERATIONS[operation_id]
    route: Operation = ROUTES[operation_id]
    assert (route.method, route.path) == (method, path)
    assert [list(requirement) for requirement in spec["security"]] == [[route.scheme.value]]
    spec_params = {
        (param["name"], param["in"], param.get("required", False))
        for param in map(_resolved, spec.get("parameters", []))
    }
    assert {(param.name, param.location, param.required) for param in route.params} == spec_params
    assert (route.body is not None) == ("requestBody" in spec)
    # A body that is not JSON answers 400 only where the spec documents a 400.
    assert (route.malformed_status == 400) == ("400" in spec["responses"])


def test_faults_must_name_real_operations() -> None:
    with pytest.raises(ValueError, match="commision"):
        Sandbox(faults=Faults(operations={"commision"}))
