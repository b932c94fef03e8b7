"""The pytest plugin: `flip_sandbox` and `flip_client` come with the installed package, through its entry point."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from support import commission_request

from flip_async import FlipClient
from flip_async.sandbox import Sandbox

pytest_plugins = ["pytester"]


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    (entry_point,) = [point for point in entry_points(group="pytest11") if point.name == "flip_async"]
    assert entry_point.value == "flip_async.pytest_plugin"


async def test_the_fixtures_give_a_running_sandbox_and_a_client_for_it(
    flip_sandbox: Sandbox, flip_client: FlipClient
) -> None:
    assert flip_client.base_url == flip_sandbox.base_url
    response = await flip_client.commission(commission_request("s1", device_ids=("d1",)))
    assert response.enrollment is not None
    assert flip_sandbox.stats.sites_created == 1


def test_a_users_test_suite_gets_a_fresh_sandbox_per_test(pytester: pytest.Pytester) -> None:
    # pytest-asyncio in its default strict mode: the user's own configuration, not this project's.
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.parametrize("site_id", ["a", "b"])
        async def test_commission(flip_sandbox, flip_client, site_id):
            assert not flip_sandbox.state.sites
            response = await flip_client.commission({
                "site": {"id": site_id},
                "devices": [{
                    "id": site_id + "-1", "site_id": site_id, "manufacturer_name": "M", "product_name": "P",
                    "serial_number": "1", "type": "BATTERY", "install_date": "2022-02-22",
                    "attributes": {"battery_capacity_wh": 1, "battery_power_input_w": 1, "battery_power_output_w": 1},
                }],
            })
            assert response.programs == []
            assert list(flip_sandbox.state.sites) == [site_id]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_module_and_session_scoped_fixtures_share_one_sandbox_in_strict_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_shared="""
        import pytest

        @pytest.mark.asyncio(loop_scope="module")
        async def test_first(flip_sandbox_module, flip_client_module, flip_sandbox_session):
            await flip_client_module.sites.list()
            pytest.shared = (id(flip_sandbox_module), id(flip_client_module))
            assert flip_sandbox_module.stats.requests["list_sites"] == 1

        @pytest.mark.asyncio(loop_scope="module")
        async def test_second(flip_sandbox_module, flip_client_module):
            assert (id(flip_sandbox_module), id(flip_client_module)) == pytest.shared
            await flip_client_module.sites.list()
            assert flip_sandbox_module.stats.requests["list_sites"] == 2  # the state carried over

        @pytest.mark.asyncio(loop_scope="session")
        async def test_session(flip_sandbox_session, flip_client_session):
            assert flip_client_session.base_url == flip_sandbox_session.base_url
            assert await flip_client_session.sites.list() == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
