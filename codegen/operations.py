"""Render flip_async/_spec.py, the operation table, from openapi/flip.yaml."""

from __future__ import annotations

import pprint
from typing import Any

METHODS = ("get", "put", "post", "patch", "delete")
_SCHEMAS_REF = "#/components/schemas/"
_DEFS_REF = "#/$defs/"

# The keywords a validator needs; descriptions, examples and `x-` extensions stay in the spec.
_SCHEMA_KEYWORDS = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "const",
        "format",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "prefixItems",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "if",
        "then",
        "else",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "default",
    }
)
# Keywords whose value is a mapping of names to schemas, or a list of schemas, rather than one schema.
_SCHEMA_MAPS = frozenset({"properties"})
_SCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_SCHEMA_VALUES = frozenset({"items", "additionalProperties", "not", "if", "then", "else"})

HEADER = '''\
# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: {source}. Regenerate with `make generate` (python codegen/generate.py);
# `make check-generated` fails while this file differs from a fresh generation.
"""Every operation of {source} (method, path, token, parameters, body, answers) as data."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any
from uuid import UUID

from flip_async import models
from flip_async._spec_types import Auth, Operation, Parameter, Reply

__all__ = ["DEFS", "OPERATIONS"]
'''


class SpecError(Exception):
    """The spec uses a construct the operation table cannot express."""


def render(spec: dict[str, Any], source: str) -> str:
    """The module's source (unformatted): OPERATIONS by operationId in spec order, then DEFS."""
    components = spec.get("components", {})
    lines = [HEADER.format(source=source), "OPERATIONS: MappingProxyType[str, Operation] = MappingProxyType({"]
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                lines.append(_operation(path, method, item[method], shared, components))
    lines.append("})")
    lines.append('"""Every operation of the spec, by operationId."""')
    defs = {name: _schema(schema) for name, schema in components.get("schemas", {}).items()}
    lines.append(f"\nDEFS: dict[str, Any] = {pprint.pformat(defs, width=110, sort_dicts=False)}")
    lines.append('"""The spec\'s component schemas, which each `#/$defs/<Name>` above refers to. Never change them."""')
    return "\n".join(lines) + "\n"


def _operation(path: str, method: str, operation: dict[str, Any], shared: list[Any], components: dict[str, Any]) -> str:
    operation_id = operation.get("operationId")
    if not operation_id:
        raise SpecError(f"{method.upper()} {path} has no operationId")
    parameters = [_resolve(parameter, components) for parameter in (*shared, *operation.get("parameters", []))]
    fields = [
        f"operation_id={operation_id!r}",
        f"summary={operation.get('summary', '')!r}",
        f"method={method.upper()!r}",
        f"path={path!r}",
        f"auth={_auth(operation, operation_id)}",
        f"parameters=({''.join(_parameter(p, operation_id) + ', ' for p in parameters if p['in'] != 'header')})",
    ]
    request_body = _resolve(operation.get("requestBody"), components)
    body = _json_schema(request_body)
    if body is not None:
        fields += [
            f"body={_python_type(body, operation_id)}",
            f"body_schema={_schema(body)!r}",
            f"body_required={bool(request_body.get('required', False))}",
        ]
    replies = []
    for status, response in operation.get("responses", {}).items():
        if not str(status).isdigit():
            raise SpecError(f"{operation_id}: response {status!r} is not an HTTP status (a default is not supported)")
        schema = _json_schema(_resolve(response, components))
        kind = "None" if schema is None else _python_type(schema, operation_id)
        replies.append(f"{int(status)}: Reply(type={kind}, schema={None if schema is None else _schema(schema)!r})")
    fields.append(f"responses=MappingProxyType({{{', '.join(replies)}}})")
    return f"    {operation_id!r}: Operation({', '.join(fields)}),"


def request_models(spec: dict[str, Any]) -> list[str]:
    """The component names of the request bodies (of a model, not free-form), in spec order, each once."""
    components = spec.get("components", {})
    names: list[str] = []
    for item in spec.get("paths", {}).values():
        for method in METHODS:
            if method not in item:
                continue
            body = _json_schema(_resolve(item[method].get("requestBody"), components))
            if body is not None and "$ref" in body and (name := _ref_name(body["$ref"])) not in names:
                names.append(name)
    return names


def _auth(operation: dict[str, Any], operation_id: str) -> str:
    schemes = [name for requirement in operation.get("security", []) for name in requirement]
    known = {"ClientToken": "Auth.CLIENT", "SiteToken": "Auth.SITE"}
    if len(schemes) != 1 or schemes[0] not in known:
        raise SpecError(f"{operation_id}: security must name exactly one of {sorted(known)}, got {schemes}")
    return known[schemes[0]]


def _parameter(parameter: dict[str, Any], operation_id: str) -> str:
    location = parameter.get("in")
    if location not in ("path", "query"):
        raise SpecError(f"{operation_id}: parameter {parameter.get('name')!r} is in {location!r}, not path or query")
    schema = parameter.get("schema", {})
    return (
        f"Parameter(name={parameter['name']!r}, location={location!r}, type={_python_type(schema, operation_id)}, "
        f"required={bool(parameter.get('required', location == 'path'))}, schema={_schema(schema)!r})"
    )


def _json_schema(part: dict[str, Any] | None) -> dict[str, Any] | None:
    """The application/json schema of a request body or response; None when it has no body."""
    if part is None:
        return None
    content = part.get("content")
    if not content:
        return None
    if "application/json" not in content:
        raise SpecError(f"only application/json bodies are supported, got {sorted(content)}")
    schema: dict[str, Any] = content["application/json"].get("schema", {})
    return schema


def _python_type(schema: dict[str, Any], operation_id: str) -> str:
    """The Python type the SDK reads or writes for `schema`, as source text."""
    if "$ref" in schema:
        return f"models.{_ref_name(schema['$ref'])}"
    kind = schema.get("type")
    if kind == "array":
        return f"list[{_python_type(schema.get('items', {}), operation_id)}]"
    if kind == "object" and "properties" not in schema:
        return "dict[str, object]"  # free-form JSON: values to be looked at, not Any to be trusted
    if kind == "string":
        return {"uuid": "UUID"}.get(schema.get("format", ""), "str")
    if kind in ("integer", "number", "boolean"):
        return {"integer": "int", "number": "float", "boolean": "bool"}[kind]
    raise SpecError(f"{operation_id}: no Python type for the inline schema {schema!r}; make it a component")


def _ref_name(ref: str) -> str:
    if not ref.startswith(_SCHEMAS_REF):
        raise SpecError(f"$ref {ref!r} does not point at a component schema")
    return ref.removeprefix(_SCHEMAS_REF)


def _resolve(part: dict[str, Any] | None, components: dict[str, Any]) -> Any:
    """A parameter, request body or response, with a `$ref` to components/<kind>/<name> followed."""
    while isinstance(part, dict) and "$ref" in part and not part["$ref"].startswith(_SCHEMAS_REF):
        _, _, kind, name = part["$ref"].split("/")
        part = components[kind][name]
    return part


def _schema(schema: Any) -> Any:
    """`schema` with only the validation keywords, and `$ref`s pointing into DEFS."""
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in _SCHEMA_KEYWORDS:
            continue
        if key == "$ref":
            kept[key] = _DEFS_REF + _ref_name(value)
        elif key in _SCHEMA_MAPS:
            kept[key] = {name: _schema(item) for name, item in value.items()}
        elif key in _SCHEMA_LISTS:
            kept[key] = [_schema(item) for item in value]
        elif key in _SCHEMA_VALUES:
            kept[key] = _schema(value)
        else:
            kept[key] = value
    return kept
