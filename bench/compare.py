"""Two checkouts' flip-async against each other in interleaved bursts: whether a change made the client cheaper.

    python -m bench.compare TREE_A TREE_B [--workload commission:flip-async] [--concurrency 64] [--runs 4]

Each tree is a checkout of this repository (`git worktree add /tmp/before <rev>`); each runs its own bench.worker
and its own flip_async (a worker imports from the tree it runs in), against one bench responder, in adjacent pairs of
bursts as `make bench` pairs clients, over `--runs` fresh process pairs (PYTHONHASHSEED 1, 2, ...; which tree's
process starts first alternates). Prints each run's median ratio of A's CPU per unit to B's and the median over all
pairs with its range.

Both trees run with this checkout's interpreter and installed dependencies (a worker's working directory comes
before the editable install on its `sys.path`, so it imports its own tree's flip_async), and the workload must exist
in both trees' bench/workloads.py.

Run an A/A first (the same revision in two trees made the same way): on the machine this was written on, identical
code ran about 10% slower from the main checkout than from a worktree in /tmp, so compare two worktrees, not the
checkout against one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench._common import responder_process
from bench.interleave import Comparison, QuietWait, Worker, calibrated_count, run_pairs, summarize
from bench.workloads import WORKLOADS

QUIET_BUDGET = 30.0  # seconds of waiting for a quiet machine per run, at most


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree_a", type=Path)
    parser.add_argument("tree_b", type=Path)
    parser.add_argument("--workload", default="commission:flip-async", choices=WORKLOADS)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=8, help="quiet pairs wanted per run")
    args = parser.parse_args()
    trees = {"a": args.tree_a.resolve(), "b": args.tree_b.resolve()}
    everything = []
    for run in range(args.runs):
        with responder_process() as server:
            order = ("a", "b") if run % 2 == 0 else ("b", "a")
            pool = {
                name: Worker(args.workload, server, seed=run + 1, peer_dir=None, tree=trees[name]) for name in order
            }
            try:
                count = calibrated_count(pool["a"], args.concurrency, seconds=0.6, least=256, most=50_000)
                pool["b"].burst(count, args.concurrency)  # its warm-up
                comparison = Comparison("a", "b", args.concurrency, count, args.pairs)
                pairs = run_pairs([comparison], pool, run, QuietWait(QUIET_BUDGET))[comparison]
            finally:
                for worker in pool.values():
                    worker.close()
        summary = summarize(pairs)
        everything += pairs
        print(
            f"run {run + 1}: A/B {summary.ratio:.3f} ({summary.low:.2f}-{summary.high:.2f}); "
            f"A {summary.subject_us:.1f}, B {summary.baseline_us:.1f} µs per unit",
            flush=True,
        )
    summary = summarize(everything)
    print(
        f"A/B {summary.ratio:.3f} ({summary.low:.2f}-{summary.high:.2f}) over {summary.pairs} pairs; "
        f"A {summary.subject_us:.1f}, B {summary.baseline_us:.1f} µs per unit; A is {trees['a']}, B is {trees['b']}"
    )


if __name__ == "__main__":
    main()
