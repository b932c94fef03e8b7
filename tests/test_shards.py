"""Splitting a fleet into shards with no coordination, and one report over the shards' --out files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from support import seed_row

from flip_async.bulk import shard_of
from flip_async.cli import main


def _fleet(path: Path, count: int) -> Path:
    rows = [seed_row(f"site-{n}") for n in range(count)]
    rows[3]["site"]["state_code"] = "DC"  # invalid: reported by its own shard
    lines = [orjson.dumps(row) for row in rows] + [b'{"no": "site"}']  # no site id: reported by shard 0
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _records(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_the_shard_of_a_site_is_the_same_on_every_machine_and_python() -> None:
    expected = [shard_of(f"site-{n}", 4) for n in range(50)]
    assert expected[:8] == [3, 3, 0, 0, 1, 1, 3, 1]  # a sha256, not Python's seeded hash: fixed forever
    script = "from flip_async.bulk import shard_of; print([shard_of(f'site-{n}', 4) for n in range(50)])"
    for seed in ("0", "12345"):
        run = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert run.stdout.strip() == str(expected)


def test_three_shards_commission_every_row_once_between_them_and_one_report_sums_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = _fleet(tmp_path / "fleet.jsonl", 30)
    outs = [tmp_path / f"shard-{shard}.jsonl" for shard in range(3)]
    for shard, out in enumerate(outs):
        journal = tmp_path / f"shard-{shard}.journal"  # each shard keeps its own journal
        code = main(
            [
                "commission",
                str(fleet),
                "--sandbox",
                "--shard",
                f"{shard}/3",
                "--journal",
                str(journal),
                "--out",
                str(out),
            ]
        )
        assert code == (1 if any(r["status"] == "invalid" for r in _records(out)) else 0)
    by_shard = [_records(out) for out in outs]
    rows = sorted(int(record["row"]) for records in by_shard for record in records)  # type: ignore[call-overload]
    assert rows == list(range(31))  # every row of FILE, each in exactly one shard, by its index in FILE
    for shard, records in enumerate(by_shard):
        for record in records:
            if record["site_id"] is not None:
                assert shard_of(str(record["site_id"]), 3) == shard
    assert [r["row"] for r in by_shard[0] if r["site_id"] is None] == [30]
    capsys.readouterr()

    assert main(["report", *map(str, outs)]) == 1
    summary = capsys.readouterr().err
    assert "29" in summary  # commissioned
    assert "31 rows in" in summary
    assert "row 3" in summary
    assert main(["report", str(outs[1]), str(outs[2])]) in (0, 1)


def test_a_report_exits_as_one_run_would_and_refuses_a_file_given_twice(tmp_path: Path) -> None:
    ok = tmp_path / "ok.jsonl"
    ok.write_bytes(orjson.dumps({"row": 0, "site_id": "a", "status": "commissioned", "error": None}) + b"\n")
    stopped = tmp_path / "stopped.jsonl"
    stopped.write_bytes(
        orjson.dumps(
            {
                "row": 1,
                "site_id": "b",
                "status": "not_sent",
                "error": "not sent: the run stopped early because Flip refused the client token (401): no",
            }
        )
        + b"\n"
    )
    assert main(["report", str(ok)]) == 0
    assert main(["report", str(ok), str(stopped)]) == 3
    with pytest.raises(SystemExit) as exited:
        main(["report", str(ok), str(ok)])
    assert exited.value.code == 2
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("not json\n")
    with pytest.raises(SystemExit) as exited:
        main(["report", str(garbage)])
    assert exited.value.code == 2


@pytest.mark.parametrize("shard", ["3/3", "1/0", "a/b", "-1/3", "1"])
def test_a_shard_that_does_not_exist_is_a_usage_error(tmp_path: Path, shard: str) -> None:
    fleet = _fleet(tmp_path / "fleet.jsonl", 5)
    with pytest.raises(SystemExit) as exited:
        main(["commission", str(fleet), "--sandbox", "--shard", shard])
    assert exited.value.code == 2
