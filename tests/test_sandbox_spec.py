"""The sandbox is built from the generated operation table: its routes, tokens, parameters and 501s follow the table."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import attrs
import pytest
from jsonschema import Draft202012Validator
from support import add_site, imported_modules

from flip_async._spec import DEFS, OPERATIONS
from flip_async._spec_types import Auth, Operation, Parameter
from flip_async.sandbox import Faults, Sandbox, unimplemented
from flip_async.sandbox._handlers import HANDLERS

SITE = "site-1"
SANDBOX_PACKAGE = Path(__file__).resolve().parents[1] / "flip_async" / "sandbox"
PING = Operation(operation_id="ping", summary="Ping", method="GET", path="/v1/ping", auth=Auth.CLIENT)


async def call(
    http: aiohttp.ClientSession, sandbox: Sandbox, method: str, path: str, token: str | None, **kwargs: Any
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.request(method, sandbox.base_url + path, headers=headers, **kwargs) as response:
        return response.status, await response.json()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _path(operation: Operation) -> str:
    """The operation's path for the seeded site, with a fresh UUID or a plain id for its other parameters."""
    values = {
        parameter.name: SITE if parameter.name == "siteId" else str(uuid4()) if parameter.type is not str else "x"
        for parameter in operation.path_parameters
    }
    return operation.url_path(values)


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=list(OPERATIONS))
async def test_every_operation_answers_at_its_method_and_path_and_takes_its_own_token(
    operation: Operation, http: aiohttp.ClientSession
) -> None:
    async with Sandbox() as sandbox:
        add_site(sandbox, SITE)
        tokens = {Auth.CLIENT: sandbox.token, Auth.SITE: sandbox.site_token(SITE)}
        other = Auth.SITE if operation.auth is Auth.CLIENT else Auth.CLIENT
        path, body = _path(operation), ({} if operation.body_schema is not None else None)
        assert (await call(http, sandbox, operation.method, path, None, json=body))[0] == 401
        assert (await call(http, sandbox, operation.method, path, tokens[other], json=body))[0] == 401
        status, answer = await call(http, sandbox, operation.method, path, tokens[operation.auth], json=body)
        # Whatever the operation makes of an empty body and made-up ids, the route is there and the token fits.
        assert status not in (401, 405, 501)
        assert not (status == 404 and answer == {"detail": "Not Found"}), answer  # the router's own 404
        assert sandbox.stats.requests == {operation.operation_id: 3}


def test_the_sandbox_implements_every_operation_of_the_spec_and_nothing_else() -> None:
    assert unimplemented() == []
    assert set(HANDLERS) == set(OPERATIONS)


async def test_an_operation_without_a_handler_answers_501_naming_it(http: aiohttp.ClientSession) -> None:
    grown = {**OPERATIONS, PING.operation_id: PING}
    assert unimplemented(grown) == ["ping"]
    async with Sandbox(operations=grown, faults=Faults(operations={"ping"})) as sandbox:
        status, body = await call(http, sandbox, "GET", "/v1/ping", None)
        assert (status, body) == (501, {"detail": "the sandbox does not implement ping yet"})
        assert (await call(http, sandbox, "GET", "/v1/sites", sandbox.token))[0] == 200
        assert sandbox.stats.requests == {"ping": 1, "list_sites": 1}


async def test_a_sandbox_serves_the_table_it_is_given_and_no_other_route(http: aiohttp.ClientSession) -> None:
    shrunk = {operation_id: operation for operation_id, operation in OPERATIONS.items() if operation_id != "list_sites"}
    async with Sandbox(operations=shrunk) as sandbox:
        status, body = await call(http, sandbox, "GET", "/v1/sites", sandbox.token)
        assert (status, body) == (404, {"detail": "Not Found"})


def test_faults_must_name_operations_of_the_sandboxs_table() -> None:
    with pytest.raises(ValueError, match="commision"):
        Sandbox(faults=Faults(operations={"commision"}))
    with pytest.raises(ValueError, match="ping"):
        Sandbox(faults=Faults(operations={"ping"}))


def _with_query(operation: Operation, *parameters: Parameter) -> Mapping[str, Operation]:
    evolved = attrs.evolve(operation, parameters=operation.parameters + parameters)
    return {**OPERATIONS, operation.operation_id: evolved}


async def test_query_values_are_read_by_their_schemas_type(http: aiohttp.ClientSession) -> None:
    table = _with_query(
        OPERATIONS["list_sites"],
        Parameter(name="flag", location="query", type=bool, required=False, schema={"type": "boolean"}),
        Parameter(name="ratio", location="query", type=float, required=False, schema={"type": "number", "maximum": 1}),
    )
    async with Sandbox(operations=table) as sandbox:
        for query in ("flag=true&ratio=0.5", "flag=OFF&ratio=1", "flag=1&ratio=-2e-3&skip=0&limit=1"):
            assert (await call(http, sandbox, "GET", f"/v1/sites?{query}", sandbox.token))[0] == 200, query
        status, body = await call(http, sandbox, "GET", "/v1/sites?flag=maybe&ratio=nan&limit=1.5", sandbox.token)
        assert status == 422
        assert [(detail["loc"], detail["msg"]) for detail in body["detail"]] == [
            (["query", "limit"], "expected an integer, got '1.5'"),
            (["query", "flag"], "expected true or false, got 'maybe'"),
            (["query", "ratio"], "expected a number, got 'nan'"),
        ]
        _, body = await call(http, sandbox, "GET", "/v1/sites?ratio=2", sandbox.token)
        assert body["detail"] == [
            {"loc": ["query", "ratio"], "msg": "must be at most 1, got 2.0", "type": "less_than_equal"}
        ]


def _references(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        return {schema["$ref"]} if "$ref" in schema else set().union(*map(_references, schema.values()))
    return set().union(*map(_references, schema)) if isinstance(schema, list) else set()


def test_every_schema_of_the_table_is_a_2020_12_schema_whose_references_resolve() -> None:
    schemas = [{"$defs": DEFS}]
    for operation in OPERATIONS.values():
        schemas += [parameter.schema for parameter in operation.parameters]
        schemas += [operation.body_schema] if operation.body_schema is not None else []
    for schema in schemas:
        Draft202012Validator.check_schema(schema)
    assert set().union(*map(_references, schemas)) <= {f"#/$defs/{name}" for name in DEFS}


def test_the_sandbox_never_uses_the_sdks_request_validation() -> None:
    sources = sorted(SANDBOX_PACKAGE.glob("*.py"))
    assert len(sources) > 10
    for source in sources:
        assert not {"flip_async._validation", "flip_async._checks"} & imported_modules(source), source.name
