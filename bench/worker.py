"""A long-lived benchmark process: one workload, set up once, running timed bursts on command.

    python -m bench.worker WORKLOAD --base-url URL --token T --server-pid PID [--peer-dir DIR]

It prints `{"ready": ...}` once its inputs are built and its client is open, then reads one command a line on stdin,
`{"count": N, "concurrency": C}`, and answers each with one JSON line: the units of work done, the burst's wall
seconds, this process's CPU seconds over it (getrusage), and the server's (its /proc entry), or `{"error": ...}`.
It exits at the end of its input. See bench/workloads.py for the workloads.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
import traceback
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import orjson

from bench._common import Server, cpu_seconds_of, own_cpu_seconds
from bench.workloads import WORKLOADS, Burst, open_workload


async def serve(workload: str, server: Server, peer_dir: Path | None) -> None:
    async with AsyncExitStack() as stack:
        started = time.perf_counter()
        burst = await open_workload(workload, stack, server, peer_dir)
        # The prebuilt inputs are not part of the measurement: keep them out of the garbage collector's passes too.
        gc.collect()
        gc.freeze()
        _answer({"ready": True, "setup_s": time.perf_counter() - started})
        # Blocking reads between bursts: nothing of the client runs while the controller measures another process.
        for line in sys.stdin:
            command = orjson.loads(line)
            try:
                _answer(await _timed(burst, server.pid, command["count"], command["concurrency"]))
            except Exception as exc:
                _answer({"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-3000:]})


async def _timed(burst: Burst, server_pid: int, count: int, concurrency: int) -> dict[str, Any]:
    server_before = cpu_seconds_of(server_pid)
    cpu_before = own_cpu_seconds()
    started = time.perf_counter()
    await burst(count, concurrency)
    seconds = time.perf_counter() - started
    cpu = own_cpu_seconds() - cpu_before
    server_after = cpu_seconds_of(server_pid)
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    return {"units": count, "seconds": seconds, "cpu_s": cpu, "server_cpu_s": server_cpu}


def _answer(document: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(document).decode() + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--server-pid", type=int, required=True, help="the responder's process id, for its CPU time")
    parser.add_argument("--peer-dir", type=Path, help="the folder holding the generated peers")
    args = parser.parse_args()
    asyncio.run(serve(args.workload, Server(args.base_url, args.token, args.server_pid), args.peer_dir))


if __name__ == "__main__":
    main()
