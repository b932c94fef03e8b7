"""bench/RESULTS.md from the figures `bench.run` measured: the machine, one table per section, and the targets."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import platform
import shutil
import statistics
import subprocess
from collections.abc import Sequence
from typing import Any

from bench.interleave import MIN_QUIET_PAIRS, OUTSIDE_LIMIT, Summary

X = "\N{MULTIPLICATION SIGN}"
DASH = "\N{EN DASH}"
TARGET_CONCURRENCY = 64
SUBJECTS = ("flip-async", "pydantic", "openapi-generator", "openapi-python-client", "aiohttp@twin")
DESCRIBED = {
    "flip-async": "flip-async",
    "pydantic": "aiohttp + pydantic v2 (by hand)",
    "openapi-generator": "openapi-generator (asyncio)",
    "openapi-python-client": "openapi-python-client (httpx)",
    "aiohttp@twin": "raw aiohttp again, in another process (A/A)",
}
TARGETS = {
    "commission": 1.15,  # client CPU per request, flip-async / raw aiohttp at concurrency 64, at most
    "bulk": 1.3,  # CPU per row, commission_many / the bounded raw loop, at most
    "telemetry": 2.0,  # CPU per point, report_battery / raw aiohttp + orjson.dumps, at most
    "resume_seconds": 0.3,  # from the call to the first request, over a 1,000,000-line journal, at most
    "resume_mib": 40.0,  # peak RSS above the RSS before the call, same resume, at most
    "decode": 1.5,  # decoding the commission response, flip-async / pydantic v2, at most
    "memory_growth": 1.1,  # peak RSS at the last checkpoint / at 10,000 rows, at most (kept from the first bench)
}


@dataclasses.dataclass(frozen=True)
class Run:
    mode: str
    command: str
    seconds: float
    load_start: tuple[float, float, float]
    load_end: tuple[float, float, float]
    machine: dict[str, str]
    skipped_clients: dict[str, str]
    concurrencies: tuple[int, ...]
    bulk_concurrency: int
    telemetry_points: int
    seeds: tuple[int, ...]
    """The PYTHONHASHSEED of each fresh process pair."""
    quiet_wait: tuple[float, float]
    """Seconds spent waiting for a quiet machine, and the budget for it."""


def machine() -> dict[str, str]:
    packages = (
        "aiohttp",
        "cattrs",
        "attrs",
        "orjson",
        "pydantic",
        "httpx",
        "openapi-python-client",
        "datamodel-code-generator",
        "openapi-generator-cli",
    )
    return {
        "cpus": str(len(os.sched_getaffinity(0))),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "os": platform.platform(),
        "java": _java_version(),
        **{name: _version(name) for name in packages},
    }


def render(run: Run, results: dict[str, Any]) -> str:
    out = ["# Benchmark results", ""]
    out += _preamble(run)
    verdicts: list[str] = []
    if "commission" in results:
        out += _commission(run, results["commission"], verdicts)
    if "bulk" in results:
        out += _bulk(run, results["bulk"], verdicts)
    if "telemetry" in results:
        out += _telemetry(run, results["telemetry"], verdicts)
    if "resume" in results:
        out += _resume(results["resume"], verdicts)
    if "memory" in results:
        out += _memory(results["memory"], verdicts)
    if "converter" in results:
        out += _converter(results["converter"], verdicts)
    if "generate" in results:
        out += _generate(results["generate"])
    if "breakdown" in results:
        out += _breakdown(results["breakdown"], results.get("converter", {}))
    if "processes" in results:
        out += _processes(results["processes"])
    out += _stability(run, results)
    if verdicts:
        out += [
            "## Targets",
            "",
            f"Read off this run at concurrency {TARGET_CONCURRENCY}. A ratio holds when its median of pair ratios is "
            "at or under the target; \u201cclearly\u201d means every pair agrees, \u201cnarrowly\u201d that some "
            "pairs fall on the other side.",
            "",
            *verdicts,
            "",
        ]
    return "\n".join(out)


def as_json(run: Run, results: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Summary):
            return dataclasses.asdict(value)
        if isinstance(value, dict):
            return {_key(key): plain(item) for key, item in value.items()}
        return value

    return {"run": dataclasses.asdict(run), "results": plain(results)}


def _key(key: Any) -> str:
    return "@".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _preamble(run: Run) -> list[str]:
    m = run.machine
    skipped = "".join(f" {name} was skipped: {reason}." for name, reason in run.skipped_clients.items())
    return [
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['os']}; Python {m['python']}, aiohttp {m['aiohttp']}, "
        f"cattrs {m['cattrs']}, attrs {m['attrs']}, orjson {m['orjson']}. Peers: pydantic {m['pydantic']} (models by "
        f"datamodel-code-generator {m['datamodel-code-generator']}), openapi-generator-cli "
        f"{m['openapi-generator-cli']} ({m['java']}), openapi-python-client {m['openapi-python-client']} "
        f"(httpx {m['httpx']}).{skipped}",
        "",
        f"Command: `{run.command}` ({run.mode} mode, {run.seconds / 60:.1f} minutes in all). Load average (1, 5, 15 "
        f"min) at the start {_loads(run.load_start)}, at the end {_loads(run.load_end)}; the bench's own client and "
        "server account for 1 to 1.5 of it while they run.",
        "",
        "How it measures. The server is the bench responder (bench/responder.py): a raw `asyncio.Protocol` keep-alive "
        "HTTP/1.1 server answering canned bodies (the seed commission response; one OK result per telemetry point), "
        "in its own process pinned to CPU 1; its CPU per request is shown beside each client's. Every client runs in "
        "a long-lived process of its own pinned to CPU 0, and runs short timed bursts on command, in turn with the "
        "client it is compared with: A then B, then B then A, and so on. The primary figure is the client's CPU "
        "time per request (`getrusage(RUSAGE_SELF)` over the burst), as the ratio of each adjacent pair of bursts "
        "(which cancels this machine's drift from minute to minute); a figure is the median of those pair ratios, "
        f"with their range. All of it is repeated in {len(run.seeds)} fresh process pairs (a new responder and new "
        f"client processes, PYTHONHASHSEED {', '.join(map(str, run.seeds))} in turn), since each process keeps a "
        "speed of its own for its lifetime: "
        "the medians of the process pairs show how much that moves a figure. Around each burst /proc/stat gives "
        "the CPU time the whole machine spent outside the two measured processes; a pair during which that "
        f"exceeded {OUTSIDE_LIMIT} CPUs is set aside, and more pairs are run to replace it (at most twice the number "
        "wanted); where too few pairs were quiet, a figure is read off all of them, and the table says so. Every "
        "burst checks every answer it gets.",
        "",
    ]


def _loads(load: Sequence[float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def _comparison_header(first: str, unit: str, baseline: str = "raw") -> list[str]:
    return [
        f"| {first} | CPU µs/{unit} | {baseline} µs/{unit} | ratio (median of pairs) | pair range "
        f"| process pairs' medians | {unit}s/s (it · {baseline}) | responder µs/{unit} (it · {baseline}) "
        f"| quiet pairs | {unit}s a burst |",
        "| --- | ---: | ---: | ---: | --- | --- | --- | --- | --- | ---: |",
    ]


def _comparison_cells(summary: Summary) -> str:
    medians = _listed(summary.group_medians)
    server = " · ".join(_maybe(value, ".1f") for value in (summary.subject_server_us, summary.baseline_server_us))
    pairs = f"{summary.quiet} of {summary.measured}" + (" (too few: all used)" if summary.under_load else "")
    return (
        f"{summary.subject_us:.1f} | {summary.baseline_us:.1f} | **{summary.ratio:.2f}{X}** | "
        f"{summary.low:.2f}{DASH}{summary.high:.2f} | {medians} | {summary.subject_rate:,.0f} · "
        f"{summary.baseline_rate:,.0f} | {server} | {pairs} | {summary.units:,} |"
    )


def _commission(run: Run, results: dict[tuple[str, int], Summary], verdicts: list[str]) -> list[str]:
    out = [
        "## 1. Commission: client CPU per request, against raw aiohttp",
        "",
        "`POST /v1/commission` of the seed request (a site with one battery; ids unique per site, all requests the "
        "same size). Every client sends the same document and reads the same answer. Raw aiohttp, the floor: a "
        "default `aiohttp.ClientSession` posting pre-encoded bytes and reading the answer with `orjson.loads`. "
        "flip-async: `FlipClient(...).commission(model)` with a `models.CommissionRequest` built beforehand "
        "(validated on send, encoded, sent, answer decoded into `models.CommissionResponse`). aiohttp + pydantic v2: "
        "a hand-written client over models generated by datamodel-code-generator from openapi/flip.yaml; each call "
        "validates the wire mapping with the request model, writes it with `model_dump_json` and reads the answer "
        "with `model_validate_json`. openapi-generator: its python client (`--library asyncio`) generated from "
        "openapi/flip.yaml, `CommissionApi.commission(model)`. openapi-python-client: its generated package, "
        "`commission.asyncio(client=..., body=model)`. Inputs (models, mappings, bytes) are built before the timed "
        "window. Pools: 100 connections each (aiohttp's and flip-async's default; httpx given 100 keep-alive "
        "connections instead of its 20). `concurrency` asyncio tasks share one queue of inputs; bursts are sized "
        "for about the same time per client, at least twice the concurrency. At concurrency "
        f"{TARGET_CONCURRENCY} raw aiohttp is also measured against a second raw aiohttp process (A/A): how far that "
        "ratio strays from 1.00 is the noise of the method on this machine during this run, the yardstick for the "
        "other ratios. The responder's CPU per request is higher at low request rates, where each request wakes "
        "it on its own.",
        "",
    ]
    for concurrency in run.concurrencies:
        present = [subject for subject in SUBJECTS if (subject, concurrency) in results]
        if not present:
            continue
        out += [f"Concurrency {concurrency}:", "", *_comparison_header("client (against raw aiohttp)", "request")]
        out += [f"| {DESCRIBED[s]} | {_comparison_cells(results[s, concurrency])}" for s in present]
        out.append("")
    if (flip := results.get(("flip-async", TARGET_CONCURRENCY))) is not None:
        twin = results.get(("aiohttp@twin", TARGET_CONCURRENCY))
        yardstick = f"A/A at the same concurrency {twin.ratio:.2f}{X}" if twin else ""
        most = TARGETS["commission"]
        verdicts.append(
            _ratio_verdict(f"commission: client CPU per request ≤ {most}{X} raw aiohttp", flip, most, yardstick)
        )
    return out


def _bulk(run: Run, summaries: dict[str, Summary], verdicts: list[str]) -> list[str]:
    raw = summaries["bounded-loop"]
    verdicts.append(
        _ratio_verdict(f"commission_many CPU per row ≤ {TARGETS['bulk']}{X} the bounded raw loop", raw, TARGETS["bulk"])
    )
    out = [
        "## 2. `commission_many` against a bounded raw loop: client CPU per row",
        "",
        f"Concurrency {run.bulk_concurrency}. flip-async: `async for outcome in flip.commission_many(rows, "
        f"concurrency={run.bulk_concurrency})` over wire mappings (the seed request with unique ids), every outcome "
        "checked. The raw loop: the same rows pre-encoded with `orjson.dumps`, posted by a default aiohttp session, "
        f"an `asyncio.Semaphore({run.bulk_concurrency})` acquired before each row's task is created (so the loop is "
        "bounded too), each answer read with `orjson.loads`. The second row compares commission_many with "
        "`flip.commission(row)` in that same bounded loop: what the bulk engine (ordering, outcomes, adaptive "
        "concurrency, the window of rows in flight) costs beyond sending each row through the client.",
        "",
        *_comparison_header("workload (it / baseline)", "row", baseline="baseline"),
        f"| commission_many / raw loop | {_comparison_cells(raw)}",
    ]
    if engine := summaries.get("commission-loop"):
        out.append(f"| commission_many / flip.commission in the loop | {_comparison_cells(engine)}")
    return [*out, ""]


def _telemetry(run: Run, summary: Summary, verdicts: list[str]) -> list[str]:
    most = TARGETS["telemetry"]
    verdicts.append(_ratio_verdict(f"telemetry CPU per point ≤ {most}{X} raw aiohttp + orjson.dumps", summary, most))
    return _single_comparison(
        "## 3. Telemetry: client CPU per data point",
        f"{run.telemetry_points:,} battery data points (dicts of 18 fields, as a fleet service reports them every 5 "
        "minutes) per burst. flip-async: `flip.telemetry.report_battery(points)` (each point validated, batches of "
        "1,000 sent one after another, one result per point). Raw: aiohttp posting `orjson.dumps({'telemetry': "
        "batch})` of the same dicts in batches of 1,000, one after another, each answer read with `orjson.loads`.",
        ("report_battery / raw batches", "point"),
        summary,
    )


def _single_comparison(title: str, description: str, row: tuple[str, str], summary: Summary) -> list[str]:
    name, unit = row
    return [
        title,
        "",
        description,
        "",
        *_comparison_header("workload", unit),
        f"| {name} | {_comparison_cells(summary)}",
        "",
    ]


def _resume(results: dict[str, Any], verdicts: list[str]) -> list[str]:
    lines = results["lines"]
    fresh, skipping = results["fresh"], results["skipping"]
    seconds = [run["seconds_to_first_request"] for run in fresh]
    rises = [run["peak_rss_delta_mib"] for run in fresh]
    out = [
        "## 4. Resuming over a long journal",
        "",
        f"A synthetic journal of {lines:,} commissioned rows after a header line naming the API (one JSON object a "
        "line, as flip_async's journal writes them; about 146 bytes a line, in the page cache as after a crash), "
        "then in a fresh process "
        "`flip.commission_many(rows, journal=path)`: the time from that call until the responder sees the first "
        "request, and how far the process's peak RSS rose above its RSS before the call (the high-water mark is "
        "reset just before it). Rows are made one at a time by a generator.",
        "",
        "| input | runs | to the first request, s (median, range) | peak RSS rise, MiB | RSS before → after, MiB |",
        "| --- | ---: | --- | --- | --- |",
        f"| a new site first (reading the journal) | {len(fresh)} | **{statistics.median(seconds):.2f}** "
        f"({min(seconds):.2f}{DASH}{max(seconds):.2f}) | **{statistics.median(rises):.1f}** "
        f"({min(rises):.1f}{DASH}{max(rises):.1f}) | "
        f"{fresh[0]['rss_before_mib']:.1f} → {fresh[0]['rss_after_mib']:.1f} |",
        f"| the {skipping['skipped_rows']:,} journaled rows first, all skipped (a rerun of the same input) | 1 | "
        f"{skipping['seconds_to_first_request']:.2f} | {skipping['peak_rss_delta_mib']:.1f} | "
        f"{skipping['rss_before_mib']:.1f} → {skipping['rss_after_mib']:.1f} |",
        "",
    ]
    most_s, most_mib = TARGETS["resume_seconds"], TARGETS["resume_mib"]
    holds = statistics.median(seconds) <= most_s and statistics.median(rises) <= most_mib
    verdicts.append(
        _verdict(
            f"resume of a {lines:,}-line journal ≤ {most_s} s and ≤ {most_mib:.0f} MiB extra: "
            f"{statistics.median(seconds):.2f} s and {statistics.median(rises):.1f} MiB",
            holds,
        )
    )
    return out


def _memory(result: dict[str, Any], verdicts: list[str]) -> list[str]:
    peaks = result["peak_rss_mib"]
    checkpoints = [key for key in peaks if key != "end"]
    statuses = ", ".join(f"{name} {count:,}" for name, count in result["statuses"].items())
    out = [
        "## 5. A long `commission_many` run: memory",
        "",
        f"{result['rows']:,} rows at concurrency {result['concurrency']}, made lazily by a generator (wire mappings), "
        "outcomes counted and dropped, no journal, one fresh process. Peak RSS is the process's high-water mark "
        "(reset after imports and client setup); RSS before is its RSS then.",
        "",
        "| rows | wall s | rows/s | client CPU µs/row | RSS before, MiB | "
        + " | ".join(f"peak after {int(key):,} rows" for key in checkpoints)
        + " | outcomes |",
        "| ---: | ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in checkpoints) + " | --- |",
        f"| {result['rows']:,} | {result['seconds']:.0f} | {result['rows_per_s']:,.0f} | "
        f"{result['cpu_us_per_row']:.0f} | {result['rss_before_mib']:.1f} | "
        + " | ".join(f"{peaks[key]:.1f}" for key in checkpoints)
        + f" | {statuses} |",
        "",
    ]
    if len(checkpoints) >= 2:
        growth = peaks[checkpoints[-1]] / peaks[checkpoints[0]]
        last, first = f"{int(checkpoints[-1]):,}", f"{int(checkpoints[0]):,}"
        verdicts.append(
            _verdict(
                f"peak RSS at {last} rows ≤ {TARGETS['memory_growth']}{X} that at {first}: {growth:.3f}{X}",
                growth <= TARGETS["memory_growth"],
            )
        )
    return out


def _converter(results: dict[str, Any], verdicts: list[str]) -> list[str]:
    out = ["## 6. Converter and validation CPU cost (µs per call)", ""]
    if "skipped" in results:
        verdicts.append(f"- not measured: decoding the commission response ≤ {TARGETS['decode']}{X} pydantic v2")
        return [*out, f"Skipped: {results['skipped']}", ""]
    out += [
        "In fresh processes pinned to CPU 0, one per PYTHONHASHSEED as above: in each round, each operation on both "
        "sides back to back (A-B, then B-A), about 0.1 s each; µs per call are medians over all rounds, the ratio "
        "is the median of every round's ratio, beside its range and each process's median. "
        "Inputs: tests/fixtures/seed_commission_response.json and seed_commission_request.json. Pydantic: "
        "datamodel-code-generator's default output (pydantic_v2."
        "BaseModel) for openapi/flip.yaml, `model_validate_json` / `model_validate` / `model_dump_json(exclude_none="
        "True)` / `model_dump(mode='json', exclude_none=True)`. The one table that times flip-async's internals "
        "(its converter and `validated`, which runs on every send): nothing public calls them alone.",
        "",
        "| operation | flip-async (cattrs + orjson) | pydantic v2 | flip-async / pydantic (median of rounds) "
        "| round range | process medians |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for name, sides in results.items():
        if "ratios" in sides:
            ratios = sides["ratios"]
            out.append(
                f"| {name} | {sides['flip-async']:.2f} | {sides['pydantic']:.2f} | "
                f"**{statistics.median(ratios):.2f}{X}** | {min(ratios):.2f}{DASH}{max(ratios):.2f} | "
                f"{_listed(sides['process_medians'])} |"
            )
        else:
            out.append(f"| {name} | {sides['flip-async']:.2f} | — | — | — | — |")
    decode = results["decode response (JSON bytes -> model)"]["ratios"]
    first = results.get("decode response, ids not seen before")
    first_text = f"{statistics.median(first['ratios']):.2f}{X} when every id is new" if first else ""
    verdicts.append(
        _range_verdict(
            f"decoding the commission response ≤ {TARGETS['decode']}{X} pydantic v2, in a run (program ids seen "
            "before)",
            (statistics.median(decode), min(decode), max(decode)),
            TARGETS["decode"],
            first_text,
        )
    )
    return [*out, ""]


def _generate(result: dict[str, Any]) -> list[str]:
    times = result["seconds"]
    return [
        "## 7. `make generate`",
        "",
        f"`python codegen/generate.py --output-dir <temp>` (what `make generate` runs): median "
        f"{statistics.median(times):.2f} s wall over {len(times)} runs ({', '.join(f'{t:.2f}' for t in times)}); "
        f"output {'identical to' if result['same'] else 'DIFFERENT from'} the committed generated modules "
        "(flip_async/models.py, _spec.py, _checks.py).",
        "",
    ]


# Each piece, and the row of section 6 that times it in a loop of its own.
PIECES = {
    "validation": "validate request model (`validated`)",
    "encoding": "encode request (model -> JSON bytes)",
    "decoding": "decode response (JSON bytes -> model)",
}


def _breakdown(results: dict[str, Summary], converter: dict[str, Any]) -> list[str]:
    whole = results.get("flip-async")
    if whole is None:
        return []
    out = [
        f"## 8. Where flip-async's own CPU per commission goes (concurrency {TARGET_CONCURRENCY})",
        "",
        "flip-async, and flip-async with one piece of its own work patched out of its worker process (plain "
        "functions: validation returns the model as given, encoding returns a pre-encoded document of the same "
        "size, decoding is skipped), each against raw aiohttp as in section 1. What a piece costs in place is "
        f"(flip-async's ratio \N{MINUS SIGN} the ratio without it) {X} raw aiohttp's µs per request: its cost where it "
        f"runs, between {TARGET_CONCURRENCY - 1} other requests' work, beside what it costs in a loop of its own "
        "(section 6). `all` leaves out the three at once: what remains over raw aiohttp is the call layers (the "
        "operation, the call, the request values, retries and logging decisions) and the transport.",
        "",
        "| flip-async | ratio to raw aiohttp (median of pairs) | pair range | the piece in place, µs/request | "
        "in a loop of its own, µs | quiet pairs |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    raw_us = whole.baseline_us
    for name, summary in results.items():
        piece = name.removeprefix("flip-async without ")
        in_place = "" if name == "flip-async" else f"{(whole.ratio - summary.ratio) * raw_us:.1f}"
        alone = converter.get(PIECES.get(piece, ""), {}).get("flip-async")
        out.append(
            f"| {'as it is' if name == 'flip-async' else 'without ' + piece} | **{summary.ratio:.2f}{X}** | "
            f"{summary.low:.2f}{DASH}{summary.high:.2f} | {in_place} | {_maybe(alone, '.2f')} | "
            f"{summary.quiet} of {summary.measured} |"
        )
    if (rest := results.get("flip-async without all")) is not None:
        beyond = (rest.ratio - 1) * raw_us
        out += [
            "",
            f"Raw aiohttp: {raw_us:.1f} µs per request. Without all three pieces, flip-async (the call layers and the "
            f"transport over its own session) costs {abs(beyond):.1f} µs {'more' if beyond >= 0 else 'less'} than "
            "raw aiohttp's default session.",
        ]
    return [*out, ""]


def _processes(runs: Sequence[dict[str, Any]]) -> list[str]:
    first = runs[0]
    share = [run["share_429"] for run in runs]
    achieved = [run["achieved_over_rate"] for run in runs]
    return [
        "## 9. Several processes sharing one token",
        "",
        f"`python -m bench.multiprocess`: {first['processes']} `flip-async commission` processes at once (each "
        f"its own fleet file of {first['rows'] // first['processes']:,} rows, concurrency 32, default retries, "
        "pinned to CPU 0), sharing one client token, against `flip-async sandbox --rate-limit "
        f"{first['rate']:g}` (pinned to CPU 1), which answers 429 with `Retry-After` past {first['rate']:g} "
        "requests a second. Nothing is shared between the processes but the token: each backs off on its own "
        "(AIMD at its 429s). The share of requests answered 429, the rate achieved (commission answers per "
        "second of the run, over the limit), and whether every row of every process ended `commissioned`.",
        "",
        "| run | rows | seconds | requests | answered 429 | achieved / limit | every row commissioned |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *(
            f"| {number} | {run['rows']:,} | {run['elapsed_s']:.1f} | {run['requests']:,} | "
            f"{run['answered_429']:,} ({run['share_429']:.1%}) | {run['achieved_over_rate']:.2f} | "
            f"{'yes' if run['all_commissioned'] else 'NO: ' + str(run['statuses'])} |"
            for number, run in enumerate(runs, 1)
        ),
        "",
        f"Median: {statistics.median(share):.1%} of requests answered 429, {statistics.median(achieved):.2f} of the "
        "limit used.",
        "",
    ]


def _stability(run: Run, results: dict[str, Any]) -> list[str]:
    summaries: dict[str, Summary] = {
        f"{DESCRIBED[subject]} at concurrency {concurrency}": summary
        for (subject, concurrency), summary in results.get("commission", {}).items()
    }
    summaries |= {f"commission_many against {name}": summary for name, summary in results.get("bulk", {}).items()}
    if "telemetry" in results:
        summaries["telemetry"] = results["telemetry"]
    if not summaries:
        return []
    out = ["## How stable these figures are", ""]
    spreads = {name: summary.group_spread for name, summary in summaries.items() if len(summary.group_medians) > 1}
    if spreads:
        widest = max(spreads, key=lambda name: spreads[name])
        out.append(
            f"- Across fresh process pairs: a ratio's per-process-pair medians differ by "
            f"{_percent(statistics.median(spreads.values()))} of the ratio for the median figure, and by at most "
            f"{_percent(spreads[widest])} ({widest})."
        )
    widths = {name: (summary.high - summary.low) / summary.ratio for name, summary in summaries.items()}
    out.append(
        f"- Single pairs: the range of a figure's pair ratios is {_percent(statistics.median(widths.values()))} of "
        "it for the median figure."
    )
    quiet, measured = sum(s.quiet for s in summaries.values()), sum(s.measured for s in summaries.values())
    waited, budget = run.quiet_wait
    out.append(
        f"- Outside load: {quiet} of {measured} pairs were quiet (≤ {OUTSIDE_LIMIT} CPUs busy outside the two "
        f"measured processes); the bench waited {waited:.0f} s (of a {budget:.0f} s budget) for quiet moments. "
        f"Median over all bursts: {statistics.median(s.outside_cpus for s in summaries.values()):.2f} CPUs of "
        f"outside load, {statistics.median(s.steal for s in summaries.values()):.2f} CPUs of steal, a 1-minute load "
        f"average of {statistics.median(s.load for s in summaries.values()):.2f}."
    )
    if loaded := [name for name, summary in summaries.items() if summary.under_load]:
        if len(loaded) == len(summaries):
            which = "every figure above"
        elif 2 * len(loaded) > len(summaries):
            which = "every figure above except " + ", ".join(name for name in summaries if name not in loaded)
        else:
            which = ", ".join(loaded)
        out.append(
            f"- Read off all pairs, quiet or not, for want of enough quiet ones (at least {MIN_QUIET_PAIRS}, and a "
            f"third of those measured): {which}."
        )
    if (twin := results.get("commission", {}).get(("aiohttp@twin", TARGET_CONCURRENCY))) is not None:
        out.append(
            f"- A/A: raw aiohttp against a second raw aiohttp process came out at {twin.ratio:.2f}{X} (pairs "
            f"{twin.low:.2f}{DASH}{twin.high:.2f}{X}, process pairs {_listed(twin.group_medians)}): a difference "
            "between two clients smaller than that is not a difference this run can show."
        )
    out += [
        "",
        "A change smaller than a figure's spread across process pairs, between two runs of the bench, is noise; "
        "the absolute µs columns move with the machine's speed far more than the ratios do.",
        "",
    ]
    return out


def _listed(values: Sequence[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _ratio_verdict(text: str, summary: Summary, most: float, note: str = "") -> str:
    return _range_verdict(text, (summary.ratio, summary.low, summary.high), most, note)


def _range_verdict(text: str, ratios: tuple[float, float, float], most: float, note: str = "") -> str:
    """`text` holds when the median ratio is at most `most`; clearly when every pair (or round) agrees."""
    ratio, low, high = ratios
    holds = ratio <= most
    how = "clearly" if (high <= most if holds else low > most) else "narrowly"
    notes = "; ".join(filter(None, (f"{low:.2f}{DASH}{high:.2f}{X}", how, note)))
    return _verdict(f"{text}: {ratio:.2f}{X} ({notes})", holds)


def _verdict(text: str, holds: bool) -> str:
    return f"- {'holds' if holds else '**DOES NOT HOLD**'}: {text}"


def _maybe(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _cpu_model() -> str:
    lscpu = shutil.which("lscpu")
    text = subprocess.run([lscpu], capture_output=True, text=True, check=False).stdout if lscpu else ""
    return next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Model name")), "?")


def _java_version() -> str:
    java = shutil.which("java")
    if java is None:
        return "no Java"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    return (done.stderr or done.stdout).splitlines()[0].strip() if (done.stderr or done.stdout) else "Java"


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
