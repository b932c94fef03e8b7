"""The journal: which API it belongs to, one run at a time, write-ahead, and resumes that never send a site twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web
from support import TOKEN, add_site, journal_lines, journal_outcomes, sandboxed, seed_row

from flip_async import FlipClient, RetryPolicy
from flip_async.bulk import (
    UNREACHABLE_AFTER,
    CommissionOutcome,
    Journal,
    JournalInUseError,
    JournalMismatchError,
    OutcomeStatus,
    RunStoppedError,
)
from flip_async.sandbox import Faults, Sandbox


def test_a_new_journal_names_its_api_first_and_each_run_with_its_pid(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    with Journal(path, api="https://api.flip.energy"):
        pass
    with Journal(path, api="https://api.flip.energy"):
        pass
    header, first_run, second_run = journal_lines(path)
    assert (header["journal"], header["api"]) == ("flip-async journal", "https://api.flip.energy")
    assert first_run["run"] == second_run["run"] == os.getpid()


def test_a_journal_of_another_api_is_refused_unless_allowed(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    with Journal(path, api="sandbox") as journal:
        journal.record({"row": 0, "site_id": "s-0", "status": "commissioned"})
    with pytest.raises(JournalMismatchError) as caught:
        Journal(path, api="https://api.flip.energy")
    assert "'sandbox'" in str(caught.value)
    assert "'https://api.flip.energy'" in str(caught.value)
    with Journal(path, api="https://api.flip.energy", allow_other_api=True) as journal:
        assert journal.done == {"s-0"}


def test_a_journal_without_a_header_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.journal"
    path.write_bytes(b'{"row": 0, "site_id": "s-0", "status": "commissioned"}\n')
    with Journal(path, api="https://api.flip.energy") as journal:
        assert journal.done == {"s-0"}


def test_each_sites_last_line_decides_whether_a_resume_skips_it_checks_it_or_sends_it(tmp_path: Path) -> None:
    path = tmp_path / "runs.journal"
    lines = [
        {"row": 0, "site_id": "answered", "status": "sending"},
        {"row": 0, "site_id": "answered", "status": "commissioned"},
        {"row": 1, "site_id": "in-doubt", "status": "sending"},
        {"row": 2, "site_id": "failed-later", "status": "already_commissioned"},
        {"row": 2, "site_id": "failed-later", "status": "failed"},
        {"row": 3, "site_id": "confirmed-later", "status": "unconfirmed"},
        {"row": 3, "site_id": "confirmed-later", "status": "already_commissioned"},
        {"row": 4, "site_id": "refused", "status": "sending"},
        {"row": 4, "site_id": "refused", "status": "invalid"},
        {"row": 5, "site_id": 5, "status": "commissioned"},
        ["not", "an", "entry"],
    ]
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines) + b'{"row": 6, "site_id": "cut-sh')
    with Journal(path, api="https://api.flip.energy") as journal:
        assert journal.done == {"answered", "confirmed-later"}
        assert journal.unconfirmed == {"in-doubt"}


def test_two_runs_cannot_hold_one_journal_and_the_refusal_names_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import time
                from flip_async.bulk import Journal
                with Journal({str(path)!r}, api="sandbox"):
                    print("held", flush=True)
                    time.sleep(60)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(JournalInUseError, match=f"pid {holder.pid}"):
            Journal(path, api="sandbox")
        holder.send_signal(signal.SIGKILL)  # a crash releases the lock
        holder.wait(timeout=10)
        with Journal(path, api="sandbox"):
            pass
    finally:
        holder.kill()
        holder.communicate(timeout=10)


def test_one_process_cannot_open_a_journal_twice(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    with Journal(path, api="sandbox"), pytest.raises(JournalInUseError, match=f"pid {os.getpid()}"):
        Journal(path, api="sandbox")


async def test_each_row_is_written_ahead_before_its_request_and_finished_after(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    async with sandboxed() as (_, flip):
        rows = [seed_row(f"s-{number}") for number in range(10)]
        [outcome async for outcome in flip.commission_many(rows, concurrency=3, journal=path)]
    events = [(line["site_id"], line["status"]) for line in journal_lines(path) if "site_id" in line]
    for number in range(10):
        site = f"s-{number}"
        assert [status for site_id, status in events if site_id == site] == ["sending", "commissioned"]


async def test_a_resume_asks_flip_about_rows_sent_without_an_answer_and_sends_only_what_it_lacks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.journal"
    async with sandboxed() as (sandbox, flip):
        add_site(sandbox, "arrived", "arrived-battery")
        with Journal(path, api=flip.base_url) as journal:
            journal.sending(0, "arrived")  # sent, and Flip got it, but the answer was lost with the process
            journal.sending(1, "lost")  # sent, and lost on the way
        rows = [seed_row("arrived"), seed_row("lost")]
        outcomes = {o.site_id: o.status async for o in flip.commission_many(rows, journal=path)}
    assert outcomes == {"arrived": OutcomeStatus.ALREADY_COMMISSIONED, "lost": OutcomeStatus.COMMISSIONED}
    assert sandbox.stats.requests["commission"] == 1
    assert sandbox.stats.conflicts == 0


async def test_a_row_sent_without_an_answer_stays_unconfirmed_while_flip_cannot_be_asked(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    async with sandboxed(faults=Faults(error_rate=1.0, operations={"get_site_token"})) as (sandbox, flip):
        with Journal(path, api=flip.base_url) as journal:
            journal.sending(0, "in-doubt")
        (outcome,) = [o async for o in flip.commission_many([seed_row("in-doubt")], journal=path, max_retries=0)]
        assert outcome.status is OutcomeStatus.UNCONFIRMED
        assert "cannot say" in str(outcome.error)
        assert sandbox.stats.requests["commission"] == 0  # never sent again while in doubt
    with Journal(path, api=flip.base_url, allow_other_api=True) as journal:
        assert journal.unconfirmed == {"in-doubt"}  # the next rerun asks again


async def test_sigkill_mid_run_then_resume_creates_every_site_once_and_resends_none_sent(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    count = 300
    async with Sandbox(faults=Faults(latency=(0.005, 0.03))) as sandbox:
        script = textwrap.dedent(f"""
            import asyncio, json
            from flip_async import FlipClient
            rows = [json.loads(line) for line in open({str(tmp_path / "rows.jsonl")!r})]
            async def main():
                async with FlipClient({sandbox.token!r}, base_url={sandbox.base_url!r}) as flip:
                    async for _ in flip.commission_many(rows, concurrency=16, journal={str(path)!r}):
                        pass
            asyncio.run(main())
        """)
        (tmp_path / "rows.jsonl").write_bytes(b"\n".join(orjson.dumps(seed_row(f"s-{n}")) for n in range(count)))
        process = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
        deadline = time.monotonic() + 30
        while (not path.exists() or len(journal_outcomes(path)) < 60) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        sent_first = Counter(line["site_id"] for line in journal_lines(path) if line.get("status") == "sending")
        requests_first = sandbox.stats.requests["commission"]

        async with FlipClient(sandbox.token, base_url=sandbox.base_url) as flip:
            rows = [seed_row(f"s-{n}") for n in range(count)]
            resumed = [o async for o in flip.commission_many(rows, concurrency=16, journal=path)]

    assert 60 <= len(sent_first) < count  # killed mid-run
    assert len(sandbox.state.sites) == sandbox.stats.sites_created == count
    assert sandbox.stats.conflicts == 0  # nothing sent twice: no 409 at all
    resent = sandbox.stats.requests["commission"] - requests_first
    assert resent == count - len(sent_first) + sum(
        1 for o in resumed if o.site_id in sent_first and o.status is OutcomeStatus.COMMISSIONED
    )
    assert all(o.ok for o in resumed)


async def test_a_refused_client_token_stops_the_run_and_the_rest_is_not_sent(live_server: Any) -> None:
    requests = 0

    async def refuse(request: web.BaseRequest) -> web.Response:
        nonlocal requests
        requests += 1
        return web.json_response({"detail": "Invalid token"}, status=401)

    server = await live_server(refuse)
    async with FlipClient(TOKEN, base_url=server.url, retry_policy=RetryPolicy.immediate()) as flip:
        rows = [seed_row(f"s-{n}") for n in range(500)]
        outcomes = [o async for o in flip.commission_many(rows, concurrency=4)]
    statuses = Counter(o.status for o in outcomes)
    assert len(outcomes) == 500
    assert statuses[OutcomeStatus.NOT_SENT] >= 490
    assert requests == statuses[OutcomeStatus.FAILED] <= 8
    stopped = next(o.error for o in outcomes if o.status is OutcomeStatus.NOT_SENT)
    assert isinstance(stopped, RunStoppedError)
    assert "refused the client token (401)" in str(stopped)
    assert "Invalid token" in str(stopped)


async def test_an_unreachable_api_stops_the_run_after_a_few_rows(unused_tcp_port: int) -> None:
    async with FlipClient(
        TOKEN, base_url=f"http://127.0.0.1:{unused_tcp_port}", retry_policy=RetryPolicy.immediate(), max_retries=1
    ) as flip:
        rows = [seed_row(f"s-{n}") for n in range(200)]
        outcomes = [o async for o in flip.commission_many(rows, concurrency=2)]
    statuses = Counter(o.status for o in outcomes)
    assert statuses[OutcomeStatus.FAILED] <= UNREACHABLE_AFTER + 2
    assert statuses[OutcomeStatus.NOT_SENT] == 200 - statuses[OutcomeStatus.FAILED]
    assert "the API is unreachable" in str(outcomes[-1].error)


async def _slow_server(live_server: Any, seconds: float) -> Any:
    async def slow(request: web.BaseRequest) -> web.Response:
        await request.read()
        await asyncio.sleep(seconds)
        return web.json_response({"programs": []})

    return await live_server(slow)


async def test_a_cancelled_run_gives_requests_in_flight_their_own_timeout(live_server: Any, tmp_path: Path) -> None:
    server = await _slow_server(live_server, 0.6)
    drains: list[tuple[int, float]] = []
    finished: list[CommissionOutcome] = []
    async with FlipClient(TOKEN, base_url=server.url, timeout=5.0) as flip:

        async def run() -> None:
            rows = [seed_row(f"s-{n}") for n in range(20)]
            async for _ in flip.commission_many(
                rows, concurrency=4, on_outcome=finished.append, on_drain=lambda *d: drains.append(d)
            ):
                pass

        task = asyncio.create_task(run())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert drains == [(4, 5.0)]
    # The 4 in flight finished (0.6 s each, inside their 5 s); the rows read but not yet sent were not sent at all.
    assert Counter(o.status for o in finished) == {OutcomeStatus.COMMISSIONED: 4, OutcomeStatus.NOT_SENT: 4}


async def test_cancelled_again_a_draining_run_abandons_its_requests_as_unconfirmed(
    live_server: Any, tmp_path: Path
) -> None:
    server = await _slow_server(live_server, 30)
    path = tmp_path / "run.journal"
    finished: list[CommissionOutcome] = []
    draining = asyncio.Event()
    async with FlipClient(TOKEN, base_url=server.url, timeout=20.0) as flip:

        async def run() -> None:
            rows = [seed_row(f"s-{n}") for n in range(20)]
            async for _ in flip.commission_many(
                rows, concurrency=4, journal=path, on_outcome=finished.append, on_drain=lambda *_: draining.set()
            ):
                pass

        task = asyncio.create_task(run())
        await asyncio.sleep(0.2)
        task.cancel()
        await asyncio.wait_for(draining.wait(), timeout=5)
        task.cancel()  # a second Ctrl-C
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=5)
    in_flight = [o for o in finished if o.status is OutcomeStatus.UNCONFIRMED]
    assert len(in_flight) == 4
    assert all("in flight" in str(o.error) for o in in_flight)
    with Journal(path, api=flip.base_url) as journal:
        assert journal.unconfirmed == {o.site_id for o in in_flight}
