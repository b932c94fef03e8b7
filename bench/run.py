"""`make bench`: every benchmark, each server and client in its own process on 127.0.0.1, then one table.

    python -m bench.run [--rounds 5] [--scale 1.0] [--skip throughput,converter,bulk,generate] [--no-write]

Comparisons are measured side by side in the same run: throughput in interleaved rounds (a fresh sandbox per round
and concurrency, the three clients in rotated order against it, each client in a fresh process), converter costs in
interleaved rounds in one process; the table shows medians. The table is printed and written to bench/RESULTS.md.
These are measurements, not tests: nothing here fails because a number is low.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import peer
from bench._common import BIN, CLIENT_CPU, ROOT, median, pinned, run_json, sandbox_process

CONCURRENCIES = (1, 16, 64)
CLIENTS = ("flip-async", "aiohttp", "peer")
# Fixed request counts per measurement, sized for roughly 1-3 s each on a 2-core machine. The peer is many times
# slower under concurrency, so it gets fewer, but enough to reach its steady rate: at concurrency 64 its first few
# hundred requests run at half that rate (500 requests measured 130/s, 4,000 measured 340/s).
REQUESTS = {
    ("flip-async", 1): 2000,
    ("aiohttp", 1): 2000,
    ("peer", 1): 1000,
    ("flip-async", 16): 8000,
    ("aiohttp", 16): 8000,
    ("peer", 16): 2000,
    ("flip-async", 64): 8000,
    ("aiohttp", 64): 8000,
    ("peer", 64): 4000,
}
WARMUP = 200  # opens the connections (64 at most) and warms the caches
BULK_ROWS = (10_000, 100_000)
BULK_CONCURRENCY = 64
GENERATE_RUNS = 3
RESULTS = ROOT / "bench" / "RESULTS.md"
X = "\N{MULTIPLICATION SIGN}"
PYTHON = str(BIN / "python")

TARGETS = {
    "throughput_vs_aiohttp": 0.90,  # flip-async / raw aiohttp at concurrency 64, at least
    "throughput_vs_peer": 3.0,  # flip-async / openapi-python-client at concurrency 64, at least
    "bulk_rss_growth": 1.10,  # peak RSS at 100,000 rows / at 10,000 rows, at most
    "decode_vs_pydantic": 1.5,  # decoding the commission response, flip-async / pydantic, at most
}


def throughput(folder: Path, rounds: int, scale: float) -> dict[tuple[str, int], list[dict[str, Any]]]:
    samples: dict[tuple[str, int], list[dict[str, Any]]] = {key: [] for key in REQUESTS}
    for round_ in range(rounds):
        for index, concurrency in enumerate(CONCURRENCIES):
            shift = (round_ + index) % len(CLIENTS)
            order = CLIENTS[shift:] + CLIENTS[:shift]
            for client in order:
                # A fresh sandbox for every measurement: its state (and its garbage collector's work) grows with
                # every site, so a client measured against an older one would pay for the ones before it.
                with sandbox_process() as server:
                    requests = max(100, int(REQUESTS[client, concurrency] * scale))
                    command = [
                        *(PYTHON, "-m", "bench.throughput", client, "--base-url", server.base_url),
                        *("--token", server.token, "--concurrency", str(concurrency), "--requests", str(requests)),
                        *("--warmup", str(WARMUP), "--prefix", f"r{round_}{client[0]}", "--peer-dir", str(folder)),
                        *("--server-pid", str(server.pid)),
                    ]
                    result = run_json(pinned(CLIENT_CPU, command), timeout=300)
                    samples[client, concurrency].append(result)
                    _progress(
                        f"throughput round {round_ + 1}/{rounds} c={concurrency:<2} {client:<10} "
                        f"{result['requests_per_s']:8.0f} req/s"
                    )
    return samples


def bulk(scale: float) -> list[dict[str, Any]]:
    results = []
    for rows in BULK_ROWS:
        with sandbox_process() as server:
            command = [
                *(PYTHON, "-m", "bench.bulk_memory", str(max(100, int(rows * scale)))),
                *("--base-url", server.base_url, "--token", server.token, "--concurrency", str(BULK_CONCURRENCY)),
            ]
            result = run_json(pinned(CLIENT_CPU, command), timeout=1800)
        results.append(result)
        _progress(
            f"commission_many {result['rows']:>7} rows: {result['seconds']:.1f} s, {result['peak_rss_mib']:.1f} MiB"
        )
    return results


def generate_times(folder: Path) -> tuple[list[float], bool]:
    """Wall time of `make generate`'s command with a temporary output; and whether it matches the committed file."""
    output = folder / "models.py"
    times = []
    for _ in range(GENERATE_RUNS):
        started = time.perf_counter()
        subprocess.run([PYTHON, "codegen/generate.py", "--output", str(output)], cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return times, output.read_bytes() == (ROOT / "flip_async" / "models.py").read_bytes()


def machine() -> dict[str, str]:
    model = next(
        (line.split(":", 1)[1].strip() for line in _lscpu().splitlines() if line.startswith("Model name")), "unknown"
    )
    versions = {name: _version(name) for name in ("aiohttp", "cattrs", "attrs", "orjson", "pydantic", "httpx")}
    versions["openapi-python-client"] = _version("openapi-python-client")
    versions["datamodel-code-generator"] = _version("datamodel-code-generator")
    return {
        "nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "os": platform.platform(),
        **versions,
    }


def _lscpu() -> str:
    lscpu = shutil.which("lscpu")
    return subprocess.run([lscpu], capture_output=True, text=True, check=False).stdout if lscpu else ""


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Rendering -------------------------------------------------------------------------------------------------------


def render(
    info: dict[str, str],
    command: str,
    rounds: int,
    tput: dict[tuple[str, int], list[dict[str, Any]]] | None,
    conv: dict[str, dict[str, float]] | None,
    bulk_results: list[dict[str, Any]] | None,
    generated: tuple[list[float], bool] | None,
    total_seconds: float,
) -> str:
    out = ["# Benchmark results", ""]
    out.append(
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['os']}; Python {info['python']}, "
        f"aiohttp {info['aiohttp']}, cattrs {info['cattrs']}, attrs {info['attrs']}, orjson {info['orjson']}; "
        f"peers: openapi-python-client {info['openapi-python-client']} (httpx {info['httpx']}), "
        f"datamodel-code-generator {info['datamodel-code-generator']} (pydantic {info['pydantic']})."
    )
    out += [
        "",
        f"Command: `{command}` ({total_seconds:.0f} s in all). Load average (1 min) at the start "
        f"{info['load_start']}, at the end {info['load_end']}: anything else running on the machine skews every "
        "number here.",
        "",
    ]
    verdicts: list[str] = []
    if tput:
        out += _render_throughput(tput, rounds, verdicts)
    if conv:
        out += _render_converter(conv, verdicts)
    if bulk_results:
        out += _render_bulk(bulk_results, verdicts)
    if generated:
        times, same = generated
        out += [
            "## 4. `make generate`",
            "",
            f"`python codegen/generate.py --output <temp>/models.py` (what `make generate` runs): median "
            f"{median(times):.2f} s wall over {len(times)} runs ({', '.join(f'{t:.2f}' for t in times)}); output "
            f"{'identical to' if same else 'DIFFERENT from'} the committed flip_async/models.py.",
            "",
        ]
    if verdicts:
        out += ["## Targets", "", *verdicts, ""]
    return "\n".join(out)


def _render_throughput(
    samples: dict[tuple[str, int], list[dict[str, Any]]], rounds: int, verdicts: list[str]
) -> list[str]:
    def med(client: str, concurrency: int, key: str) -> float:
        values = [s[key] for s in samples[client, concurrency] if s.get(key) is not None]
        return median(values) if values else float("nan")

    out = [
        "## 1. Commission throughput (requests/s)",
        "",
        f"Median of {rounds} interleaved rounds. `POST /v1/commission` of the seed request (one battery, a new site "
        "each time) against the embedded sandbox (`flip-async sandbox --port 0`, faults off) in its own process; "
        "each client in a fresh process, in rotated order against a fresh sandbox per round and concurrency. "
        "flip-async: `FlipClient.commission(CommissionRequest)` driven by N asyncio tasks (validation, encoding, "
        "retries machinery and decoding included); aiohttp: one `ClientSession` posting the same bytes and reading "
        "the body; peer: the openapi-python-client package generated from openapi/flip.yaml, "
        "`commission.asyncio(client=..., body=CommissionRequest)`. Pools: 100 connections each (httpx given "
        "100 keep-alive connections too). Client and sandbox are pinned to CPUs of their own (taskset). CPU "
        "columns: microseconds of CPU per request in the client process and in the sandbox process, over the timed "
        "window. On this VM a client-sandbox pair sometimes runs at about half speed for a whole measurement (both "
        "processes partly idle, as if the two vCPUs shared one core), so single measurements vary up to 2x: compare "
        "the medians (range in brackets) and the CPU columns, which vary much less.",
        "",
        "| concurrency | flip-async | raw aiohttp | peer | flip-async / aiohttp | flip-async / peer "
        "| client CPU µs/req (flip-async / aiohttp / peer) | sandbox CPU µs/req (same order) | requests |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for concurrency in CONCURRENCIES:
        ours, raw, gen = (med(client, concurrency, "requests_per_s") for client in CLIENTS)
        ranged = [
            f"{med(client, concurrency, 'requests_per_s'):,.0f} ({_span(samples[client, concurrency])})"
            for client in CLIENTS
        ]
        cpu = " / ".join(f"{med(client, concurrency, 'client_cpu_us_per_request'):.0f}" for client in CLIENTS)
        server = " / ".join(f"{med(client, concurrency, 'server_cpu_us_per_request'):.0f}" for client in CLIENTS)
        counts = " / ".join(str(samples[client, concurrency][0]["requests"]) for client in CLIENTS)
        out.append(
            f"| {concurrency} | {' | '.join(ranged)} | {ours / raw:.2f}{X} | {ours / gen:.1f}{X} "
            f"| {cpu} | {server} | {counts} |"
        )
    ours, raw, gen = (med(client, 64, "requests_per_s") for client in CLIENTS)
    least = TARGETS["throughput_vs_aiohttp"]
    verdicts.append(
        _verdict(f"flip-async ≥ {least}{X} raw aiohttp at concurrency 64: {ours / raw:.2f}{X}", ours / raw >= least)
    )
    least = TARGETS["throughput_vs_peer"]
    verdicts.append(
        _verdict(f"flip-async ≥ {least}{X} the peer at concurrency 64: {ours / gen:.1f}{X}", ours / gen >= least)
    )
    return [*out, ""]


def _span(results: list[dict[str, Any]]) -> str:
    rates = [result["requests_per_s"] for result in results]
    return f"{min(rates):,.0f}-{max(rates):,.0f}"


def _render_converter(results: dict[str, dict[str, float]], verdicts: list[str]) -> list[str]:
    out = [
        "## 2. Converter and validation CPU cost (µs per call)",
        "",
        "Median of interleaved rounds in one process. Inputs: tests/fixtures/seed_commission_response.json and "
        "seed_commission_request.json. Pydantic: datamodel-code-generator's default output (pydantic_v2.BaseModel) "
        "for openapi/flip.yaml, `model_validate_json` / `model_validate` / `model_dump_json(exclude_none=True)` / "
        "`model_dump(mode='json', exclude_none=True)`. Validation (`_validation.validated`) runs on every send.",
        "",
        "| operation | flip-async (cattrs + orjson) | pydantic v2 | flip-async / pydantic |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, sides in results.items():
        ours, theirs = sides["flip-async"], sides.get("pydantic")
        relative = f"{ours / theirs:.2f}{X}" if theirs else "—"
        out.append(f"| {name} | {ours:.2f} | {f'{theirs:.2f}' if theirs else '—'} | {relative} |")
    decode = results["decode response (JSON bytes -> model)"]
    ratio = decode["flip-async"] / decode["pydantic"]
    new_ids = results["decode response, ids not seen before"]
    first = new_ids["flip-async"] / new_ids["pydantic"]
    most = TARGETS["decode_vs_pydantic"]
    verdicts.append(
        _verdict(
            f"decoding the commission response ≤ {most}{X} pydantic v2: {ratio:.2f}{X} in a run "
            f"(program ids seen before), {first:.2f}{X} when every id is new",
            ratio <= most,
        )
    )
    return [*out, ""]


def _render_bulk(results: list[dict[str, Any]], verdicts: list[str]) -> list[str]:
    out = [
        "## 3. `commission_many` memory",
        "",
        f"Concurrency {BULK_CONCURRENCY}, rows made lazily by a generator (wire mappings), outcomes counted and "
        "dropped, no journal; a fresh sandbox and a fresh client process per size. Peak RSS is the client "
        "process's ru_maxrss; RSS before is after imports and client setup.",
        "",
        "| rows | wall s | sites/s | RSS before (MiB) | peak RSS (MiB) | outcomes |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        statuses = ", ".join(f"{name} {count:,}" for name, count in result["statuses"].items())
        out.append(
            f"| {result['rows']:,} | {result['seconds']:.1f} | {result['sites_per_s']:,.0f} "
            f"| {result['rss_before_mib']:.1f} | {result['peak_rss_mib']:.1f} | {statuses} |"
        )
    growth = results[-1]["peak_rss_mib"] / results[0]["peak_rss_mib"]
    large, small = f"{results[-1]['rows']:,}", f"{results[0]['rows']:,}"
    out += ["", f"Peak RSS at {large} rows / at {small} rows: {growth:.3f}{X}."]
    most = TARGETS["bulk_rss_growth"]
    verdicts.append(_verdict(f"peak RSS at {large} rows ≤ {most}{X} that at {small}: {growth:.3f}{X}", growth <= most))
    return [*out, ""]


def _verdict(text: str, holds: bool) -> str:
    return f"- {'holds' if holds else 'DOES NOT HOLD'}: {text}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved throughput rounds (default 7)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply request and row counts (quick runs)")
    parser.add_argument("--skip", default="", help="comma-separated: throughput, converter, bulk, generate")
    parser.add_argument("--no-write", action="store_true", help="print the table only, leave bench/RESULTS.md")
    args = parser.parse_args(argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="flip-bench-") as temp:
        folder = Path(temp)
        _progress(f"generating the peers into {folder}")
        peer.generate_peer_client(folder)
        peer.generate_pydantic_models(folder)
        tput = None if "throughput" in skip else throughput(folder, args.rounds, args.scale)
        conv = None if "converter" in skip else run_json([PYTHON, "-m", "bench.converter", str(folder)], timeout=600)
        bulk_results = None if "bulk" in skip else bulk(args.scale)
        generated = None if "generate" in skip else generate_times(folder)
    command = "make bench" if len(sys.argv) == 1 else shlex.join(["python", "-m", "bench.run", *sys.argv[1:]])
    info = {**machine(), "load_start": f"{load_start:.2f}", "load_end": f"{os.getloadavg()[0]:.2f}"}
    table = render(info, command, args.rounds, tput, conv, bulk_results, generated, time.perf_counter() - started)
    print(table)
    if not args.no_write:
        RESULTS.write_text(table)


if __name__ == "__main__":
    main()
