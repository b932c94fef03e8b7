"""Interleaved comparisons: long-lived worker processes running short bursts in turn, A-B then B-A, over several
fresh process pairs, read as the ratio of each adjacent pair of bursts.

This machine's speed drifts by up to 2x from one minute to the next, and each process keeps a speed of its own
(memory layout, hash seed) for its lifetime. Two bursts run back to back see nearly the same machine, so the ratio of
an adjacent pair cancels the drift; alternating the order cancels what the first of a pair pays for the second;
fresh process pairs (each with its own fixed PYTHONHASHSEED) show how much one process's luck moves the figure.

Around every burst the controller also reads /proc/stat: the CPU time the whole machine spent beyond the burst's
client and server processes is outside load, and a pair during which either burst saw more than OUTSIDE_LIMIT of it
is set aside (counted, not used). Outside load here comes in spells of a few seconds (other sessions' test runs), so
before each pair the controller also waits, within a budget for the whole run, for the machine to be quiet.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import orjson

from bench._common import CLIENT_CPU, PYTHON, ROOT, Server, pinned, responder_process

# A figure is read off its quiet pairs when there are at least this many and this share of all; else off all of them
# (a median of two quiet pairs out of thirty says less than the median of the thirty).
MIN_QUIET_PAIRS = 2
MIN_QUIET_SHARE = 1 / 3
OUTSIDE_LIMIT = 0.15  # CPUs busy outside the measured processes, averaged over a burst
QUIET_SAMPLE = 0.2  # seconds of /proc/stat sampled before a pair
IDLE_LIMIT = 8.0  # seconds: a worker idle longer first runs a discarded burst (aiohttp drops connections idle 15 s)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclasses.dataclass(frozen=True)
class Burst:
    units: int
    seconds: float
    cpu_s: float
    server_cpu_s: float | None
    outside_cpus: float
    """Average CPUs busy outside this burst's client and server (other processes on the machine)."""
    steal: float
    """Average CPUs the hypervisor gave to other guests while this guest wanted them."""
    load: float
    """The 1-minute load average after the burst."""

    @property
    def cpu_us_per_unit(self) -> float:
        return self.cpu_s / self.units * 1e6

    @property
    def rate(self) -> float:
        return self.units / self.seconds


@dataclasses.dataclass(frozen=True)
class Pair:
    group: int
    subject: Burst
    baseline: Burst

    @property
    def ratio(self) -> float:
        return self.subject.cpu_us_per_unit / self.baseline.cpu_us_per_unit

    @property
    def quiet(self) -> bool:
        return max(self.subject.outside_cpus, self.baseline.outside_cpus) <= OUTSIDE_LIMIT


class Worker:
    """One `bench.worker` process, pinned to the client CPU, fed one burst command at a time."""

    def __init__(self, workload: str, server: Server, *, seed: int, peer_dir: Path | None, tree: Path = ROOT) -> None:
        """`tree`: the checkout whose bench.worker and flip_async the process runs (this one by default)."""
        self.workload = workload
        self._server = server
        command = [
            *(PYTHON, "-m", "bench.worker", workload, "--base-url", server.base_url, "--token", server.token),
            *("--server-pid", str(server.pid)),
            *(("--peer-dir", str(peer_dir)) if peer_dir else ()),
        ]
        # The worker's stderr, for the message when it fails; open for the worker's lifetime, closed by close().
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._process = subprocess.Popen(
            pinned(CLIENT_CPU, command),
            cwd=tree,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        )
        self._read()  # {"ready": true}
        self._last = time.monotonic()

    def burst(self, count: int, concurrency: int) -> Burst:
        if time.monotonic() - self._last > IDLE_LIMIT:
            self._measured(min(count, max(2 * concurrency, 100)), concurrency)
        return self._measured(count, concurrency)

    def _measured(self, count: int, concurrency: int) -> Burst:
        stat_before = _machine_ticks()
        self._write({"count": count, "concurrency": concurrency})
        answer = self._read()
        busy, steal = (after - before for after, before in zip(_machine_ticks(), stat_before, strict=True))
        self._last = time.monotonic()
        seconds = answer["seconds"]
        ours = answer["cpu_s"] + (answer["server_cpu_s"] or 0.0)
        return Burst(
            units=answer["units"],
            seconds=seconds,
            cpu_s=answer["cpu_s"],
            server_cpu_s=answer["server_cpu_s"],
            outside_cpus=max(0.0, busy / _CLOCK_TICKS - ours) / seconds,
            steal=steal / _CLOCK_TICKS / seconds,
            load=os.getloadavg()[0],
        )

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stderr.close()

    def _write(self, command: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(orjson.dumps(command) + b"\n")
        self._process.stdin.flush()

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        answer: dict[str, Any] = orjson.loads(line) if line else {"error": "the worker exited"}
        if "error" in answer:
            self._stderr.seek(0)
            log = self._stderr.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{self.workload}: {answer['error']}\n{answer.get('traceback', '')}{log}")
        return answer


class QuietWait:
    """Waits, before a pair, until the machine has been quiet for a moment; at most `budget` seconds in all."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.waited = 0.0

    def __call__(self) -> None:
        while self.waited < self.budget:
            before = _machine_ticks()[0]
            time.sleep(QUIET_SAMPLE)
            self.waited += QUIET_SAMPLE
            # Between bursts nothing of the bench runs: every busy tick is outside load.
            if (_machine_ticks()[0] - before) / _CLOCK_TICKS / QUIET_SAMPLE <= OUTSIDE_LIMIT:
                return


def _machine_ticks() -> tuple[int, int]:
    """(busy, steal) clock ticks of all CPUs together since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq, steal


@contextmanager
def workers(workloads: Sequence[str], *, seed: int, peer_dir: Path | None) -> Iterator[dict[str, Worker]]:
    """A fresh responder and one fresh worker per workload, all with PYTHONHASHSEED `seed`, keyed by workload."""
    with responder_process() as server, ExitStack() as stack:
        started: dict[str, Worker] = {}
        for workload in workloads:
            # "name@label" is a second process of the same workload (an A/A comparison shows the method's noise).
            worker = Worker(workload.partition("@")[0], server, seed=seed, peer_dir=peer_dir)
            stack.callback(worker.close)
            started[workload] = worker
        yield started


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Bursts of `subject` against bursts of `baseline`, `count` units each at `concurrency`."""

    subject: str
    baseline: str
    concurrency: int
    count: int
    pairs: int
    """Quiet adjacent pairs wanted per process pair (group); up to twice as many are run to get them."""


def calibrated_count(worker: Worker, concurrency: int, *, seconds: float, least: int, most: int) -> int:
    """A warm-up burst (opening connections, filling caches), and from its pace the count that takes `seconds`."""
    warm = worker.burst(least, concurrency)
    return max(least, min(most, round(seconds * warm.rate)))


def run_pairs(
    comparisons: Sequence[Comparison], pool: dict[str, Worker], group: int, quiet: QuietWait
) -> dict[Comparison, list[Pair]]:
    """Every comparison's pairs, interleaved (a pair of each in turn), until each has its quiet pairs or has run
    twice as many as it wanted."""
    measured: dict[Comparison, list[Pair]] = {comparison: [] for comparison in comparisons}

    def wanting(comparison: Comparison) -> bool:
        pairs = measured[comparison]
        return sum(pair.quiet for pair in pairs) < comparison.pairs and len(pairs) < 2 * comparison.pairs

    while pending := [comparison for comparison in comparisons if wanting(comparison)]:
        for comparison in pending:
            quiet()
            subject, baseline = pool[comparison.subject], pool[comparison.baseline]
            args = (comparison.count, comparison.concurrency)
            if len(measured[comparison]) % 2 == 0:
                first = subject.burst(*args)
                measured[comparison].append(Pair(group, first, baseline.burst(*args)))
            else:
                first = baseline.burst(*args)
                measured[comparison].append(Pair(group, subject.burst(*args), first))
    return measured


@dataclasses.dataclass(frozen=True)
class Summary:
    """What a comparison's pairs say, quiet pairs only."""

    ratio: float
    low: float
    high: float
    group_medians: tuple[float, ...]
    pairs: int
    """Pairs the figures are read off: the quiet ones, or all of them when too few were quiet."""
    quiet: int
    measured: int
    units: int
    """Units of work (requests, rows, points) per burst: the median over process pairs, which calibrate their own."""
    subject_us: float
    baseline_us: float
    subject_rate: float
    baseline_rate: float
    subject_server_us: float | None
    baseline_server_us: float | None
    outside_cpus: float
    """The median outside load over every burst, set-aside pairs included."""
    steal: float
    load: float

    @property
    def under_load(self) -> bool:
        """Read off pairs that saw outside load, for want of quiet ones."""
        return self.quiet < self.pairs

    @property
    def group_spread(self) -> float:
        """How far apart the process pairs' own medians are, relative to the overall median."""
        return (max(self.group_medians) - min(self.group_medians)) / self.ratio


def summarize(pairs: Sequence[Pair]) -> Summary:
    quiet = [pair for pair in pairs if pair.quiet]
    enough = len(quiet) >= min(MIN_QUIET_PAIRS, len(pairs)) and len(quiet) >= MIN_QUIET_SHARE * len(pairs)
    used = quiet if enough else list(pairs)
    groups = sorted({pair.group for pair in used})
    bursts = [burst for pair in pairs for burst in (pair.subject, pair.baseline)]
    return Summary(
        ratio=statistics.median(pair.ratio for pair in used),
        low=min(pair.ratio for pair in used),
        high=max(pair.ratio for pair in used),
        group_medians=tuple(statistics.median(p.ratio for p in used if p.group == group) for group in groups),
        pairs=len(used),
        quiet=len(quiet),
        measured=len(pairs),
        units=round(statistics.median(pair.subject.units for pair in used)),
        subject_us=statistics.median(pair.subject.cpu_us_per_unit for pair in used),
        baseline_us=statistics.median(pair.baseline.cpu_us_per_unit for pair in used),
        subject_rate=statistics.median(pair.subject.rate for pair in used),
        baseline_rate=statistics.median(pair.baseline.rate for pair in used),
        subject_server_us=_server_us([pair.subject for pair in used]),
        baseline_server_us=_server_us([pair.baseline for pair in used]),
        outside_cpus=statistics.median(burst.outside_cpus for burst in bursts),
        steal=statistics.median(burst.steal for burst in bursts),
        load=statistics.median(burst.load for burst in bursts),
    )


def _server_us(bursts: Sequence[Burst]) -> float | None:
    """The server's CPU µs per unit over all `bursts` together: /proc counts in 10 ms ticks, too coarse for one."""
    known = [burst for burst in bursts if burst.server_cpu_s is not None]
    if not known:
        return None
    return sum(burst.server_cpu_s or 0.0 for burst in known) / sum(burst.units for burst in known) * 1e6
