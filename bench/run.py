"""`make bench`: every benchmark against the bench responder, each client in its own pinned process; then one report.

    python -m bench.run [--quick] [--only commission,bulk,...] [--skip ...] [--no-write] [--json PATH]

Sections: commission (five clients at four concurrencies), breakdown (flip-async with each piece of its own work left
out in turn), bulk (commission_many against a bounded raw loop, and against flip.commission in that loop), telemetry,
resume (a journal of a million lines), memory (a long commission_many run), converter (decoding and validation
against pydantic v2), generate (`make generate`'s time), processes (several CLI runs sharing one token against a
rate-limited sandbox). The report is printed and written to bench/RESULTS.md; `--json` also writes every figure it
shows. These are measurements, not tests: nothing here fails because a number is bad, only when a client gets a
wrong answer.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from bench import multiprocess, peer, report
from bench._common import CLIENT_CPU, PYTHON, ROOT, pinned, responder_process, run_json
from bench.clients import CLIENTS, WITHOUT
from bench.interleave import Comparison, Pair, QuietWait, calibrated_count, run_pairs, summarize, workers
from bench.resume import journal_for
from bench.workloads import TELEMETRY_POINTS

SECTIONS = ("commission", "breakdown", "bulk", "telemetry", "resume", "memory", "converter", "generate", "processes")
CONCURRENCIES = (1, 16, 64, 256)
BASELINE = "aiohttp"
TWIN = f"{BASELINE}@twin"  # a second process of the baseline, for the A/A comparison
TWIN_CONCURRENCY = 64
BULK_CONCURRENCY = 64
BULK_BASELINES = ("bounded-loop", "commission-loop")  # the target's floor, then flip.commission in the same loop
GENERATE_RUNS = 3
RESULTS = ROOT / "bench" / "RESULTS.md"
SEEDS = (1, 2, 3)  # PYTHONHASHSEED of each fresh process pair, in turn


@dataclasses.dataclass(frozen=True)
class Mode:
    name: str
    groups: int
    """Fresh process pairs (responder and workers) per section."""
    burst_seconds: float
    pairs: dict[str, int]
    """Quiet pairs wanted per process pair, by subject."""
    breakdown_pairs: int
    bulk_pairs: int
    telemetry_pairs: int
    resume_lines: int
    resume_runs: int
    resume_skipped: int
    memory_rows: int
    converter_rounds: int
    process_rows: int
    """Rows per process of the processes section."""
    process_runs: int
    quiet_budget: float
    """Seconds the whole run may spend waiting for outside load to pass."""


FULL = Mode(
    name="full",
    groups=3,
    burst_seconds=0.3,
    pairs={"flip-async": 6, "pydantic": 3, "openapi-generator": 2, "openapi-python-client": 1},
    breakdown_pairs=4,
    bulk_pairs=6,
    telemetry_pairs=4,
    resume_lines=1_000_000,
    resume_runs=3,
    resume_skipped=1_000_000,
    memory_rows=1_000_000,
    converter_rounds=15,
    process_rows=1500,
    process_runs=3,
    quiet_budget=60.0,
)
QUICK = Mode(
    name="quick",
    groups=2,
    burst_seconds=0.15,
    pairs={"flip-async": 3, "pydantic": 1, "openapi-generator": 1, "openapi-python-client": 1},
    breakdown_pairs=2,
    bulk_pairs=3,
    telemetry_pairs=2,
    resume_lines=1_000_000,
    resume_runs=2,
    resume_skipped=100_000,
    memory_rows=100_000,
    converter_rounds=5,
    process_rows=500,
    process_runs=2,
    quiet_budget=45.0,
)


def commission(
    mode: Mode, quiet: QuietWait, peer_dir: Path, clients: Sequence[str]
) -> dict[tuple[str, int], list[Pair]]:
    """Every client against raw aiohttp, at every concurrency, in each of `mode.groups` fresh process pairs; and at
    TWIN_CONCURRENCY raw aiohttp against a second raw aiohttp process (A/A), which shows the method's own noise."""
    subjects = [client for client in clients if client != BASELINE]
    measured: dict[tuple[str, int], list[Pair]] = defaultdict(list)
    workloads = [*(f"commission:{client}" for client in clients), f"commission:{TWIN}"]
    for group in range(mode.groups):
        with workers(workloads, seed=SEEDS[group], peer_dir=peer_dir) as pool:
            for concurrency in CONCURRENCIES:
                comparisons = [
                    Comparison(
                        subject=f"commission:{subject}",
                        baseline=f"commission:{BASELINE}",
                        concurrency=concurrency,
                        count=calibrated_count(
                            pool[f"commission:{subject}"],
                            concurrency,
                            seconds=mode.burst_seconds,
                            least=max(2 * concurrency, 100),
                            most=50_000,
                        ),
                        pairs=mode.pairs[subject],
                    )
                    for subject in subjects
                ]
                pool[f"commission:{BASELINE}"].burst(comparisons[0].count, concurrency)  # its warm-up
                if concurrency == TWIN_CONCURRENCY:
                    twin = dataclasses.replace(comparisons[0], subject=f"commission:{TWIN}")
                    pool[twin.subject].burst(twin.count, concurrency)
                    comparisons.append(twin)
                for comparison, pairs in run_pairs(comparisons, pool, group, quiet).items():
                    measured[comparison.subject.removeprefix("commission:"), concurrency] += pairs
                _progress(f"commission: process pair {group + 1}/{mode.groups}, concurrency {concurrency} done")
    return measured


def breakdown(mode: Mode, quiet: QuietWait) -> dict[str, list[Pair]]:
    """flip-async, and flip-async with each piece of its own work left out, each against raw aiohttp at
    TARGET_CONCURRENCY in each of `mode.groups` fresh process pairs."""
    subjects = ("flip-async", *WITHOUT)
    measured: dict[str, list[Pair]] = defaultdict(list)
    for group in range(mode.groups):
        with workers(
            [f"commission:{name}" for name in (BASELINE, *subjects)], seed=SEEDS[group], peer_dir=None
        ) as pool:
            count = calibrated_count(
                pool["commission:flip-async"], TWIN_CONCURRENCY, seconds=mode.burst_seconds, least=256, most=50_000
            )
            pool[f"commission:{BASELINE}"].burst(count, TWIN_CONCURRENCY)  # its warm-up
            comparisons = [
                Comparison(
                    f"commission:{name}", f"commission:{BASELINE}", TWIN_CONCURRENCY, count, mode.breakdown_pairs
                )
                for name in subjects
            ]
            for comparison, pairs in run_pairs(comparisons, pool, group, quiet).items():
                measured[comparison.subject.removeprefix("commission:")] += pairs
        _progress(f"breakdown: process pair {group + 1}/{mode.groups} done")
    return measured


def processes(mode: Mode) -> list[dict[str, Any]]:
    """bench.multiprocess's runs: 4 CLI processes sharing one token against a sandbox limited to 200 requests/s."""
    runs = [multiprocess.measure(4, 200.0, mode.process_rows) for _ in range(mode.process_runs)]
    _progress("processes: done")
    return runs


def bulk(mode: Mode, quiet: QuietWait) -> dict[str, list[Pair]]:
    """commission_many against the raw bounded loop (the target) and against `flip.commission` in that same loop
    (what the bulk engine itself adds), in each of `mode.groups` fresh process triples."""
    measured: dict[str, list[Pair]] = defaultdict(list)
    for group in range(mode.groups):
        with workers(["commission_many", *BULK_BASELINES], seed=SEEDS[group], peer_dir=None) as pool:
            count = calibrated_count(
                pool["commission_many"], BULK_CONCURRENCY, seconds=2 * mode.burst_seconds, least=512, most=20_000
            )
            for baseline in BULK_BASELINES:
                pool[baseline].burst(count, BULK_CONCURRENCY)  # its warm-up
            comparisons = [
                Comparison("commission_many", baseline, BULK_CONCURRENCY, count, mode.bulk_pairs)
                for baseline in BULK_BASELINES
            ]
            for comparison, pairs in run_pairs(comparisons, pool, group, quiet).items():
                measured[comparison.baseline] += pairs
        _progress(f"bulk: process triple {group + 1}/{mode.groups} done")
    return measured


def telemetry(mode: Mode, quiet: QuietWait) -> list[Pair]:
    measured: list[Pair] = []
    for group in range(mode.groups):
        with workers(["telemetry", "telemetry-raw"], seed=SEEDS[group], peer_dir=None) as pool:
            for name in pool:
                pool[name].burst(TELEMETRY_POINTS // 10, 1)  # warm-up
            comparison = Comparison("telemetry", "telemetry-raw", 1, TELEMETRY_POINTS, mode.telemetry_pairs)
            measured += run_pairs([comparison], pool, group, quiet)[comparison]
        _progress(f"telemetry: process pair {group + 1}/{mode.groups} done")
    return measured


def resume(mode: Mode, folder: Path) -> dict[str, Any]:
    """A fresh process resuming over a synthetic journal of `mode.resume_lines` lines, `mode.resume_runs` times with a
    new first row, once with the journaled rows first (every one skipped)."""
    journal = folder / "resume-rows.jsonl"
    command = [PYTHON, "-m", "bench.resume", "--write-journal", str(journal), "--lines", str(mode.resume_lines)]
    run_json(command, timeout=600)
    fresh = [_resume_once(journal, folder, skipped=0) for _ in range(mode.resume_runs)]
    _progress("resume: journal read")
    skipping = _resume_once(journal, folder, skipped=mode.resume_skipped)
    _progress("resume: skipped rows done")
    journal.unlink()
    return {"lines": mode.resume_lines, "fresh": fresh, "skipping": skipping}


def _resume_once(row_lines: Path, folder: Path, *, skipped: int) -> dict[str, Any]:
    with responder_process() as server:
        # Each resume appends to its journal, which names the API (the responder's URL): one for every run.
        copy = journal_for(server.base_url, row_lines, folder / "resume-run.journal")
        command = [
            *(PYTHON, "-m", "bench.resume", str(copy), "--base-url", server.base_url, "--token", server.token),
            *("--skipped", str(skipped)),
        ]
        result = run_json(pinned(CLIENT_CPU, command), timeout=900)
    copy.unlink()
    return result


def memory(mode: Mode) -> dict[str, Any]:
    with responder_process() as server:
        command = [
            *(PYTHON, "-m", "bench.bulk_memory", str(mode.memory_rows), "--base-url", server.base_url),
            *("--token", server.token, "--concurrency", str(BULK_CONCURRENCY)),
        ]
        result = run_json(pinned(CLIENT_CPU, command), timeout=3600)
    _progress(f"memory: {result['rows']:,} rows in {result['seconds']:.0f} s")
    return result


def converter(mode: Mode, peer_dir: Path) -> dict[str, Any]:
    """The converter table, measured in one fresh process per seed and merged."""
    command = pinned(
        CLIENT_CPU, [PYTHON, "-m", "bench.converter", str(peer_dir), "--rounds", str(mode.converter_rounds)]
    )
    runs = [run_json(command, timeout=900, env={"PYTHONHASHSEED": str(seed)}) for seed in SEEDS[: mode.groups]]
    if "skipped" in runs[0]:
        return runs[0]
    merged: dict[str, Any] = {}
    for name, sides in runs[0].items():
        merged[name] = {side: statistics.median(run[name][side] for run in runs) for side in sides if side != "ratios"}
        if "ratios" in sides:
            merged[name]["ratios"] = [ratio for run in runs for ratio in run[name]["ratios"]]
            merged[name]["process_medians"] = [statistics.median(run[name]["ratios"]) for run in runs]
    return merged


def generate(folder: Path) -> dict[str, Any]:
    """Wall time of `make generate`'s command into a temporary folder; and whether what it writes matches the
    committed generated modules."""
    output = folder / "generated"
    times = []
    for _ in range(GENERATE_RUNS):
        started = time.perf_counter()
        subprocess.run([PYTHON, "codegen/generate.py", "--output-dir", str(output)], cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    written = sorted(output.iterdir())
    same = all(path.read_bytes() == (ROOT / "flip_async" / path.name).read_bytes() for path in written)
    return {"seconds": times, "same": same}


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer and shorter bursts, 100,000 rows: for iterating")
    parser.add_argument("--only", default="", help=f"comma-separated sections to run: {', '.join(SECTIONS)}")
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--no-write", action="store_true", help="print the report only, leave bench/RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    sections = _sections(parser, args.only, args.skip)
    started, load_start = time.perf_counter(), os.getloadavg()
    quiet = QuietWait(mode.quiet_budget)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="flip-bench-") as temp:
        folder = Path(temp)
        clients, skipped = list(CLIENTS), {}
        if sections & {"commission", "converter"}:
            _progress(f"generating the peers into {folder}")
            peer.generate_pydantic_models(folder)
            peer.generate_openapi_python_client(folder)
            if reason := peer.generate_openapi_generator_client(folder):
                _progress(f"openapi-generator's client skipped: {reason}")
                skipped["openapi-generator"] = reason
                clients.remove("openapi-generator")
        if "commission" in sections:
            results["commission"] = {
                key: summarize(pairs) for key, pairs in commission(mode, quiet, folder, clients).items() if pairs
            }
        if "breakdown" in sections:
            results["breakdown"] = {name: summarize(pairs) for name, pairs in breakdown(mode, quiet).items() if pairs}
        if "bulk" in sections:
            results["bulk"] = {baseline: summarize(pairs) for baseline, pairs in bulk(mode, quiet).items()}
        if "telemetry" in sections:
            results["telemetry"] = summarize(telemetry(mode, quiet))
        if "resume" in sections:
            results["resume"] = resume(mode, folder)
        if "memory" in sections:
            results["memory"] = memory(mode)
        if "converter" in sections:
            results["converter"] = converter(mode, folder)
            _progress("converter: done")
        if "generate" in sections:
            results["generate"] = generate(folder)
        if "processes" in sections:
            results["processes"] = processes(mode)
    run = report.Run(
        mode=mode.name,
        command=_command(argv),
        seconds=time.perf_counter() - started,
        load_start=load_start,
        load_end=os.getloadavg(),
        machine=report.machine(),
        skipped_clients=skipped,
        concurrencies=CONCURRENCIES,
        bulk_concurrency=BULK_CONCURRENCY,
        telemetry_points=TELEMETRY_POINTS,
        seeds=SEEDS[: mode.groups],
        quiet_wait=(quiet.waited, quiet.budget),
    )
    text = report.render(run, results)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)
    if args.json:
        args.json.write_bytes(orjson.dumps(report.as_json(run, results), option=orjson.OPT_INDENT_2))


def _sections(parser: argparse.ArgumentParser, only: str, skip: str) -> set[str]:
    chosen, left_out = _names(only) or set(SECTIONS), _names(skip)
    if unknown := (chosen | left_out) - set(SECTIONS):
        parser.error(f"unknown sections {', '.join(sorted(unknown))}; expected some of {', '.join(SECTIONS)}")
    return chosen - left_out


def _names(text: str) -> set[str]:
    return {part.strip() for part in text.split(",") if part.strip()}


def _command(argv: Sequence[str] | None) -> str:
    given = list(sys.argv[1:] if argv is None else argv)
    if not given:
        return "make bench"
    if given == ["--quick"]:
        return "make bench BENCH_QUICK=1"
    return shlex.join(["python", "-m", "bench.run", *given])


if __name__ == "__main__":
    main()
