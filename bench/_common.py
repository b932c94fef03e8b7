"""What every benchmark shares: the workload, CPU pinning, CPU accounting, and the responder in its own process."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from flip_async import models

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEED_REQUEST_BYTES = (FIXTURES / "seed_commission_request.json").read_bytes()
SEED_RESPONSE_BYTES = (FIXTURES / "seed_commission_response.json").read_bytes()
BIN = Path(sys.executable).parent
PYTHON = str(BIN / "python")

# The seed's `install_date` is a bare date ("2022-02-22"), which pydantic's AwareDatetime (in both pydantic peers)
# refuses; every client sends the same instant spelled as a full date-time instead, so all send the same document.
INSTALL_DATE = "2022-02-22T00:00:00Z"


def site_request(prefix: str, number: int) -> dict[str, Any]:
    """The seed's commission request (a wire mapping) with a site id and device id unique to (`prefix`, `number`).

    Ids have a fixed width, so every request of a run has the same byte size.
    """
    request: dict[str, Any] = orjson.loads(SEED_REQUEST_BYTES)  # a fresh copy, cheaper than deepcopy
    site_id = f"{prefix}-{number:07d}"
    request["site"]["id"] = site_id
    for index, device in enumerate(request["devices"]):
        device["id"] = f"{site_id}-d{index}"
        device["site_id"] = site_id
        device["install_date"] = INSTALL_DATE
    return request


def commission_model(document: Mapping[str, Any]) -> models.CommissionRequest:
    """The `models.CommissionRequest` a user would build for `document` (one of `site_request`'s), by hand."""
    site = {**document["site"], "state_code": models.StateCode(document["site"]["state_code"])}
    return models.CommissionRequest(
        site=models.Site(**site),
        devices=[
            models.DeviceCreateIn(
                **{
                    **device,
                    "type": models.DeviceType(device["type"]),
                    "attributes": models.DeviceBatteryAttributes(**device["attributes"]),
                    "configuration": models.DeviceBatteryConfig(**device["configuration"]),
                    "install_date": datetime.fromisoformat(device["install_date"]),
                }
            )
            for device in document["devices"]
        ],
        can_auto_enroll=document["can_auto_enroll"],
    )


def telemetry_point(number: int) -> dict[str, Any]:
    """A battery data point as a fleet service reports it every 5 minutes: the interval, the device, and the 14
    readings Flip requires of a device that was online."""
    minutes = number % (60 * 24 * 28)
    return {
        "start_time": f"2025-06-{1 + minutes // 1440:02d}T{minutes // 60 % 24:02d}:{minutes % 60:02d}:00Z",
        "duration_s": 300.0,
        "device_id": f"dev-{number % 1000:07d}",
        "last_is_online": True,
        "last_mode": "SELF_CONSUMPTION",
        "battery_last_power_charge_w": 1250.5,
        "battery_last_power_discharge_w": 0.0,
        "battery_total_energy_charge_wh": 104.2,
        "battery_total_energy_discharge_wh": 0.0,
        "battery_last_stored_energy_wh": 9400.0,
        "battery_last_capacity_energy_wh": 15000.0,
        "battery_last_state_of_charge_percentage": 62.5,
        "battery_last_state_of_health_percentage": 98.0,
        "last_is_grid_online": True,
        "home_total_energy_wh": 310.0,
        "home_last_power_w": 820.0,
        "solar_total_energy_wh": 0.0,
        "solar_last_power_w": 0.0,
    }


CLIENT_CPU, SERVER_CPU = 0, 1


def pinned(cpu: int, command: Sequence[str]) -> list[str]:
    """`command` run on CPU `cpu` only (via taskset), where there are two CPUs or more and taskset exists.

    Client and server each get a CPU of their own: left to the scheduler, a client and a server that wake each
    other up are often put on the same CPU (wake-affine), and the run then measures half a machine.
    """
    taskset = shutil.which("taskset")
    if taskset is None or len(os.sched_getaffinity(0)) < 2:
        return list(command)
    return [taskset, "-c", str(cpu), *command]


def own_cpu_seconds() -> float:
    """User + system CPU seconds this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds_of(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux /proc); None where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of the line, counted after "pid (comm)" as 12 and 13 (1-based).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib() -> float:
    """This process's resident memory now, in MiB (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    """This process's peak resident memory (its high-water mark) in MiB: since it started, or since reset_peak_rss()."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def reset_peak_rss() -> None:
    """Lower the high-water mark to the current RSS (Linux 4.0+), so that a later peak is this part's own."""
    Path("/proc/self/clear_refs").write_text("5")


@dataclasses.dataclass(frozen=True)
class Server:
    base_url: str
    token: str
    pid: int


@contextlib.contextmanager
def responder_process() -> Iterator[Server]:
    """A fresh bench responder on 127.0.0.1 (a free port) in its own process, pinned to SERVER_CPU."""
    command = pinned(SERVER_CPU, [PYTHON, "-m", "bench.responder", "--port", "0"])
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        yield Server(_served_url(process), f"bench-{secrets.token_urlsafe(16)}", process.pid)
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
    for line in stderr:
        seen.append(line)
        if line.startswith("bench responder serving on "):
            # Keep reading what it prints later, so a chatty server never blocks on a full pipe.
            threading.Thread(target=stderr.read, daemon=True).start()
            return line.removeprefix("bench responder serving on ").strip()
    raise RuntimeError(f"the responder exited before serving: {''.join(seen)}")


def run_json(command: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None) -> dict[str, Any]:
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
