"""`flip-async commission` end to end against the embedded sandbox: formats, exit codes, --out, summary, Ctrl-C."""

from __future__ import annotations

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
from support import journal_outcomes, seed_row

from flip_async.cli import main


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


def test_a_file_that_is_not_utf_8_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "fleet.csv"
    source.write_bytes("site.id,site.city\ns-1,Mayag\u00fcez\n".encode("latin-1"))
    with pytest.raises(SystemExit) as exited:
        main(["commission", str(source), "--sandbox"])
    assert exited.value.code == 2
