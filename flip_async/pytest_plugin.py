"""pytest plugin (entry point `flip_async`): the `flip_sandbox` and `flip_client` fixtures for users' own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import pytest

from flip_async import FlipClient

if TYPE_CHECKING:
    # Imported in the fixture only: this module loads into every pytest run of everyone who installs flip-async, and
    # the sandbox needs the `sandbox` extra.
    from flip_async.sandbox import Sandbox


def _async_fixture(function: Callable[..., AsyncIterator[Any]]) -> Any:
    """pytest-asyncio's fixture (working in its strict and auto modes), or one that says it is missing."""
    try:
        import pytest_asyncio
    except ImportError:  # flip-async does not depend on pytest-asyncio, and without it pytest must still start

        def missing() -> None:
            pytest.fail(f"the {function.__name__} fixture needs pytest-asyncio: pip install pytest-asyncio")

        return pytest.fixture(name=function.__name__)(missing)
    return pytest_asyncio.fixture(function)


@_async_fixture
async def flip_sandbox() -> AsyncIterator[Sandbox]:
    """A fresh, empty sandbox running on 127.0.0.1 for one test; read `base_url`, `token`, `state` and `stats`.

    Needs the sandbox extra (`pip install 'flip-async[sandbox]'`); without it, the test errors saying so.
    """
    from flip_async.sandbox import Sandbox

    async with Sandbox() as sandbox:
        yield sandbox


@_async_fixture
async def flip_client(flip_sandbox: Sandbox) -> AsyncIterator[FlipClient]:
    """A FlipClient pointed at `flip_sandbox`, with its token."""
    async with FlipClient(flip_sandbox.token, base_url=flip_sandbox.base_url) as client:
        yield client
