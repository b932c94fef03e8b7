"""`flip-async commission` end to end against the embedded sandbox: formats, exit codes, --out, summary, Ctrl-C."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from support import journal_lines, journal_outcomes, seed_row

from flip_async import __version__
from flip_async.cli import main
from flip_async.sandbox import Sandbox


def fleet(count: int, *, invalid: int = 0) -> list[dict[str, Any]]:
    """`count` sites, the first `invalid` of them in DC (not a state Flip takes)."""
    return [seed_row(f"site-{number}", **({"state_code": "DC"} if number < invalid else {})) for number in range(count)]


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    elif path.suffix == ".json":
        path.write_text(json.dumps(rows))
    else:
        flat = [_flatten(row) for row in rows]
        columns = sorted({column for row in flat for column in row})
        with path.open("w", newline="") as out:
            writer = csv.DictWriter(out, columns)
            writer.writeheader()
            writer.writerows(flat)
    return path


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        return {prefix: str(value).lower() if isinstance(value, bool) else value}
    flat: dict[str, Any] = {}
    for key, item in items:
        flat.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
    return flat


def outcomes(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_each_format_commissions_every_site_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    source = write(tmp_path / f"fleet{suffix}", fleet(12))
    out = tmp_path / "out.jsonl"
    assert main(["commission", str(source), "--sandbox", "--out", str(out), "--concurrency", "4"]) == 0
    records = outcomes(out)
    assert sorted(record["row"] for record in records) == list(range(12))
    assert {record["status"] for record in records} == {"commissioned"}
    assert all(record["error"] is None and record["attempts"] == 1 for record in records)
    summary = capsys.readouterr().err
    assert "commissioned" in summary
    assert "12 rows in" in summary


def test_invalid_rows_exit_1_and_are_reported_with_their_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(5, invalid=2))
    out = tmp_path / "out.jsonl"
    assert main(["commission", str(source), "--sandbox", "--out", str(out), "--ordered"]) == 1
    records = outcomes(out)
    assert [record["row"] for record in records] == [0, 1, 2, 3, 4]
    assert [record["status"] for record in records] == ["invalid", "invalid"] + ["commissioned"] * 3
    assert "site.state_code: 'DC' is not a valid state code" in records[0]["error"]
    assert "site.state_code: 'DC' is not a valid state code" in capsys.readouterr().err


def test_faults_are_survived_and_every_row_is_accounted_for(tmp_path: Path) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(200))
    out = tmp_path / "out.jsonl"
    code = main(
        [
            "commission",
            str(source),
            "--sandbox",
            "--out",
            str(out),
            "--concurrency",
            "16",
            "--max-retries",
            "5",
            "--sandbox-error-rate",
            "0.1",
            "--sandbox-rate-limit-rate",
            "0.05",
            "--sandbox-retry-after",
            "0",
            "--sandbox-drop-rate",
            "0.05",
            "--sandbox-lost-response-rate",
            "0.05",
            "--sandbox-seed",
            "3",
        ]
    )
    records = outcomes(out)
    assert sorted(record["row"] for record in records) == list(range(200))
    statuses = {record["status"] for record in records}
    assert statuses <= {"commissioned", "already_commissioned", "failed"}
    assert "already_commissioned" in statuses  # a lost response, then a retry that met the 409
    assert code == (1 if "failed" in statuses else 0)


def test_a_journal_makes_the_rerun_skip_what_is_done(tmp_path: Path) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(6, invalid=1))
    journal, out = tmp_path / "run.journal", tmp_path / "out.jsonl"
    assert main(["commission", str(source), "--sandbox", "--journal", str(journal)]) == 1
    # Each --sandbox run starts empty, so only the journal can turn these rows into `skipped`.
    assert main(["commission", str(source), "--sandbox", "--journal", str(journal), "--out", str(out)]) == 1
    statuses = sorted(record["status"] for record in outcomes(out))
    assert statuses == ["invalid"] + ["skipped"] * 5


@pytest.mark.parametrize(
    "argv",
    [
        ["commission", "missing.jsonl", "--sandbox"],
        ["commission", "{file}", "--concurrency", "0", "--sandbox"],
        ["commission", "{file}", "--sandbox-error-rate", "2", "--sandbox"],
        ["commission", "{file}"],  # no token anywhere
        ["nonsense"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    monkeypatch.delenv("FLIP_API_TOKEN", raising=False)
    source = write(tmp_path / "fleet.jsonl", fleet(1))
    with pytest.raises(SystemExit) as exited:
        main([part.replace("{file}", str(source)) for part in argv])
    assert exited.value.code == 2


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_cleanly_and_the_journal_resumes_without_resending(tmp_path: Path, stop: signal.Signals) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(400))
    journal = tmp_path / "run.journal"
    command = [
        sys.executable,
        "-m",
        "flip_async.cli",
        "commission",
        str(source),
        "--sandbox",
        "--journal",
        str(journal),
        "--concurrency",
        "8",
        "--sandbox-latency",
        "0.02",
    ]
    out_file = tmp_path / "interrupted.jsonl"
    command += ["--out", str(out_file)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 20
    while (not journal.exists() or len(journal_outcomes(journal)) < 20) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(stop)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "interrupted" in err
    lines = journal_outcomes(journal)  # every line is whole JSON
    assert 20 <= len(lines) < 400
    # The rows that finished while Ctrl-C drained the run (and those read but not sent) are in --out too.
    assert {record["site_id"] for record in outcomes(out_file)} == {line["site_id"] for line in lines}
    done = {line["site_id"] for line in lines if line["status"] == "commissioned"}
    out = tmp_path / "out.jsonl"
    assert main(["commission", str(source), "--sandbox", "--journal", str(journal), "--out", str(out)]) == 0
    resumed = outcomes(out)
    assert {record["site_id"] for record in resumed if record["status"] == "skipped"} == done
    assert len([record for record in resumed if record["status"] == "commissioned"]) == 400 - len(done)


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`flip-async ...` in a subprocess, as a user runs it: stderr is a pipe, not a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "flip_async.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_the_environment_sets_timeout_and_retries_unless_the_options_do(tmp_path: Path) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(1))
    out = tmp_path / "out.jsonl"
    failing = [
        "commission",
        source,
        "--sandbox",
        "--sandbox-error-rate",
        "1",
        "--sandbox-retry-after",
        "0",
        "--out",
        out,
    ]
    run_cli(*failing, env={"FLIP_MAX_RETRIES": "0"})
    assert [record["attempts"] for record in outcomes(out)] == [1]
    run_cli(*failing, "--max-retries", "1", env={"FLIP_MAX_RETRIES": "0"})
    assert [record["attempts"] for record in outcomes(out)] == [2]
    unreadable = run_cli("commission", source, "--sandbox", env={"FLIP_TIMEOUT": "soon"})
    assert unreadable.returncode == 2
    assert "FLIP_TIMEOUT='soon' is not a number of seconds > 0" in unreadable.stderr
    assert "Traceback" not in unreadable.stderr


def test_a_bad_row_in_any_format_is_its_own_outcome_and_every_other_row_is_commissioned(tmp_path: Path) -> None:
    good = fleet(4)
    array = tmp_path / "fleet.json"
    elements = [json.dumps(row, indent=2) for row in good]
    elements.insert(2, '{"site": {"id": "broken", "zip_code": "88800",}}')  # a trailing comma
    array.write_text("[\n" + ",\n".join(elements) + "\n]\n")
    table = write(tmp_path / "fleet.csv", good)
    header, *lines = table.read_bytes().splitlines(keepends=True)
    cells = lines[0].split(b",")
    long_cell = b",".join([*cells[:-1], b"x" * 200_000 + b"\n"])
    latin1 = lines[1].replace(b"88800", b"Mayag\xfcez")
    table.write_bytes(b"".join([header, lines[0], long_cell, latin1, b"s-9,too,few\n", *lines[1:]]))
    for source, broken in ((array, 1), (table, 3)):
        out = tmp_path / f"{source.name}.out"
        result = run_cli("commission", source, "--sandbox", "--out", out, "--ordered")
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        records = outcomes(out)
        assert [record["status"] for record in records].count("commissioned") == 4
        invalid = [record for record in records if record["status"] == "invalid"]
        assert len(invalid) == broken
        assert all(f"line {record['line']}: " in record["error"] for record in invalid)
    csv_errors = [
        record["error"].splitlines()[-1].strip() for record in outcomes(tmp_path / "fleet.csv.out") if record["error"]
    ]
    assert "$: line 3: not readable as CSV (field larger than field limit (131072))" in csv_errors
    assert "$: line 4: the site.zip_code cell is not UTF-8 text (byte 0xFC); save the file as UTF-8" in csv_errors
    assert "$: line 5: 3 cells, but the header has 23 columns" in csv_errors
    json_errors = [record["error"] for record in outcomes(tmp_path / "fleet.json.out") if record["error"]]
    assert "line 72: element 2 is not valid JSON (" in json_errors[0]  # in json's own words, which vary by Python


def test_out_records_and_the_summary_name_the_file_line_of_each_row(tmp_path: Path) -> None:
    source = tmp_path / "fleet.csv"
    write(source, fleet(3, invalid=1))
    source.write_text(source.read_text().replace("\n", "\n\n", 1))  # a blank line after the header
    out = tmp_path / "out.jsonl"
    result = run_cli("commission", source, "--sandbox", "--out", out, "--ordered")
    assert [(record["row"], record["line"]) for record in outcomes(out)] == [(0, 3), (1, 4), (2, 5)]
    assert "row 0, line 3 (site-0): invalid: 1 problem in CommissionRequest:" in result.stderr


def test_a_csv_header_naming_a_column_twice_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "fleet.csv"
    source.write_text("site.id,site.zip_code,site.id\ns-1,88800,s-1\n")
    result = run_cli("commission", source, "--sandbox")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"flip-async commission: {source}: line 1: the CSV header names column 'site.id' twice"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("fleet.jsonl", ""), ("fleet.csv", "site.id,site.zip_code\n"), ("fleet.txt", "garbage"), ("fleet.json", "[]")],
)
def test_a_file_without_rows_exits_1_saying_so(tmp_path: Path, name: str, content: str) -> None:
    source = tmp_path / name
    source.write_text(content)
    journal = tmp_path / "run.journal"
    result = run_cli("commission", source, "--sandbox", "--journal", journal)
    assert result.returncode == 1
    assert result.stderr == f"flip-async commission: {source}: no rows found, nothing to commission\n"
    assert not journal.exists()  # refused before anything was touched


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--out", "{fleet}"], "FILE and --out are the same file"),
        (["--journal", "{fleet}"], "FILE and --journal are the same file"),
        (["--out", "{hard_link}"], "FILE and --out are the same file"),
        (["--journal", "{symlink}"], "FILE and --journal are the same file"),
        (["--out", "{dotted}"], "FILE and --out are the same file"),
        (["--journal", "{new}", "--out", "{new}"], "--journal and --out are the same file"),
    ],
)
def test_fleet_journal_and_out_must_be_three_files(tmp_path: Path, options: list[str], message: str) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(3))
    before = source.read_bytes()
    (tmp_path / "hard.jsonl").hardlink_to(source)
    (tmp_path / "link.jsonl").symlink_to(source)
    paths = {
        "fleet": str(source),
        "hard_link": str(tmp_path / "hard.jsonl"),
        "symlink": str(tmp_path / "link.jsonl"),
        "dotted": f"{tmp_path}/./sub/../fleet.jsonl",
        "new": str(tmp_path / "new.jsonl"),
    }
    (tmp_path / "sub").mkdir()
    result = run_cli("commission", source, "--sandbox", *(option.format(**paths) for option in options))
    assert result.returncode == 2
    assert message in result.stderr
    assert source.read_bytes() == before
    assert not (tmp_path / "new.jsonl").exists()


async def run_cli_async(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """`flip-async ...` in a subprocess while this event loop serves a sandbox; the exit status and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "flip_async.cli",
        *map(str, args),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={key: value for key, value in {**os.environ, **(env or {})}.items() if key != "FLIP_API_TOKEN"},
    )
    async with asyncio.timeout(60):
        _, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_the_token_is_read_from_token_file(tmp_path: Path) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(2))
    token_file = tmp_path / "token"
    async with Sandbox(token="sandbox-token-from-a-file") as sandbox:
        token_file.write_text("\n  sandbox-token-from-a-file \n")
        code, err = await run_cli_async(
            "commission", source, "--base-url", sandbox.base_url, "--token-file", token_file
        )
        assert (code, sandbox.stats.sites_created) == (0, 2), err
        token_file.write_text("not-the-token\n")
        code, err = await run_cli_async(
            "commission", source, "--base-url", sandbox.base_url, "--token-file", token_file
        )
        assert code == 1  # both rows were in flight before the first 401: nothing was left unsent
        assert "401 Unauthorized" in err
    assert "not-the-token" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it (No such file or directory)"),
        ("", "the file is empty"),
        (" \n\t\n", "the file is empty"),
        ("secret-one\nsecret-two\n", "holds more than the token (spaces or several lines)"),
        (b"secret-\xff", "not UTF-8 text"),
    ],
)
def test_a_token_file_that_holds_no_token_is_a_usage_error_naming_it_not_its_content(
    tmp_path: Path, content: str | bytes | None, message: str
) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(1))
    token_file = tmp_path / "token"
    if isinstance(content, str):
        token_file.write_text(content)
    elif content is not None:
        token_file.write_bytes(content)
    result = run_cli("commission", source, "--token-file", token_file, env={"FLIP_API_TOKEN": "from-the-env"})
    assert result.returncode == 2
    assert f"--token-file {token_file}: {message}" in result.stderr
    assert "secret" not in result.stderr


def test_help_warns_that_a_token_on_the_command_line_is_visible_in_ps() -> None:
    result = run_cli("commission", "--help", env={"COLUMNS": "200"})
    assert "A token on the command line is visible to other users in `ps`: prefer FLIP_API_TOKEN or --token-file" in (
        result.stdout
    )
    assert "--token-file PATH" in result.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert (result.returncode, result.stdout) == (0, f"flip-async {__version__}\n")


def test_verbose_is_accepted_after_the_subcommand(tmp_path: Path) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(1))
    result = run_cli("commission", source, "--sandbox", "-vv")
    assert result.returncode == 0, result.stderr
    assert "DEBUG flip_async: POST /v1/commission (site site-0) -> 200 (attempt 1" in result.stderr


def test_messages_are_not_wrapped_and_see_out_only_with_out(tmp_path: Path) -> None:
    long_id = "site-with-a-long-identifier-" + "x" * 100
    rows = fleet(8, invalid=8)
    rows[0]["site"]["id"] = long_id
    source = write(tmp_path / "fleet.jsonl", rows)
    without_out = run_cli("commission", source, "--sandbox", "--ordered")
    assert f"row 0, line 1 ({long_id}): invalid: " in without_out.stderr  # one line, over 80 columns
    assert "... and 3 more rows with errors\n" in without_out.stderr
    out = tmp_path / "out.jsonl"
    with_out = run_cli("commission", source, "--sandbox", "--out", out)
    assert f"... and 3 more rows with errors (see {out})\n" in with_out.stderr


async def test_a_refused_token_stops_the_run_at_once_and_exits_3_saying_why(tmp_path: Path) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(400))
    out = tmp_path / "out.jsonl"
    async with Sandbox() as sandbox:
        code, err = await run_cli_async(
            "commission", source, "--base-url", sandbox.base_url, "--token", "wrong", "--out", out, "--concurrency", "4"
        )
        sent = sandbox.stats.requests["commission"]
    assert code == 3
    assert (
        err.strip().splitlines()[-1].startswith("flip-async commission: stopped early: Flip refused the client token")
    )
    records = outcomes(out)
    statuses = {record["status"] for record in records}
    assert len(records) == 400
    assert statuses == {"failed", "not_sent"}
    assert sent == sum(record["status"] == "failed" for record in records) <= 8  # not one 401 per row


async def test_an_unreachable_api_stops_the_run_and_exits_3(tmp_path: Path, unused_tcp_port: int) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(100))
    code, err = await run_cli_async(
        "commission", source, "--base-url", f"http://127.0.0.1:{unused_tcp_port}", "--token", "t", "--max-retries", "0"
    )
    assert code == 3
    assert "stopped early: the API is unreachable" in err


def test_dry_run_reports_what_a_run_would_find_invalid_with_no_token_and_no_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLIP_API_TOKEN", raising=False)
    monkeypatch.setenv("FLIP_BASE_URL", "http://127.0.0.1:9")  # nothing listens: any request would fail
    rows = fleet(6, invalid=2)
    source = write(tmp_path / "fleet.jsonl", rows)
    dry_out, real_out = tmp_path / "dry.jsonl", tmp_path / "real.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "flip_async.cli", "commission", str(source), "--dry-run", "--out", str(dry_out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert "6 rows read: 4 valid, 2 invalid (nothing sent)" in run.stderr
    assert main(["commission", str(source), "--sandbox", "--out", str(real_out)]) == 1
    invalid = {r["row"]: r["error"] for r in outcomes(real_out) if r["status"] == "invalid"}
    assert {r["row"]: r["error"] for r in outcomes(dry_out) if r["status"] == "invalid"} == invalid
    assert [r["status"] for r in outcomes(dry_out)] == ["invalid"] * 2 + ["valid"] * 4
    write(source, fleet(3))
    assert (
        subprocess.run(
            [sys.executable, "-m", "flip_async.cli", "commission", str(source), "--dry-run"], timeout=60, check=False
        ).returncode
        == 0
    )


def test_a_journal_of_another_api_is_a_usage_error_unless_resume_other_api(tmp_path: Path) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(3))
    journal = tmp_path / "run.journal"
    assert main(["commission", str(source), "--sandbox", "--journal", str(journal)]) == 0

    async def against_a_served_sandbox(*extra: str) -> tuple[int, str]:
        async with Sandbox() as sandbox:
            return await run_cli_async(
                "commission", source, "--base-url", sandbox.base_url, "--token", sandbox.token, *extra
            )

    code, err = asyncio.run(against_a_served_sandbox("--journal", str(journal)))
    assert code == 2
    assert "belongs to 'sandbox', not to 'http://127.0.0.1:" in err
    code, err = asyncio.run(against_a_served_sandbox("--journal", str(journal), "--resume-other-api"))
    assert code == 0, err


def test_a_second_ctrl_c_abandons_the_requests_in_flight_as_unconfirmed(tmp_path: Path) -> None:
    source = write(tmp_path / "fleet.jsonl", fleet(50))
    journal, out = tmp_path / "run.journal", tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flip_async.cli",
            "commission",
            str(source),
            "--sandbox",
            "--sandbox-latency",
            "20",
            "--timeout",
            "30",
            "--concurrency",
            "4",
            "--journal",
            str(journal),
            "--out",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    while not journal.exists() or sum(1 for line in journal_lines(journal) if line.get("status") == "sending") < 4:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    line = process.stderr.readline()
    while "Stopping" not in line:
        line = process.stderr.readline()
    assert "waiting up to 30 s for 4 requests in flight" in line
    assert "press Ctrl-C again" in line
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=20)
    assert process.returncode == 130
    records = {r["site_id"]: r["status"] for r in outcomes(out)}
    assert sorted(records.values()).count("unconfirmed") == 4
    assert "unconfirmed" in rest


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_fleet_file_may_leave_out_each_devices_site_id(tmp_path: Path, suffix: str) -> None:
    rows = fleet(3)
    for row in rows:
        del row["devices"][0]["site_id"]
    source = write(tmp_path / f"fleet{suffix}", rows)
    if suffix == ".csv":
        assert "devices.0.site_id" not in source.read_text().splitlines()[0]
    checked = tmp_path / "checked.jsonl"
    assert main(["commission", str(source), "--dry-run", "--out", str(checked)]) == 0
    assert {record["status"] for record in outcomes(checked)} == {"valid"}
    out = tmp_path / "out.jsonl"
    assert main(["commission", str(source), "--sandbox", "--out", str(out)]) == 0
    assert {record["status"] for record in outcomes(out)} == {"commissioned"}
