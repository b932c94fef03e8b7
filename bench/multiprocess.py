"""Processes sharing one token against a rate-limited API: how they settle below the limit, each row commissioned.

    python -m bench.multiprocess [--processes 4] [--rate 200] [--rows 1500] [--runs 3]

A `flip-async sandbox --rate-limit R` in its own process (pinned to CPU 1), and N `flip-async commission` processes
(pinned to CPU 0) against it at once, each with its own fleet file and the same client token, all at concurrency 32
with the default retries. Read off the sandbox (`/_sandbox/stats`, its counters) and the runs' --out files: the share
of requests answered 429, the rate achieved (commission requests answered 2xx per second of the run) against R, and
whether every row of every process ended commissioned. Nothing is shared between the processes but the token: the
backing off is each run's own (AIMD at its 429s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from bench._common import PYTHON, ROOT, pinned

SANDBOX_CPU, CLIENT_CPU = 1, 0


def _fleet(path: Path, process: int, rows: int) -> None:
    seed = json.loads((ROOT / "tests" / "fixtures" / "seed_commission_request.json").read_text())
    with path.open("wb") as out:
        for number in range(rows):
            site_id = f"p{process}-site-{number}"
            seed["site"]["id"] = site_id
            seed["devices"][0].update(id=f"{site_id}-battery", site_id=site_id)
            out.write(orjson.dumps(seed) + b"\n")


def _start_sandbox(rate: float, token: str) -> tuple[subprocess.Popen[str], str]:
    command = [PYTHON, "-m", "flip_async.cli", "sandbox", "--port", "0", "--token", token, "--rate-limit", str(rate)]
    process = subprocess.Popen(pinned(SANDBOX_CPU, command), stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("Flip sandbox serving on "):
            return process, line.removeprefix("Flip sandbox serving on ").strip()
    raise RuntimeError("the sandbox did not start")


def _stats(base_url: str, token: str) -> dict[str, Any]:
    import urllib.request

    # A loopback http:// URL of our own sandbox: no file: or custom scheme can reach here.
    request = urllib.request.Request(f"{base_url}/_sandbox/stats", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        stats: dict[str, Any] = json.loads(answer.read())
        return stats


def measure(processes: int, rate: float, rows: int) -> dict[str, Any]:
    """One run: the sandbox's and the processes' figures."""
    token = "bench-multiprocess-token"  # noqa: S105 (the throwaway sandbox's)
    sandbox, base_url = _start_sandbox(rate, token)
    try:
        with tempfile.TemporaryDirectory() as folder:
            fleets = [Path(folder) / f"fleet-{n}.jsonl" for n in range(processes)]
            outs = [Path(folder) / f"out-{n}.jsonl" for n in range(processes)]
            for number, fleet in enumerate(fleets):
                _fleet(fleet, number, rows)
            started = time.monotonic()
            runs = [
                subprocess.Popen(
                    pinned(
                        CLIENT_CPU,
                        [
                            PYTHON,
                            "-m",
                            "flip_async.cli",
                            "commission",
                            str(fleet),
                            "--base-url",
                            base_url,
                            "--token",
                            token,
                            "--concurrency",
                            "32",
                            "--out",
                            str(out),
                        ],
                    ),
                    stderr=subprocess.DEVNULL,
                )
                for fleet, out in zip(fleets, outs, strict=True)
            ]
            codes = [run.wait(timeout=600) for run in runs]
            elapsed = time.monotonic() - started
            statuses: dict[str, int] = {}
            for out in outs:
                for line in out.read_bytes().splitlines():
                    status = orjson.loads(line)["status"]
                    statuses[status] = statuses.get(status, 0) + 1
        stats = _stats(base_url, token)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    requests = stats["requests"].get("commission", 0) + stats["requests"].get("get_site_token", 0)
    answered = stats["sites_created"] + stats["conflicts"]
    return {
        "processes": processes,
        "rate": rate,
        "rows": processes * rows,
        "exit_codes": codes,
        "statuses": statuses,
        "elapsed_s": round(elapsed, 2),
        "requests": requests,
        "answered_429": stats["rate_limited"],
        "share_429": stats["rate_limited"] / requests if requests else 0.0,
        "achieved_over_rate": answered / elapsed / rate,
        "all_commissioned": statuses == {"commissioned": processes * rows},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--rows", type=int, default=1500, help="rows per process")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = [measure(args.processes, args.rate, args.rows) for _ in range(args.runs)]
    share = [result["share_429"] for result in results]
    achieved = [result["achieved_over_rate"] for result in results]
    print(json.dumps(results, indent=2))
    print(
        f"{args.processes} processes, R = {args.rate:g}/s, {args.rows} rows each, {args.runs} runs: "
        f"429s {statistics.median(share):.1%} of requests ({min(share):.1%}-{max(share):.1%}); "
        f"achieved {statistics.median(achieved):.2f} R ({min(achieved):.2f}-{max(achieved):.2f}); "
        f"every row commissioned: {all(result['all_commissioned'] for result in results)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
