"""The error hierarchy, and what each error carries: its class per status, the API's own words, ids and bodies."""

from __future__ import annotations

import random
from typing import Any

import attrs
import orjson
import pytest
from aioresponses import aioresponses
from support import BASE, commission_request, request

from flip_async import FlipClient, errors
from flip_async._error_body import MAX_DETAIL_CHARS, parse_body, status_error
from flip_async._redact import Redactor
from flip_async._transport import Transport

COMMISSION = f"{BASE}/v1/commission"
SITES = f"{BASE}/v1/sites"


STATUS_CLASSES = [
    (400, errors.BadRequestError),
    (401, errors.AuthenticationError),
    (403, errors.PermissionDeniedError),
    (404, errors.NotFoundError),
    (409, errors.ConflictError),
    (422, errors.UnprocessableEntityError),
    (429, errors.RateLimitError),
    (500, errors.InternalServerError),
    (503, errors.InternalServerError),
    (599, errors.InternalServerError),
    (402, errors.APIStatusError),
    (418, errors.APIStatusError),
    (301, errors.APIStatusError),
]


@pytest.mark.parametrize(("status", "error_class"), STATUS_CLASSES)
async def test_each_status_raises_its_error_type_with_body_and_request_id(
    mock_api: aioresponses, transport: Transport, status: int, error_class: type[errors.APIStatusError]
) -> None:
    body = {"code": "SOME_CODE", "message": f"the API's words for {status}"}
    mock_api.post(COMMISSION, status=status, payload=body, headers={"x-request-id": f"req-{status}"})

    with pytest.raises(errors.APIStatusError) as caught:
        await request(transport, "POST", "/v1/commission", body=b"{}", max_retries=0)

    error = caught.value
    assert type(error) is error_class
    assert (error.status_code, error.body, error.request_id) == (status, body, f"req-{status}")
    assert (error.method, error.url, error.attempts) == ("POST", COMMISSION, 1)
    assert error.headers["X-Request-ID"] == f"req-{status}"
    assert f"SOME_CODE: the API's words for {status}" in str(error)
    assert str(error).startswith(f"{status} ")
    assert f"(request id req-{status})" in str(error)


ERROR_BODIES = [
    pytest.param(
        {
            "detail": [
                {"loc": ["body", "site", "state_code"], "msg": "value is not a valid enumeration member", "type": "x"}
            ]
        },
        ["body.site.state_code: value is not a valid enumeration member"],
        id="fastapi-list",
    ),
    pytest.param(
        {
            "detail": [
                {"loc": ["body", "devices", 0, "site_id"], "msg": "field required", "type": "value_error.missing"},
                {"loc": ["body", "site", "zip_code"], "msg": "str type expected", "type": "type_error.str"},
            ]
        },
        ["body.devices[0].site_id: field required", "body.site.zip_code: str type expected"],
        id="fastapi-two-items-with-index",
    ),
    pytest.param({"detail": "Not authenticated"}, ["Not authenticated"], id="fastapi-text"),
    pytest.param({"code": "NOT_FOUND", "message": "site abc-789 not found"}, ["NOT_FOUND: site abc-789 not found"]),
    pytest.param(
        {
            "code": "VALIDATION_ERROR",
            "error": "Bad Request",
            "message": "devices array must not be empty",
            "statusCode": 400,
        },
        ["VALIDATION_ERROR: devices array must not be empty"],
        id="camel-case",
    ),
    pytest.param(
        {
            "code": "VALIDATION_ERROR",
            "message": "Invalid request",
            "errors": [{"message": "must be a valid state", "path": "site.state_code"}],
            "status_code": 400,
        },
        ["VALIDATION_ERROR: Invalid request", "site.state_code: must be a valid state"],
        id="errors-list",
    ),
    pytest.param({"error": "Bad Request"}, ["Bad Request"], id="error-only"),
    pytest.param({"message": ["a must be set", "b must be set"]}, ["a must be set; b must be set"], id="nest-list"),
    pytest.param({"unexpected": {"x": 1}}, ['{"unexpected":{"x":1}}'], id="unknown-shape"),
]


@pytest.mark.parametrize(("body", "expected_words"), ERROR_BODIES)
async def test_message_quotes_the_api_for_every_documented_body_shape(
    mock_api: aioresponses, transport: Transport, body: Any, expected_words: list[str]
) -> None:
    mock_api.post(COMMISSION, status=422, payload=body)

    with pytest.raises(errors.UnprocessableEntityError) as caught:
        await request(transport, "POST", "/v1/commission", body=b"{}")

    assert caught.value.body == body
    for words in expected_words:
        assert words in str(caught.value)


async def test_text_and_empty_error_bodies(mock_api: aioresponses, transport: Transport) -> None:
    mock_api.get(SITES, status=404, body="no such\n  route", content_type="text/plain")
    mock_api.get(SITES, status=404, body=b"")

    with pytest.raises(errors.NotFoundError) as text_error:
        await request(transport, "GET", "/v1/sites")
    with pytest.raises(errors.NotFoundError) as empty_error:
        await request(transport, "GET", "/v1/sites")

    assert text_error.value.body == "no such\n  route"
    assert str(text_error.value) == "404 Not Found from GET /v1/sites: no such route"
    assert empty_error.value.body is None
    assert str(empty_error.value) == "404 Not Found from GET /v1/sites"


def test_request_id_falls_back_to_request_id_header() -> None:
    error = status_error(500, "GET", SITES, {"Request-Id": "r-2"}, None)
    assert error.request_id == "r-2"
    assert status_error(500, "GET", SITES, {}, None).request_id is None


def test_url_keeps_path_and_query_but_drops_user_info() -> None:
    error = status_error(400, "GET", "https://user:pw@api.flip.test/v1/sites?page=2#frag", {}, None)
    assert error.url == "https://api.flip.test/v1/sites?page=2"
    assert "pw" not in str(error) + repr(error)


def _junk(rng: random.Random, depth: int = 0) -> Any:
    keys = ["detail", "loc", "msg", "message", "errors", "path", "code", "error", "statusCode", "type", "ü\x00"]
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([0, -1, 3.5, 10**18, True, False])
    if kind == 2:
        return "".join(rng.choice('ab \n\t"\\é💡\x00') for _ in range(rng.randrange(12)))
    if kind in (3, 4):
        return rng.choice(keys)
    if kind == 5:
        return [_junk(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(keys): _junk(rng, depth + 1) for _ in range(rng.randrange(5))}


def _junk_bodies() -> list[bytes]:
    # Seeded, so a failure reproduces; these are fuzz inputs, not secrets.
    rng = random.Random(20261101)  # noqa: S311
    bodies = [orjson.dumps(_junk(rng)) for _ in range(400)]
    bodies += [bytes(rng.randrange(256) for _ in range(rng.randrange(64))) for _ in range(100)]
    bodies += [
        b"\xff\xfe\xfa not utf-8 \xc3\x28",
        b'{"detail": "\xff\xfe"}',
        b"[" * 5000 + b"]" * 5000,
        orjson.dumps({"detail": [[[[[{"loc": {"a": [1]}, "msg": {"nested": ["x"]}}]]]]]}),
        orjson.dumps({"detail": [{"loc": None}, {"msg": None}, {}, 7, "plain"]}),
        orjson.dumps({"errors": {"path": 1}, "message": 12, "code": ["X"]}),
        orjson.dumps({"detail": "y" * 2_000_000}),
        b"<html>" + b"z" * 2_000_000 + b"</html>",
        b"   ",
        b"null",
        b"12345",
        b'"just a string"',
    ]
    return bodies


def test_status_error_never_fails_on_any_body() -> None:
    for raw in _junk_bodies():
        for status in (400, 418, 422, 503):
            error = status_error(status, "POST", COMMISSION, {"x-request-id": "r"}, parse_body(raw))
            assert isinstance(error, errors.APIStatusError)
            message = str(error)
            assert message.startswith(f"{status} ")
            # The message stays readable however large the body; `.body` keeps all of it.
            assert len(message) <= MAX_DETAIL_CHARS + 120, len(message)
            repr(error)


def test_huge_body_is_truncated_in_the_message_but_kept_whole_on_the_error() -> None:
    error = status_error(502, "GET", SITES, {}, parse_body(b"<html>" + b"z" * 100_000))
    assert str(error).endswith("…")
    assert isinstance(error.body, str)
    assert len(error.body) == 100_006


def test_invalid_utf8_body_becomes_text_with_replacement_characters() -> None:
    error = status_error(500, "GET", SITES, {}, parse_body(b"bad \xff byte"))
    assert error.body == "bad \ufffd byte"


# --- the error hierarchy and validation errors ------------------------------------------------------------------


def test_hierarchy() -> None:
    for _, error_class in STATUS_CLASSES:
        assert issubclass(error_class, errors.APIStatusError)
    assert issubclass(errors.APIStatusError, errors.APIError)
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)
    assert issubclass(errors.APIConnectionError, errors.APIError)
    assert issubclass(errors.ResponseValidationError, errors.APIError)
    assert issubclass(errors.RequestValidationError, errors.FlipError)
    assert not issubclass(errors.RequestValidationError, errors.APIError)
    assert issubclass(errors.APIError, errors.FlipError)
    assert issubclass(errors.FlipError, Exception)


def test_request_validation_error_lists_every_problem_on_its_own_line() -> None:
    problems = [
        errors.Problem("site.state_code", "'ZZ' is not a valid state code"),
        errors.Problem("devices[0].site_id", "must equal site.id ('abc-789')"),
    ]

    error = errors.RequestValidationError(problems, "CommissionRequest")

    assert error.problems == tuple(problems)
    assert str(error) == (
        "2 problems in CommissionRequest:\n"
        "  site.state_code: 'ZZ' is not a valid state code\n"
        "  devices[0].site_id: must equal site.id ('abc-789')"
    )
    assert str(errors.RequestValidationError([problems[0]])) == (
        "1 problem in the request:\n  site.state_code: 'ZZ' is not a valid state code"
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        problems[0].path = "x"  # type: ignore[misc]


def test_response_validation_error_keeps_problems_status_and_body() -> None:
    body = {"programs": [{"name": 3}]}
    error = errors.ResponseValidationError(
        [errors.Problem("programs[0].name", "expected a string")], "CommissionResponse", status_code=200, body=body
    )

    assert (error.status_code, error.body, len(error.problems)) == (200, body, 1)
    assert str(error) == "1 problem in CommissionResponse (status 200):\n  programs[0].name: expected a string"
    assert isinstance(error, errors.APIError)


# --- secrets a server echoes back ----------------------------------------------------------------------------------

SLASHED_TOKEN = "tok/client+SECRET/9f=="


@pytest.mark.parametrize(
    "echo",
    [
        pytest.param(lambda token: {"detail": f"bad token {token}"}, id="as-is"),
        pytest.param(lambda token: {"detail": [{"loc": ["header", token], "msg": f"Bearer {token}"}]}, id="nested"),
        pytest.param(lambda token: {token: "a token as a key"}, id="key"),
    ],
)
async def test_a_token_echoed_in_any_json_spelling_never_reaches_the_error(mock_api: aioresponses, echo: Any) -> None:
    document = echo(SLASHED_TOKEN)
    spellings = [
        orjson.dumps(document),
        orjson.dumps(document).replace(b"/", b"\\/"),  # PHP's and some Java encoders' way
        orjson.dumps(document).replace(b"S", b"\\u0053"),  # any character may be escaped
    ]
    async with FlipClient(SLASHED_TOKEN, base_url=BASE, max_retries=0) as flip:
        for body in spellings:
            mock_api.get(f"{SITES}?limit=100&skip=0", status=401, body=body)
            with pytest.raises(errors.AuthenticationError) as caught:
                await flip.sites.list()
            shown = str(caught.value) + repr(caught.value.body) + repr(dict(caught.value.headers))
            assert "SECRET" not in shown
            assert "[redacted]" in shown


async def test_a_token_inside_a_2xx_answer_that_does_not_fit_never_reaches_the_error(mock_api: aioresponses) -> None:
    echoed = orjson.dumps({"programs": f"Authorization: Bearer {SLASHED_TOKEN}"}).replace(b"/", b"\\/")
    mock_api.post(COMMISSION, body=echoed)
    async with FlipClient(SLASHED_TOKEN, base_url=BASE, max_retries=0) as flip:
        with pytest.raises(errors.ResponseValidationError) as caught:
            await flip.commission(commission_request())
    assert caught.value.body == {"programs": "Authorization: Bearer [redacted]"}
    assert "SECRET" not in str(caught.value)


async def test_a_site_token_in_an_answer_that_does_not_fit_is_hidden_as_a_secret_field(mock_api: aioresponses) -> None:
    mock_api.post(f"{BASE}/v1/auth/site/abc-789", payload={"site_access_token": "tok_site_9", "expires_at": "soon"})
    async with FlipClient(SLASHED_TOKEN, base_url=BASE, max_retries=0) as flip:
        with pytest.raises(errors.ResponseValidationError) as caught:
            await flip.sites.token("abc-789")
    assert caught.value.body == {"site_access_token": "[redacted]", "expires_at": "soon"}
    assert "tok_site_9" not in str(caught.value)


def test_redacting_a_document_nested_deeper_than_python_recurses_works() -> None:
    deep: Any = "tok/secret"
    for _ in range(5000):
        deep = [deep]
    redacted = Redactor(["tok/secret"]).document(deep)
    for _ in range(5000):
        redacted = redacted[0]
    assert redacted == "[redacted]"
