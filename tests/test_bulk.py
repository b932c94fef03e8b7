"""commission_many: one outcome per row, bounded concurrency, the journal, resume and cancellation."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web
from aioresponses import CallbackResult, aioresponses
from support import journal_outcomes, seed_row
from yarl import URL

from flip_async import FlipClient, FlipError, RetryPolicy, bulk
from flip_async.bulk import CommissionOutcome, OutcomeStatus
from flip_async.rows import UnreadableRow

BASE = "https://api.flip.test"
COMMISSION = f"{BASE}/v1/commission"
TOKEN = "tok_bulk_SECRET_value_81"


@pytest.fixture
async def flip() -> AsyncIterator[FlipClient]:
    async with FlipClient(TOKEN, base_url=BASE, retry_policy=RetryPolicy.immediate(), max_retries=1) as client:
        yield client


def sent_site_ids(mock_api: aioresponses) -> list[str]:
    return [
        orjson.loads(call.kwargs["data"])["site"]["id"] for call in mock_api.requests.get(("POST", URL(COMMISSION)), [])
    ]


SITE_TOKEN = {"site_access_token": "tok_site", "expires_at": "2099-01-01T00:00:00Z"}


def by_site(outcomes: list[CommissionOutcome]) -> dict[str | None, CommissionOutcome]:
    return {outcome.site_id: outcome for outcome in outcomes}


async def test_every_row_gets_exactly_one_outcome_and_bad_rows_never_stop_the_rest(
    flip: FlipClient, mock_api: aioresponses
) -> None:
    answers = {"ok": (200, {"programs": []}), "dup": (409, {"message": "site exists"}), "down": (503, {})}

    def answer(url: URL, **kwargs: Any) -> CallbackResult:
        status, payload = answers[orjson.loads(kwargs["data"])["site"]["id"]]
        return CallbackResult(status=status, payload=payload)

    mock_api.post(COMMISSION, callback=answer, repeat=True)
    mock_api.post(f"{BASE}/v1/auth/site/dup", payload=SITE_TOKEN)  # the 409's site does exist
    rows: list[Any] = [
        seed_row("ok"),
        seed_row("dup"),
        seed_row("down"),
        seed_row("bad", state_code="ZZ"),
        UnreadableRow("line 5: junk"),
        {"site": {}},
        42,
    ]
    outcomes = [outcome async for outcome in flip.commission_many(rows, concurrency=3)]
    assert sorted(outcome.row for outcome in outcomes) == list(range(len(rows)))
    statuses = {outcome.row: outcome.status for outcome in outcomes}
    assert statuses == {
        0: OutcomeStatus.COMMISSIONED,
        1: OutcomeStatus.ALREADY_COMMISSIONED,
        2: OutcomeStatus.FAILED,
        3: OutcomeStatus.INVALID,
        4: OutcomeStatus.INVALID,
        5: OutcomeStatus.INVALID,
        6: OutcomeStatus.INVALID,
    }
    outcome = by_site(outcomes)
    assert outcome["ok"].result is not None
    assert outcome["ok"].attempts == 1
    assert outcome["down"].attempts == 2  # one retry, then the 503 stands
    assert "503" in str(outcome["down"].error)
    assert "site.state_code: 'ZZ' is not a valid state code" in str(outcome["bad"].error)
    assert outcome["bad"].attempts == 0
    assert sorted(sent_site_ids(mock_api)) == ["down", "down", "dup", "ok"]  # invalid rows are never sent


async def test_a_row_s_errors_name_every_bad_field(flip: FlipClient, mock_api: aioresponses) -> None:
    bad = seed_row("s", state_code="ZZ", email="nope")
    bad["devices"][0]["site_id"] = "elsewhere"
    del bad["devices"][0]["install_date"]
    (outcome,) = [outcome async for outcome in flip.commission_many([bad])]
    assert outcome.status is OutcomeStatus.INVALID
    assert {str(problem).split(":")[0] for problem in outcome.error.problems} == {  # type: ignore[union-attr]
        "site.state_code",
        "site.email",
        "devices[0].install_date",
        "devices[0].site_id",
    }


async def test_ordered_outcomes_follow_the_input_even_when_answers_arrive_out_of_order(
    flip: FlipClient, mock_api: aioresponses
) -> None:
    async def slow_for_early_rows(url: URL, **kwargs: Any) -> CallbackResult:
        number = int(orjson.loads(kwargs["data"])["site"]["id"].split("-")[1])
        await asyncio.sleep(0.002 * (20 - number))
        return CallbackResult(payload={"programs": []})

    mock_api.post(COMMISSION, callback=slow_for_early_rows, repeat=True)
    rows = [seed_row(f"s-{number}") for number in range(20)]
    unordered = [outcome.row async for outcome in flip.commission_many(rows, concurrency=8)]
    ordered = [outcome.row async for outcome in flip.commission_many(rows, concurrency=8, ordered=True)]
    assert ordered == list(range(20))
    assert unordered != ordered
    assert sorted(unordered) == ordered


async def test_concurrency_is_bounded_and_the_input_is_never_materialised(
    flip: FlipClient, mock_api: aioresponses
) -> None:
    in_flight, peak = 0, 0
    pulled = 0

    async def tracked(url: URL, **kwargs: Any) -> CallbackResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return CallbackResult(payload={"programs": []})

    def endless() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for number in itertools.count():
            pulled += 1
            yield seed_row(f"s-{number}")

    mock_api.post(COMMISSION, callback=tracked, repeat=True)
    outcomes = flip.commission_many(endless(), concurrency=4)
    taken = [outcome async for outcome in _take(outcomes, 40)]
    await outcomes.aclose()
    assert len(taken) == 40
    assert peak <= 4
    assert pulled <= 40 + 2 * 4 + 1  # read as it goes: never more than a window (twice the concurrency) ahead


async def test_the_journal_records_each_finished_row_and_a_rerun_skips_the_done_ones(
    flip: FlipClient, mock_api: aioresponses, tmp_path: Path
) -> None:
    journal = tmp_path / "run.journal"
    failing = {"s-2"}

    def answer(url: URL, **kwargs: Any) -> CallbackResult:
        site_id = orjson.loads(kwargs["data"])["site"]["id"]
        if site_id in failing:
            return CallbackResult(status=500)
        return CallbackResult(status=409 if site_id == "s-3" else 200, payload={"programs": []})

    mock_api.post(COMMISSION, callback=answer, repeat=True)
    mock_api.post(f"{BASE}/v1/auth/site/s-3", payload=SITE_TOKEN)
    rows = [seed_row(f"s-{number}") for number in range(5)] + [seed_row("bad", state_code="ZZ")]
    first = by_site([outcome async for outcome in flip.commission_many(rows, journal=journal)])
    lines = journal_outcomes(journal)
    assert Counter(line["status"] for line in lines) == {
        "commissioned": 3,
        "already_commissioned": 1,
        "failed": 1,
        "invalid": 1,
    }
    assert {line["site_id"] for line in lines} == {"s-0", "s-1", "s-2", "s-3", "s-4", "bad"}
    assert TOKEN not in journal.read_text()
    assert first["s-2"].status is OutcomeStatus.FAILED

    failing.clear()
    mock_api.requests.clear()
    second = by_site([outcome async for outcome in flip.commission_many(rows, journal=journal)])
    assert {site: outcome.status for site, outcome in second.items()} == {
        "s-0": OutcomeStatus.SKIPPED,
        "s-1": OutcomeStatus.SKIPPED,
        "s-2": OutcomeStatus.COMMISSIONED,
        "s-3": OutcomeStatus.SKIPPED,
        "s-4": OutcomeStatus.SKIPPED,
        "bad": OutcomeStatus.INVALID,
    }
    assert sent_site_ids(mock_api) == ["s-2"]  # only the failed row is sent again
    assert len(journal_outcomes(journal)) == len(lines) + 2  # skipped rows add no lines


async def test_a_journal_cut_short_by_a_crash_is_read_and_appended_to_safely(
    flip: FlipClient, mock_api: aioresponses, tmp_path: Path
) -> None:
    journal = tmp_path / "run.journal"
    journal.write_bytes(b'{"site_id": "s-0", "status": "commissioned"}\n{"site_id": "s-1", "status": "commissio')
    mock_api.post(COMMISSION, payload={"programs": []}, repeat=True)
    outcomes = by_site(
        [outcome async for outcome in flip.commission_many([seed_row("s-0"), seed_row("s-1")], journal=journal)]
    )
    assert outcomes["s-0"].status is OutcomeStatus.SKIPPED
    assert outcomes["s-1"].status is OutcomeStatus.COMMISSIONED
    last = journal.read_bytes().splitlines()[-1]
    assert orjson.loads(last)["site_id"] == "s-1"


async def test_cancelling_a_run_journals_what_finished_and_a_resume_sends_none_of_it_again(
    live_server: Any, tmp_path: Path
) -> None:
    received: list[str] = []

    async def commission(request: web.BaseRequest) -> web.Response:
        received.append((await request.json())["site"]["id"])
        await asyncio.sleep(0.02)
        return web.json_response({"programs": []})

    server = await live_server(commission)
    journal = tmp_path / "run.journal"
    rows = [seed_row(f"s-{number}") for number in range(60)]
    seen: list[CommissionOutcome] = []
    ten_seen = asyncio.Event()

    async def run() -> None:
        async with FlipClient(TOKEN, base_url=server.url) as flip:
            async for outcome in flip.commission_many(rows, concurrency=5, journal=journal):
                seen.append(outcome)
                if len(seen) == 10:
                    ten_seen.set()

    task = asyncio.create_task(run())
    await asyncio.wait_for(ten_seen.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    journaled = {line["site_id"]: line["status"] for line in journal_outcomes(journal)}
    assert {outcome.site_id for outcome in seen} <= set(journaled)
    # Everything sent finished and was journaled, nothing is in doubt; what was read but not sent says so.
    assert {site for site, status in journaled.items() if status == "commissioned"} == set(received)
    assert set(journaled.values()) <= {"commissioned", "not_sent"}
    first_run = set(received)

    received.clear()
    async with FlipClient(TOKEN, base_url=server.url) as flip:
        resumed = [outcome async for outcome in flip.commission_many(rows, concurrency=5, journal=journal)]
    assert not first_run & set(received)
    assert first_run | set(received) == {f"s-{number}" for number in range(60)}
    assert Counter(outcome.status for outcome in resumed) == {
        OutcomeStatus.SKIPPED: len(first_run),
        OutcomeStatus.COMMISSIONED: 60 - len(first_run),
    }


async def test_a_runs_rate_limit_caps_its_request_starts(flip: FlipClient, mock_api: aioresponses) -> None:
    starts: list[float] = []

    def answer(url: URL, **kwargs: Any) -> CallbackResult:
        starts.append(time.monotonic())
        return CallbackResult(payload={"programs": []})

    mock_api.post(COMMISSION, callback=answer, repeat=True)
    rows = [seed_row(f"s-{n}") for n in range(15)]
    outcomes = [outcome async for outcome in flip.commission_many(rows, rate_limit=10, concurrency=15)]
    assert len(outcomes) == 15
    # At most 10 in any second: the last 5 wait for the first second to pass. This bounds behaviour, not speed.
    assert starts[-1] - starts[0] >= 0.95
    assert max(sum(1 for later in starts if 0 <= later - start < 0.95) for start in starts) <= 10


@pytest.mark.parametrize(("option", "value"), [("concurrency", 0), ("rate_limit", 0.0), ("rate_limit", -1.0)])
async def test_bad_options_are_clear_errors(flip: FlipClient, option: str, value: float) -> None:
    with pytest.raises(ValueError, match=option):
        async for _ in flip.commission_many([seed_row("s")], **{option: value}):
            pass


async def _take(outcomes: Any, count: int) -> AsyncIterator[CommissionOutcome]:
    async for outcome in outcomes:
        yield outcome
        count -= 1
        if count == 0:
            return


def test_outcome_records_have_the_documented_keys() -> None:
    outcome = bulk.CommissionOutcome(
        row=3,
        site_id="s",
        status=OutcomeStatus.FAILED,
        error=FlipError("RuntimeError: boom"),
        attempts=2,
        elapsed=0.123456,
        request_id="req-7",
    )
    assert outcome.to_record() == {
        "row": 3,
        "site_id": "s",
        "status": "failed",
        "error": "RuntimeError: boom",
        "attempts": 2,
        "elapsed": 0.1235,
        "request_id": "req-7",
    }
    assert outcome.to_record() is outcome.to_record()  # computed once, however many files it goes to
    assert not outcome.ok


async def test_an_unexpected_exception_in_a_row_is_that_rows_failure_as_a_flip_error(
    flip: FlipClient, mock_api: aioresponses, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock_api.post(COMMISSION, payload={"programs": []}, repeat=True)

    def explode(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(bulk, "check_row", explode)
    (outcome,) = [o async for o in flip.commission_many([seed_row("s-1")])]
    assert outcome.status is OutcomeStatus.FAILED
    assert isinstance(outcome.error, FlipError)
    assert str(outcome.error) == "RuntimeError: boom"
    assert isinstance(outcome.error.__cause__, RuntimeError)


async def test_outcomes_carry_the_request_id_of_their_last_attempt(flip: FlipClient, mock_api: aioresponses) -> None:
    mock_api.post(COMMISSION, status=503, headers={"x-request-id": "req-first"})
    mock_api.post(COMMISSION, payload={"programs": []}, headers={"x-request-id": "req-second"})
    mock_api.post(COMMISSION, status=422, payload={"detail": "no"}, headers={"x-request-id": "req-refused"})
    outcomes = [o async for o in flip.commission_many([seed_row("s-1"), seed_row("s-2")], concurrency=1)]
    assert [(o.status, o.request_id) for o in outcomes] == [
        (OutcomeStatus.COMMISSIONED, "req-second"),
        (OutcomeStatus.FAILED, "req-refused"),
    ]


async def test_a_409_about_another_site_s_device_is_a_failure_not_already_commissioned(
    flip: FlipClient, mock_api: aioresponses, tmp_path: Path
) -> None:
    mock_api.post(COMMISSION, status=409, payload={"code": "DEVICE_ALREADY_EXISTS", "message": "device taken"})
    mock_api.post(f"{BASE}/v1/auth/site/new-site", status=404, payload={"message": "no such site"})
    journal = tmp_path / "run.journal"
    (outcome,) = [outcome async for outcome in flip.commission_many([seed_row("new-site")], journal=journal)]
    assert outcome.status is OutcomeStatus.FAILED
    assert "does not exist at Flip" in str(outcome.error)
    assert "device taken" in str(outcome.error)
    assert journal_outcomes(journal)[-1]["status"] == "failed"  # so a rerun tries it again


async def test_rows_that_break_in_unexpected_ways_become_outcomes(flip: FlipClient, mock_api: aioresponses) -> None:
    mock_api.post(COMMISSION, payload={"programs": []}, repeat=True)
    huge = seed_row("huge")
    huge["devices"][0]["attributes"]["battery_capacity_wh"] = 2**70  # an int JSON cannot carry
    surrogate = seed_row("bad-\udc80-id")
    outcomes = {o.row: o async for o in flip.commission_many([huge, surrogate, seed_row("fine")], ordered=True)}
    assert outcomes[0].status is OutcomeStatus.INVALID
    assert outcomes[2].status is OutcomeStatus.COMMISSIONED
    assert outcomes[1].to_record()["site_id"] == "bad-?-id"  # still writable to a journal
    assert sent_site_ids(mock_api) == ["fine"] or "fine" in sent_site_ids(mock_api)


async def test_an_input_that_raises_still_accounts_for_every_row_it_gave(
    flip: FlipClient, mock_api: aioresponses, tmp_path: Path
) -> None:
    mock_api.post(COMMISSION, payload={"programs": []}, repeat=True)

    def broken_source() -> Iterator[dict[str, Any]]:
        yield from (seed_row(f"s-{number}") for number in range(5))
        raise OSError("the database went away")

    seen: list[int] = []

    async def consume() -> None:
        async for outcome in flip.commission_many(broken_source(), journal=tmp_path / "j"):
            seen.append(outcome.row)

    with pytest.raises(OSError, match="database"):
        await consume()
    assert sorted(seen) == [0, 1, 2, 3, 4]
    assert len(journal_outcomes(tmp_path / "j")) == 5


async def test_outcomes_flow_while_a_slow_async_source_waits(flip: FlipClient, mock_api: aioresponses) -> None:
    mock_api.post(COMMISSION, payload={"programs": []}, repeat=True)
    source_paused = asyncio.Event()
    resume = asyncio.Event()

    async def queue_fed() -> AsyncIterator[dict[str, Any]]:
        yield seed_row("first")
        source_paused.set()
        await resume.wait()
        yield seed_row("second")

    run = flip.commission_many(queue_fed())
    first = await asyncio.wait_for(anext(run), timeout=5)  # arrives while the source is still waiting
    assert first.site_id == "first"
    assert source_paused.is_set()
    resume.set()
    assert [outcome.site_id async for outcome in run] == ["second"]


async def test_on_outcome_sees_rows_that_finish_while_a_cancelled_run_drains(live_server: Any) -> None:
    async def slow(request: web.BaseRequest) -> web.Response:
        await asyncio.sleep(0.1)
        return web.json_response({"programs": []})

    server = await live_server(slow)
    hooked: list[int] = []
    yielded: list[int] = []
    async with FlipClient(TOKEN, base_url=server.url) as flip:

        async def run() -> None:
            rows = [seed_row(f"s-{number}") for number in range(20)]
            async for outcome in flip.commission_many(rows, concurrency=4, on_outcome=lambda o: hooked.append(o.row)):
                yielded.append(outcome.row)

        task = asyncio.create_task(run())
        await asyncio.sleep(0.15)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert set(yielded) < set(hooked)  # the drained rows reached the hook, not the loop
    assert len(hooked) >= 4


async def test_closing_the_client_after_a_break_lets_the_run_s_requests_finish(
    live_server: Any, tmp_path: Path
) -> None:
    created: list[str] = []

    async def slow(request: web.BaseRequest) -> web.Response:
        site_id = (await request.json())["site"]["id"]
        await asyncio.sleep(0.05)
        created.append(site_id)
        return web.json_response({"programs": []})

    server = await live_server(slow)
    journal = tmp_path / "run.journal"
    async with FlipClient(TOKEN, base_url=server.url) as flip:
        async for _ in flip.commission_many([seed_row(f"s-{n}") for n in range(30)], concurrency=5, journal=journal):
            break
    lines = journal_outcomes(journal)
    assert {line["status"] for line in lines} == {"commissioned"}  # none failed against a closed client
    assert {line["site_id"] for line in lines} == set(created)


async def test_a_journal_that_cannot_be_written_stops_the_run_with_its_error(
    flip: FlipClient, mock_api: aioresponses, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock_api.post(COMMISSION, payload={"programs": []}, repeat=True)

    def disk_full(self: object, entry: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bulk.Journal, "record", disk_full)
    rows = [seed_row(f"s-{number}") for number in range(50)]

    async def consume() -> None:
        async for _ in flip.commission_many(rows, concurrency=2, journal=tmp_path / "j"):
            pass

    with pytest.raises(OSError, match="No space left"):
        await asyncio.wait_for(consume(), timeout=10)
    assert len(mock_api.requests[("POST", URL(COMMISSION))]) < 50  # it stopped instead of sending on unrecorded
