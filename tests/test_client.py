"""FlipClient end to end against mocked HTTP: exact request shapes, typed errors, retries, validation, secrets."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aioresponses import CallbackResult, aioresponses
from support import BASE, TOKEN, commission_request, seed_request, seed_response
from yarl import URL

from flip_async import FlipClient, RetryPolicy, errors, models

COMMISSION = f"{BASE}/v1/commission"


@pytest.fixture
async def flip() -> AsyncIterator[FlipClient]:
    async with FlipClient(TOKEN, base_url=BASE, retry_policy=RetryPolicy.immediate()) as client:
        yield client


def sent(mock_api: aioresponses, index: int = 0) -> Any:
    return mock_api.requests[("POST", URL(COMMISSION))][index].kwargs


async def test_commission_sends_exactly_the_seed_body_and_returns_the_typed_response(
    flip: FlipClient, mock_api: aioresponses
) -> None:
    mock_api.post(COMMISSION, payload=seed_response())
    response = await flip.commission(seed_request())
    body = orjson.loads(sent(mock_api)["data"])
    expected = seed_request()
    expected["devices"][0]["install_date"] = "2022-02-22T00:00:00Z"
    assert body == expected
    assert isinstance(response, models.CommissionResponse)
    assert response.programs[0].name == "Demo Program"
    assert response.enrollment is not None
    assert response.enrollment.status is models.EnrollmentStatus.ACTIVE


async def test_commission_of_a_model_sends_only_what_was_set(flip: FlipClient, mock_api: aioresponses) -> None:
    mock_api.post(COMMISSION, payload={"programs": []})
    response = await flip.commission(commission_request(state_code=models.StateCode.CA))
    assert orjson.loads(sent(mock_api)["data"]) == {
        "site": {"id": "abc-789", "zip_code": "88800", "state_code": "CA"},
        "devices": [
            {
                "id": "xyz-123",
                "site_id": "abc-789",
                "manufacturer_name": "DeviceMaker",
                "product_name": "Model 1",
                "serial_number": "123456789",
                "type": "BATTERY",
                "attributes": {
                    "battery_capacity_wh": 15000,
                    "battery_power_input_w": 6000,
                    "battery_power_output_w": 7500,
                },
                "install_date": "2022-02-22T00:00:00Z",
            }
        ],
        "can_auto_enroll": True,
    }
    headers = sent(mock_api)["headers"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"] == headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("flip-async/")
    assert response.programs == []
    assert response.enrollment is None


async def test_an_invalid_request_is_rejected_before_anything_is_sent(flip: FlipClient, mock_api: aioresponses) -> None:
    request = commission_request()
    request.site.state_code = "ZZ"  # type: ignore[assignment]
    request.devices[0].site_id = "someone-else"
    with pytest.raises(errors.RequestValidationError) as caught:
        await flip.commission(request)
    assert [str(problem) for problem in caught.value.problems] == [
        "site.state_code: 'ZZ' is not a valid state code",
        "devices[0].site_id: 'someone-else' does not match site.id 'abc-789'",
    ]
    assert mock_api.requests == {}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (422, errors.UnprocessableEntityError),
    ],
)
async def test_error_statuses_raise_their_type_once(
    flip: FlipClient, mock_api: aioresponses, status: int, error_class: type[errors.APIStatusError]
) -> None:
    mock_api.post(COMMISSION, status=status, payload={"code": "E", "message": "the API's own words"}, repeat=True)
    with pytest.raises(error_class) as caught:
        await flip.commission(commission_request())
    assert caught.value.status_code == status
    assert "the API's own words" in str(caught.value)
    assert len(mock_api.requests[("POST", URL(COMMISSION))]) == 1


async def test_a_fastapi_422_names_the_fields_flip_rejected(flip: FlipClient, mock_api: aioresponses) -> None:
    detail = [{"loc": ["body", "site", "zip_code"], "msg": "unknown zip code", "type": "value_error"}]
    mock_api.post(COMMISSION, status=422, payload={"detail": detail}, headers={"x-request-id": "req-42"})
    with pytest.raises(errors.UnprocessableEntityError) as caught:
        await flip.commission(commission_request())
    assert "body.site.zip_code: unknown zip code" in str(caught.value)
    assert caught.value.request_id == "req-42"
    assert caught.value.body == {"detail": detail}


async def test_a_503_then_success_is_retried_and_a_per_call_override_disables_retries(
    flip: FlipClient, mock_api: aioresponses
) -> None:
    mock_api.post(COMMISSION, status=503)
    mock_api.post(COMMISSION, payload={"programs": []})
    assert (await flip.commission(commission_request())).programs == []
    assert len(mock_api.requests[("POST", URL(COMMISSION))]) == 2
    mock_api.post(COMMISSION, status=503)
    with pytest.raises(errors.InternalServerError):
        await flip.commission(commission_request(), max_retries=0)
    assert len(mock_api.requests[("POST", URL(COMMISSION))]) == 3


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"programs": [{"id": "not-a-uuid"}]}', b'{"programs": "none"}'],
)
async def test_a_malformed_response_is_a_typed_error(flip: FlipClient, mock_api: aioresponses, body: bytes) -> None:
    mock_api.post(COMMISSION, body=body, content_type="application/json")
    with pytest.raises(errors.ResponseValidationError) as caught:
        await flip.commission(commission_request())
    assert caught.value.status_code == 200
    assert caught.value.problems


async def test_a_response_missing_a_required_field_names_it(flip: FlipClient, mock_api: aioresponses) -> None:
    broken = seed_response()
    del broken["enrollment"]["status"]
    mock_api.post(COMMISSION, payload=broken)
    with pytest.raises(errors.ResponseValidationError, match=r"enrollment\.status: required field is missing"):
        await flip.commission(commission_request())


async def test_newer_api_answers_do_not_break_the_client(flip: FlipClient, mock_api: aioresponses) -> None:
    newer = seed_response()
    newer["enrollment"]["status"] = "PAUSED"
    newer["programs"][0]["eligible_device_types"] = ["BATTERY", "HEAT_PUMP"]
    newer["programs"][0]["brand_new"] = {"nested": [1, 2]}
    mock_api.post(COMMISSION, payload=newer)
    response = await flip.commission(commission_request())
    assert response.enrollment is not None
    assert response.enrollment.status == "PAUSED"
    assert response.programs[0].eligible_device_types == [models.DeviceType.BATTERY, "HEAT_PUMP"]


def test_no_token_is_a_clear_error_before_anything_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLIP_API_TOKEN", raising=False)
    with pytest.raises(errors.FlipError, match="FLIP_API_TOKEN"):
        FlipClient()


async def test_token_and_base_url_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, mock_api: aioresponses
) -> None:
    monkeypatch.setenv("FLIP_API_TOKEN", "tok_from_env")
    monkeypatch.setenv("FLIP_BASE_URL", "https://env.flip.test/")
    mock_api.post("https://env.flip.test/v1/commission", payload={"programs": []})
    async with FlipClient() as flip:
        await flip.commission(commission_request())
        assert flip.base_url == "https://env.flip.test"
    call = mock_api.requests[("POST", URL("https://env.flip.test/v1/commission"))][0]
    assert call.kwargs["headers"]["Authorization"] == "Bearer tok_from_env"


async def test_the_token_never_shows_in_logs_reprs_or_errors(
    flip: FlipClient, mock_api: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="flip_async")

    def echo_token(url: URL, **kwargs: Any) -> CallbackResult:
        return CallbackResult(status=401, payload={"detail": f"bad token {kwargs['headers']['Authorization']}"})

    mock_api.post(COMMISSION, status=500)
    mock_api.post(COMMISSION, callback=echo_token)
    with pytest.raises(errors.AuthenticationError) as caught:
        await flip.commission(commission_request())
    shown = [repr(flip), str(caught.value), repr(caught.value), repr(caught.value.body), *caplog.messages]
    assert caplog.records, "expected DEBUG and WARNING records"
    assert not [text for text in shown if TOKEN in text]


async def test_with_options_changes_retries_and_timeout_for_every_call_through_the_copy(
    flip: FlipClient, mock_api: aioresponses
) -> None:
    sites = f"{BASE}/v1/sites?limit=100&skip=0"
    mock_api.get(sites, status=503)
    quick = flip.with_options(timeout=5, max_retries=0)
    with pytest.raises(errors.InternalServerError):
        await quick.sites.list()
    mock_api.get(sites, status=503)
    mock_api.get(sites, payload=[{"id": "abc-789"}])
    assert [site.id for site in await flip.sites.list()] == ["abc-789"]  # the original still retries
    calls = mock_api.requests[("GET", URL(sites))]
    assert [call.kwargs["timeout"].total for call in calls] == [5, 30.0, 30.0]

    mock_api.post(
        f"{BASE}/v1/auth/site/abc-789", payload={"site_access_token": "tok_site", "expires_at": "2099-01-01T00:00:00Z"}
    )
    mock_api.get(f"{BASE}/v1/site/abc-789", payload={"id": "abc-789"})
    await quick.site("abc-789").get()
    assert mock_api.requests[("GET", URL(f"{BASE}/v1/site/abc-789"))][0].kwargs["timeout"].total == 5
    assert quick.sites is not flip.sites
