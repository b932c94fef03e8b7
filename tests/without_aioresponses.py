"""pytest plugin (`-p tests.without_aioresponses`): leaves out the tests that mock HTTP with aioresponses.

The conftest's aioresponses shim needs aiohttp 3.14; with this plugin the live-socket, sandbox, CLI and offline tests
run on the lowest dependency versions the library declares (`make test-min-deps`).
"""

from __future__ import annotations

import aiohttp
import pytest


def pytest_report_header() -> str:
    return f"aiohttp {aiohttp.__version__}: the tests that use aioresponses (the mock_api fixture) are deselected"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    mocked: list[pytest.Item] = []
    for item in items:
        if "mock_api" in getattr(item, "fixturenames", ()):
            mocked.append(item)
        else:
            kept.append(item)
    if mocked:
        config.hook.pytest_deselected(items=mocked)
        items[:] = kept
