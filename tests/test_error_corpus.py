"""The error corpus (tests/corpus/): invalid requests and misfit responses whose exact problem lists must not change.

A guard for work on validation and decoding speed: every case goes through the public API, and its list of
(path, message) problems is compared, in order, with the list stored beside it. A change to any message or path is a
deliberate edit of the corpus, never a side effect. tests/corpus/*.json say what each file's cases hold.
"""

from __future__ import annotations

import copy
import enum
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
from aioresponses import CallbackResult, aioresponses
from support import BASE, mocked_client, seed_request, seed_response

from flip_async import FlipClient, Problem, RequestValidationError, ResponseValidationError

CORPUS = Path(__file__).resolve().parent / "corpus"
SITE_ID = "abc-789"  # the seed's site


def cases(file: str) -> list[Any]:
    # The standard library's reader, as a user's would be: it keeps integers past 64 bits exact (orjson makes floats).
    loaded = json.loads((CORPUS / file).read_text())["cases"]
    return [pytest.param(case, id=case["name"], marks=_marks(case)) for case in loaded]


def _marks(case: dict[str, Any]) -> list[pytest.MarkDecorator]:
    if "wrong_today" not in case:
        return []
    return [pytest.mark.xfail(strict=True, raises=AssertionError, reason=case["wrong_today"])]


def listed(problems: Sequence[Problem]) -> list[list[str]]:
    return [[problem.path, problem.message] for problem in problems]


def edited(base: Any, case: dict[str, Any]) -> Any:
    """`base` with the case's `changes` (dotted path -> value) set and its `removed` paths deleted."""
    document = copy.deepcopy(base)
    for path, value in case.get("changes", {}).items():
        *parents, last = path.split(".")
        container = _walk(document, parents)
        if isinstance(container, list) and int(last) == len(container):
            container.append(value)
        else:
            container[int(last) if isinstance(container, list) else last] = value
    for path in case.get("removed", ()):
        *parents, last = path.split(".")
        container = _walk(document, parents)
        del container[int(last) if isinstance(container, list) else last]
    return document


def _walk(document: Any, parts: Sequence[str]) -> Any:
    for part in parts:
        document = document[int(part) if isinstance(document, list) else part]
    return document


def _all_cases() -> Iterator[dict[str, Any]]:
    for file in sorted(CORPUS.glob("*.json")):
        yield from json.loads(file.read_text())["cases"]


KEYS = {"name", "about", "expected", "wrong_today", "operation", "request", "changes", "removed", "points"}
KEYS |= {"body", "body_text", "body_nesting", "parsed"}


def test_every_case_is_well_formed_and_named_uniquely() -> None:
    """A misspelt key would leave its case testing something else (the seed unchanged): none may go unnoticed."""
    loaded = list(_all_cases())
    for case in loaded:
        assert case.keys() <= KEYS, f"{case['name']}: unknown keys {sorted(case.keys() - KEYS)}"
        assert isinstance(case["expected"], list), case["name"]
    names = [case["name"] for case in loaded]
    assert len(names) == len(set(names)), "case names must be unique across the corpus"


# Requests --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("commission_requests.json"))
async def test_commission_refuses_the_request_before_sending(case: dict[str, Any], mock_api: aioresponses) -> None:
    request = case["request"] if "request" in case else edited(seed_request(), case)
    async with mocked_client() as flip:
        with pytest.raises(RequestValidationError) as caught:
            await flip.commission(request)
    assert listed(caught.value.problems) == case["expected"]
    assert not mock_api.requests


@pytest.mark.parametrize("case", cases("commission_requests.json"))
async def test_commission_many_reports_the_same_problems_as_that_rows_outcome(
    case: dict[str, Any], mock_api: aioresponses
) -> None:
    request = case["request"] if "request" in case else edited(seed_request(), case)
    async with mocked_client() as flip:
        outcomes = [outcome async for outcome in flip.commission_many([request])]
    [outcome] = outcomes
    assert outcome.status == "invalid"
    assert isinstance(outcome.error, RequestValidationError)
    assert listed(outcome.error.problems) == case["expected"]
    assert not mock_api.requests


@pytest.mark.parametrize("case", cases("telemetry_points.json"))
async def test_telemetry_fails_exactly_the_invalid_points(case: dict[str, Any], mock_api: aioresponses) -> None:
    sent: list[Any] = []

    def save(_: Any, **kwargs: Any) -> CallbackResult:
        points = orjson.loads(kwargs["data"])["telemetry"]
        sent.extend(points)
        return CallbackResult(status=200, body=orjson.dumps([{"status": "OK", "message": ""}] * len(points)))

    mock_api.post(f"{BASE}/v1/telemetry/BATTERY", callback=save, repeat=True)
    async with mocked_client() as flip:
        report = await flip.telemetry.report_battery(case["points"])

    assert len(report.results) == len(case["points"])
    for result, expected in zip(report.results, case["expected"], strict=True):
        if expected:
            assert result.status == "FAILED"
            assert isinstance(result.error, RequestValidationError)
            assert listed(result.error.problems) == expected
        else:
            assert (result.status, result.error) == ("OK", None)
    assert sent == [point for point, expected in zip(case["points"], case["expected"], strict=True) if not expected]


@pytest.mark.parametrize("case", cases("patch_bodies.json"))
async def test_patch_bodies_are_refused_before_anything_is_sent(case: dict[str, Any], mock_api: aioresponses) -> None:
    async with mocked_client() as flip:
        with pytest.raises(RequestValidationError) as caught:
            await _update(flip, case["operation"], case["changes"])
    assert listed(caught.value.problems) == case["expected"]
    assert not mock_api.requests  # not even the site token


async def _update(flip: FlipClient, operation: str, changes: dict[str, Any]) -> Any:
    site = flip.site(SITE_ID)
    if operation == "update_site":
        return await site.update(**changes)
    if operation == "update_device":
        return await site.devices.update("xyz-123", **changes)
    raise ValueError(f"unknown operation {operation!r} in the corpus")


# Responses -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("responses.json"))
async def test_responses_that_misfit_their_model(case: dict[str, Any], mock_api: aioresponses) -> None:
    body, operation = _body(case), case.get("operation", "commission")
    async with mocked_client(max_retries=0) as flip:
        if not case["expected"]:
            parsed = await _call(flip, mock_api, operation, body)
            for path, value in case["parsed"].items():
                assert _plain(_walk_attributes(parsed, path.split("."))) == value, path
            return
        with pytest.raises(ResponseValidationError) as caught:
            await _call(flip, mock_api, operation, body)
    assert listed(caught.value.problems) == case["expected"]
    assert caught.value.status_code == 200
    assert "SECRET" not in str(caught.value)


def _body(case: dict[str, Any]) -> bytes:
    if "body_text" in case:
        return bytes(case["body_text"], "utf-8")
    if "body_nesting" in case:
        return b"[" * case["body_nesting"] + b"]" * case["body_nesting"]
    return orjson.dumps(case["body"] if "body" in case else edited(seed_response(), case))


async def _call(flip: FlipClient, mock_api: aioresponses, operation: str, body: bytes) -> Any:
    if operation == "commission":
        mock_api.post(f"{BASE}/v1/commission", status=200, body=body)
        return await flip.commission(seed_request())
    if operation == "list_sites":
        mock_api.get(f"{BASE}/v1/sites?limit=100&skip=0", status=200, body=body)
        return await flip.sites.list()
    if operation == "get_site_token":
        mock_api.post(f"{BASE}/v1/auth/site/{SITE_ID}", status=200, body=body)
        return await flip.sites.token(SITE_ID)
    raise ValueError(f"unknown operation {operation!r} in the corpus")


def _walk_attributes(value: Any, parts: Sequence[str]) -> Any:
    for part in parts:
        value = value[int(part)] if isinstance(value, list) else getattr(value, part)
    return value


def _plain(value: Any) -> Any:
    """A parsed value as the corpus writes it: date-times in ISO 8601, UUIDs as text, enum members as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value
