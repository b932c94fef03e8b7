"""`with_raw_response`: every API method answering with its HTTP response, request id and attempts as well."""

from __future__ import annotations

import inspect
import logging

import pytest
from aioresponses import aioresponses
from support import BASE, calls, commission_request, mocked_client, sandboxed, seed_response

from flip_async import FlipClient, RawResponse, SiteClient, errors, models
from flip_async._client import FlipClientWithRawResponse
from flip_async._resource import resource
from flip_async._site import SiteClientWithRawResponse

SITES = f"{BASE}/v1/sites?limit=100&skip=0"


async def test_a_raw_response_carries_status_headers_request_id_attempts_and_parse(mock_api: aioresponses) -> None:
    mock_api.get(SITES, status=503)
    mock_api.get(SITES, payload=[{"id": "abc-789"}], headers={"x-request-id": "req-42", "x-rate": "7"})
    async with mocked_client() as flip:
        raw = await flip.with_raw_response.sites.list()
    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.request_id, raw.attempts) == (200, "req-42", 2)
    assert raw.headers["X-Rate"] == "7"
    assert raw.elapsed >= 0
    assert raw.content == b'[{"id": "abc-789"}]'
    assert [site.id for site in raw.parse()] == ["abc-789"]


async def test_commission_and_site_clients_have_raw_responses_too() -> None:
    async with sandboxed() as (_, flip):
        raw = await flip.with_raw_response.commission(commission_request())
        assert raw.status_code == 200
        assert isinstance(raw.parse(), models.CommissionResponse)
        site = await flip.with_raw_response.site("abc-789").get()
        assert site.parse().id == "abc-789"
        devices = await flip.site("abc-789").with_raw_response.devices.list()
        assert [device.id for device in devices.parse()] == ["xyz-123"]


async def test_an_answer_that_does_not_fit_is_still_a_raw_response_and_parse_raises(mock_api: aioresponses) -> None:
    mock_api.get(SITES, payload=[{"no": "id"}], headers={"x-request-id": "req-odd"})
    async with mocked_client() as flip:
        raw = await flip.with_raw_response.sites.list()
        assert raw.request_id == "req-odd"
        with pytest.raises(errors.ResponseValidationError):
            raw.parse()
        mock_api.get(SITES, status=404, payload={"detail": "gone"})
        with pytest.raises(errors.NotFoundError):  # an error status is an error, raw or not
            await flip.with_raw_response.sites.list()


async def test_raw_calls_take_the_same_arguments_and_a_copy_has_its_own_view(mock_api: aioresponses) -> None:
    mock_api.post(f"{BASE}/v1/commission", payload=seed_response())
    async with mocked_client() as flip:
        quick = flip.with_options(max_retries=0)
        assert quick.with_raw_response is not flip.with_raw_response
        raw = await quick.with_raw_response.commission(commission_request(), timeout=3)
    assert raw.parse().programs[0].name == "Demo Program"
    assert calls(mock_api, "POST", f"{BASE}/v1/commission")[0].kwargs["timeout"].total == 3


def _api_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_") and name != "aclose"
    }


@pytest.mark.parametrize(
    ("owner", "raw_view"), [(FlipClient, FlipClientWithRawResponse), (SiteClient, SiteClientWithRawResponse)]
)
def test_every_api_method_has_its_raw_response_counterpart(owner: type, raw_view: type) -> None:
    source = inspect.getsource(raw_view.__init__)
    for name, attribute in inspect.getmembers(owner, lambda member: isinstance(member, resource)):
        assert f"self.{name} = " in source, f"{raw_view.__name__} lacks {name}"
        raw_resource = attribute.cls.__name__ + "WithRawResponse"
        raw_class = inspect.getmodule(attribute.cls).__dict__[raw_resource]  # type: ignore[union-attr]
        raw_source = inspect.getsource(raw_class.__init__)
        for method in _api_methods(attribute.cls):
            assert f"self.{method} = raw_response(" in raw_source, f"{raw_resource} lacks {method}"
    for method in _api_methods(owner):
        assert f"self.{method} = raw_response(" in source, f"{raw_view.__name__} lacks {method}"


async def test_debug_lines_name_the_request_id_and_for_commissioning_the_site(
    mock_api: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    mock_api.post(f"{BASE}/v1/commission", payload=seed_response(), headers={"x-request-id": "req-c1"})
    caplog.set_level(logging.DEBUG, logger="flip_async")
    async with mocked_client() as flip:
        await flip.commission(commission_request("abc-789"))
    (line,) = [record.getMessage() for record in caplog.records if "/v1/commission" in record.getMessage()]
    assert "(site abc-789)" in line
    assert "request id req-c1" in line
