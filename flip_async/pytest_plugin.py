"""pytest plugin (entry point `flip_async`): sandbox and client fixtures for users' own tests, per test or shared."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Literal

import pytest

from flip_async import FlipClient

if TYPE_CHECKING:
    # Imported in the fixtures only: this module loads into every pytest run of everyone who installs flip-async, and
    # the sandbox needs the `sandbox` extra.
    from flip_async.sandbox import Sandbox

Scope = Literal["function", "module", "session"]


def _async_fixture(scope: Scope, name: str) -> Callable[[Callable[..., AsyncIterator[Any]]], Any]:
    """pytest-asyncio's fixture in `scope`, its event loop of the same scope (as pytest-asyncio requires of a fixture
    shared by several tests); or, without pytest-asyncio, one that says it is missing."""

    def decorate(function: Callable[..., AsyncIterator[Any]]) -> Any:
        try:
            import pytest_asyncio
        except ImportError:  # flip-async does not depend on pytest-asyncio, and without it pytest must still start

            def missing() -> None:
                pytest.fail(f"the {name} fixture needs pytest-asyncio: pip install pytest-asyncio")

            return pytest.fixture(name=name, scope=scope)(missing)
        return pytest_asyncio.fixture(function, scope=scope, loop_scope=scope, name=name)

    return decorate


@contextlib.asynccontextmanager
async def _sandbox() -> AsyncIterator[Sandbox]:
    # Needs the sandbox extra (`pip install 'flip-async[sandbox]'`); without it, the test errors saying so.
    from flip_async.sandbox import Sandbox

    async with Sandbox() as sandbox:
        yield sandbox


@contextlib.asynccontextmanager
async def _client(sandbox: Sandbox) -> AsyncIterator[FlipClient]:
    async with FlipClient(sandbox.token, base_url=sandbox.base_url) as client:
        yield client


@_async_fixture("function", "flip_sandbox")
async def flip_sandbox() -> AsyncIterator[Sandbox]:
    """A fresh, empty sandbox running on 127.0.0.1 for one test; read `base_url`, `token`, `state` and `stats`."""
    async with _sandbox() as sandbox:
        yield sandbox


@_async_fixture("function", "flip_client")
async def flip_client(flip_sandbox: Sandbox) -> AsyncIterator[FlipClient]:
    """A FlipClient pointed at `flip_sandbox`, with its token."""
    async with _client(flip_sandbox) as client:
        yield client


@_async_fixture("module", "flip_sandbox_module")
async def flip_sandbox_module() -> AsyncIterator[Sandbox]:
    """One sandbox shared by every test of a module (its state carries over): mark those tests
    `@pytest.mark.asyncio(loop_scope="module")`."""
    async with _sandbox() as sandbox:
        yield sandbox


@_async_fixture("module", "flip_client_module")
async def flip_client_module(flip_sandbox_module: Sandbox) -> AsyncIterator[FlipClient]:
    """A FlipClient for `flip_sandbox_module`, shared the same way."""
    async with _client(flip_sandbox_module) as client:
        yield client


@_async_fixture("session", "flip_sandbox_session")
async def flip_sandbox_session() -> AsyncIterator[Sandbox]:
    """One sandbox for the whole test session (its state carries over): mark the tests using it
    `@pytest.mark.asyncio(loop_scope="session")`."""
    async with _sandbox() as sandbox:
        yield sandbox


@_async_fixture("session", "flip_client_session")
async def flip_client_session(flip_sandbox_session: Sandbox) -> AsyncIterator[FlipClient]:
    """A FlipClient for `flip_sandbox_session`, shared the same way."""
    async with _client(flip_sandbox_session) as client:
        yield client
