"""What every benchmark shares: the workload, the sandbox in its own process, and small statistics helpers."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEED_REQUEST_BYTES = (FIXTURES / "seed_commission_request.json").read_bytes()
SEED_RESPONSE_BYTES = (FIXTURES / "seed_commission_response.json").read_bytes()
BIN = Path(sys.executable).parent


def site_request(prefix: str, number: int) -> dict[str, Any]:
    """The seed's commission request with a site id and device id unique to (`prefix`, `number`).

    Ids have a fixed width, so every request of a run has the same byte size. The sandbox answers a repeated site
    (or device) id with 409, so no two requests sent to one sandbox may share a prefix and number.
    """
    request: dict[str, Any] = orjson.loads(SEED_REQUEST_BYTES)  # a fresh copy, cheaper than deepcopy
    site_id = f"{prefix}-{number:07d}"
    request["site"]["id"] = site_id
    for index, device in enumerate(request["devices"]):
        device["id"] = f"{site_id}-d{index}"
        device["site_id"] = site_id
    return request


def pinned(cpu: int, command: Sequence[str]) -> list[str]:
    """`command` run on CPU `cpu` only (via taskset), where there are two CPUs or more and taskset exists.

    Client and sandbox each get a CPU of their own: left to the scheduler, a client and a server that wake each
    other up are often put on the same CPU (wake-affine), and the run then measures half a machine.
    """
    taskset = shutil.which("taskset")
    if taskset is None or len(os.sched_getaffinity(0)) < 2:
        return list(command)
    return [taskset, "-c", str(cpu), *command]


CLIENT_CPU, SERVER_CPU = 0, 1


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


@dataclasses.dataclass(frozen=True)
class Server:
    base_url: str
    token: str
    pid: int


def cpu_seconds_of(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux /proc); None where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of the line, counted after "pid (comm)" as 12 and 13 (1-based).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def sandbox_process() -> Iterator[Server]:
    """A fresh sandbox (faults off) in its own process on 127.0.0.1, on a free port.

    It is the `flip-async sandbox` command with `--port 0`, which binds a free port and prints the URL it serves.
    """
    token = f"bench-{secrets.token_urlsafe(16)}"
    command = pinned(SERVER_CPU, [str(BIN / "flip-async"), "sandbox", "--port", "0", "--token", token])
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        yield Server(_served_url(process), token, process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _served_url(process: subprocess.Popen[str]) -> str:
    stderr = process.stderr
    assert stderr is not None
    seen: list[str] = []
    for line in stderr:  # the CLI prints "Flip sandbox serving on http://127.0.0.1:<port>" once listening
        seen.append(line)
        if line.startswith("Flip sandbox serving on "):
            # Keep reading what it prints later, so a chatty server never blocks on a full pipe.
            threading.Thread(target=stderr.read, daemon=True).start()
            return line.removeprefix("Flip sandbox serving on ").strip()
    raise RuntimeError(f"the sandbox exited before serving: {''.join(seen)}")


def run_json(command: Sequence[str], *, timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a benchmark worker in its own process and return the JSON object it prints last on stdout."""
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = orjson.loads(done.stdout.strip().splitlines()[-1])
    return result
