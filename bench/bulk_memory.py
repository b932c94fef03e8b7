"""One long `commission_many` run in a fresh process: its peak RSS as the rows go by, its pace and its CPU per row.

    python -m bench.bulk_memory ROWS --base-url URL --token T [--concurrency 64]

Rows are wire mappings (the seed request with unique ids) made one at a time by a generator, so the input is never
held in memory; outcomes are counted and dropped. Prints one JSON object: `rss_before_mib` (RSS after imports and
client setup, before the first row), `peak_rss_mib` after 10,000, 100,000 and 1,000,000 rows (those reached) and
at the end, the wall seconds, the rows per second and the client's CPU µs per row.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import time
from collections.abc import Iterator
from typing import Any

import orjson

from bench._common import own_cpu_seconds, peak_rss_mib, reset_peak_rss, rss_mib, site_request
from flip_async import FlipClient

CHECKPOINTS = (10_000, 100_000, 1_000_000)


def rows(count: int) -> Iterator[dict[str, Any]]:
    for number in range(count):
        yield site_request("bulk", number)


async def run(count: int, base_url: str, token: str, *, concurrency: int) -> dict[str, Any]:
    statuses: collections.Counter[str] = collections.Counter()
    peaks: dict[str, float] = {}
    async with FlipClient(token, base_url=base_url) as flip:
        reset_peak_rss()
        rss_before = rss_mib()
        cpu_before = own_cpu_seconds()
        started = time.perf_counter()
        async for outcome in flip.commission_many(rows(count), concurrency=concurrency):
            statuses[outcome.status.value] += 1
            if (done := statuses.total()) in CHECKPOINTS:
                peaks[str(done)] = peak_rss_mib()
        seconds = time.perf_counter() - started
        cpu = own_cpu_seconds() - cpu_before
    return {
        "rows": count,
        "concurrency": concurrency,
        "seconds": seconds,
        "rows_per_s": count / seconds,
        "cpu_us_per_row": cpu / count * 1e6,
        "statuses": dict(statuses),
        "rss_before_mib": rss_before,
        "peak_rss_mib": {**peaks, "end": peak_rss_mib()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    result = asyncio.run(run(args.rows, args.base_url, args.token, concurrency=args.concurrency))
    print(orjson.dumps(result).decode())


if __name__ == "__main__":
    main()
