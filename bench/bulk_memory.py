"""One `commission_many` run in a fresh process: wall time, sites/s and the process's peak RSS.

    python -m bench.bulk_memory ROWS --base-url URL --token T [--concurrency 64]

Rows are wire mappings (the seed request with unique ids) made one at a time by a generator, so the input is never
held in memory; outcomes are counted and dropped. Prints one JSON object; `peak_rss_mib` is ru_maxrss, and
`rss_before_mib` the RSS after imports and client setup, before the first row.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import resource
import time
from collections.abc import Iterator
from typing import Any

import orjson

from bench._common import site_request
from flip_async import FlipClient


def rows(count: int, prefix: str) -> Iterator[dict[str, Any]]:
    for number in range(count):
        yield site_request(prefix, number)


async def run(count: int, base_url: str, token: str, *, concurrency: int, prefix: str) -> dict[str, Any]:
    statuses: collections.Counter[str] = collections.Counter()
    async with FlipClient(token, base_url=base_url, connection_limit=concurrency) as flip:
        rss_before = _peak_rss_mib()
        started = time.perf_counter()
        async for outcome in flip.commission_many(rows(count, prefix), concurrency=concurrency):
            statuses[outcome.status.value] += 1
        seconds = time.perf_counter() - started
    return {
        "rows": count,
        "concurrency": concurrency,
        "seconds": seconds,
        "sites_per_s": statuses["commissioned"] / seconds,
        "statuses": dict(statuses),
        "rss_before_mib": rss_before,
        "peak_rss_mib": _peak_rss_mib(),
    }


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--prefix", default="bulk")
    args = parser.parse_args()
    result = asyncio.run(run(args.rows, args.base_url, args.token, concurrency=args.concurrency, prefix=args.prefix))
    print(orjson.dumps(result).decode())


if __name__ == "__main__":
    main()
