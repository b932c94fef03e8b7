"""Resuming a bulk run over a long journal, in a fresh process: the time and memory it takes before the first request.

    python -m bench.resume JOURNAL --base-url URL --token T [--skipped N]
    python -m bench.resume --write-journal ROW_LINES --lines N

`--write-journal` writes the lines of N finished rows (`resume-0000000`, ... commissioned) in the format flip_async's
journal reads: one JSON object per line with `row`, `site_id`, `status`, `error`, `attempts`, `elapsed` and `at`.
`journal_for()` makes a journal of them for one API: a header line naming it, then those lines (a journal refuses a
run against another API; one from before headers is read all the same). A resume then calls
`flip.commission_many(rows, journal=JOURNAL)` and stops at its first outcome. Its rows are the first N journaled
sites (`--skipped N`: a rerun of the same input, every one skipped) followed by new sites; with `--skipped 0` (the
default) the first row is new, so what is measured is reading the journal.

Prints one JSON object: `seconds_to_first_request`, from the call to the moment the responder saw the first
`POST /v1/commission` (both read CLOCK_MONOTONIC, which all processes on one machine share); `rss_before_mib`, the
process's RSS just before the call; `peak_rss_delta_mib`, how far its peak RSS rose above that by the first outcome;
and `rss_after_mib`, its RSS then.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench._common import peak_rss_mib, reset_peak_rss, rss_mib, site_request
from flip_async import FlipClient

PREFIX = "resume"


def journal_for(api: str, row_lines: Path, path: Path) -> Path:
    """`path`: a journal of the API at `api` (its base URL) holding the rows of `row_lines`."""
    header = {"journal": "flip-async journal", "version": 2, "api": api, "created_at": "2025-06-01T12:00:00.000+00:00"}
    with path.open("wb") as journal, row_lines.open("rb") as rows:
        journal.write(orjson.dumps(header) + b"\n")
        shutil.copyfileobj(rows, journal, 2**20)
    return path


def write_journal(path: Path, lines: int) -> None:
    """The lines of `lines` commissioned rows, written in chunks (a million lines is about 150 MB)."""
    with path.open("wb") as journal:
        for start in range(0, lines, 10_000):
            journal.write(
                b"".join(
                    orjson.dumps(
                        {
                            "row": row,
                            "site_id": f"{PREFIX}-{row:07d}",
                            "status": "commissioned",
                            "error": None,
                            "attempts": 1,
                            "elapsed": 0.0123,
                            "at": "2025-06-01T12:00:00.000+00:00",
                        }
                    )
                    + b"\n"
                    for row in range(start, min(start + 10_000, lines))
                )
            )


def rows(skipped: int) -> Iterator[dict[str, Any]]:
    """The first `skipped` journaled sites, then new ones; made one at a time, as a reader of a file would."""
    for number in itertools.count():
        yield site_request(PREFIX if number < skipped else "new", number)


async def resume(journal: Path, base_url: str, token: str, skipped: int) -> dict[str, Any]:
    async with FlipClient(token, base_url=base_url) as flip:
        reset_peak_rss()
        rss_before = rss_mib()
        called = time.monotonic()
        outcomes = flip.commission_many(rows(skipped), journal=journal, concurrency=16)
        async for outcome in outcomes:
            if outcome.status != "skipped":
                break
        await outcomes.aclose()
        peak, rss_after = peak_rss_mib(), rss_mib()
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base_url}/_bench/stats") as response,
        ):
            stats = orjson.loads(await response.read())
    return {
        "skipped_rows": skipped,
        "seconds_to_first_request": stats["/v1/commission"]["first_at"] - called,
        "rss_before_mib": rss_before,
        "peak_rss_delta_mib": peak - rss_before,
        "rss_after_mib": rss_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("journal", type=Path, nargs="?")
    parser.add_argument("--write-journal", type=Path, help="write a synthetic journal here instead")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--base-url")
    parser.add_argument("--token")
    parser.add_argument("--skipped", type=int, default=0, help="how many journaled sites the input repeats first")
    args = parser.parse_args()
    if args.write_journal:
        write_journal(args.write_journal, args.lines)
        print(orjson.dumps({"journal": str(args.write_journal), "lines": args.lines}).decode())
        return
    if args.journal is None or not args.base_url or not args.token:
        parser.error("a resume needs JOURNAL, --base-url and --token")
    print(orjson.dumps(asyncio.run(resume(args.journal, args.base_url, args.token, args.skipped))).decode())


if __name__ == "__main__":
    main()
