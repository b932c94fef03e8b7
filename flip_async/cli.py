"""The `flip-async` command line: commission a fleet file, or serve the embedded sandbox."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from flip_async import FlipClient
from flip_async._progress import RunReport
from flip_async.bulk import CommissionOutcome, OutcomeStatus
from flip_async.errors import FlipError
from flip_async.rows import FORMATS, count_rows, read_rows

if TYPE_CHECKING:
    # Imported where used: the sandbox is an extra (`pip install 'flip-async[sandbox]'`), the rest of the CLI is not.
    from flip_async.sandbox import Faults, Sandbox

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _log_to_stderr(args.verbose)
    try:
        return int(args.run(parser, args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flip-async", description="Commission fleets into Flip, or run its sandbox.")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log retries (-v) or every request attempt (-vv) to stderr"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    commission = commands.add_parser(
        "commission",
        help="commission every site in a fleet file",
        description="Commission every site in FILE (JSON Lines, a JSON array, or CSV with dotted column names such "
        "as site.id and devices.0.type). Exit status: 0 when every site ended commissioned, already commissioned "
        "or skipped; 1 when any failed or was invalid; 2 for a usage error; 130 when interrupted.",
    )
    commission.add_argument("file", type=Path, metavar="FILE")
    commission.add_argument("--format", choices=FORMATS, help="the file's format (default: from its extension)")
    commission.add_argument("--base-url", help="the API's base URL (default: FLIP_BASE_URL, else Flip's production)")
    commission.add_argument("--token", help="the client token (default: FLIP_API_TOKEN)")
    commission.add_argument("--concurrency", type=_positive_int, default=16, help="requests in flight (default 16)")
    commission.add_argument("--rate-limit", type=_positive_float, help="at most this many new requests per second")
    commission.add_argument("--timeout", type=_positive_float, default=30.0, help="seconds per attempt (default 30)")
    commission.add_argument("--max-retries", type=_non_negative_int, default=2, help="retries per request (default 2)")
    commission.add_argument(
        "--journal",
        type=Path,
        help="JSON Lines journal: records each finished site; a rerun "
        "with the same journal skips the sites already done",
    )
    commission.add_argument(
        "--out", type=Path, help="write one JSON line per input row: row, site_id, status, error, attempts, elapsed"
    )
    commission.add_argument("--ordered", action="store_true", help="report rows in input order")
    commission.add_argument(
        "--sandbox",
        action="store_true",
        help="commission against a fresh embedded sandbox started for this run (needs no token)",
    )
    _add_fault_options(commission, prefix="sandbox-")
    commission.set_defaults(run=_commission_command)

    sandbox = commands.add_parser("sandbox", help="serve the embedded Flip sandbox until Ctrl-C")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    sandbox.add_argument("--token", help="the client token it accepts (default: a random one, printed at start)")
    _add_fault_options(sandbox, prefix="")
    sandbox.set_defaults(run=_sandbox_command)
    return parser


def _add_fault_options(parser: argparse.ArgumentParser, *, prefix: str) -> None:
    faults = parser.add_argument_group("sandbox faults" if prefix else "faults", "seeded, per request")
    faults.add_argument(f"--{prefix}error-rate", type=_probability, default=0.0, help="probability of a 500/502/503")
    faults.add_argument(
        f"--{prefix}rate-limit-rate", type=_probability, default=0.0, help="probability of a 429 with Retry-After"
    )
    faults.add_argument(
        f"--{prefix}retry-after",
        type=_non_negative_float,
        default=1.0,
        help="the Retry-After of those 429s, in seconds (default 1)",
    )
    faults.add_argument(f"--{prefix}latency", type=_non_negative_float, default=0.0, help="added seconds per request")
    faults.add_argument(
        f"--{prefix}drop-rate",
        type=_probability,
        default=0.0,
        help="probability of dropping the connection before doing any work",
    )
    faults.add_argument(
        f"--{prefix}lost-response-rate",
        type=_probability,
        default=0.0,
        help="probability of doing the work, then dropping the connection before answering",
    )
    faults.add_argument(f"--{prefix}seed", type=int, default=0, help="seed for the fault dice (default 0)")


def _log_to_stderr(verbosity: int) -> None:
    """Retries are expected in a fleet run and are counted in the summary; their log lines are opt-in."""
    level = logging.DEBUG if verbosity >= 2 else logging.WARNING if verbosity == 1 else logging.ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("flip_async")
    logger.addHandler(handler)
    logger.setLevel(level)


def _require_sandbox(parser: argparse.ArgumentParser, command: str) -> None:
    """Exit 2 saying how to install the sandbox extra when it is missing, rather than with a traceback later."""
    try:
        import flip_async.sandbox  # noqa: F401
    except ImportError as exc:
        parser.exit(EXIT_USAGE, f"flip-async {command}: {exc}\n")


def _faults(args: argparse.Namespace, prefix: str) -> Faults:
    from flip_async.sandbox import Faults

    option = vars(args)
    name = prefix.replace("-", "_")
    return Faults(
        error_rate=option[f"{name}error_rate"],
        rate_limit_rate=option[f"{name}rate_limit_rate"],
        retry_after=option[f"{name}retry_after"],
        latency=option[f"{name}latency"],
        drop_rate=option[f"{name}drop_rate"],
        lost_response_rate=option[f"{name}lost_response_rate"],
        seed=option[f"{name}seed"],
    )


def _commission_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if not args.file.is_file():
        parser.error(f"{args.file}: no such file")
    if not args.sandbox and not (args.token or os.environ.get("FLIP_API_TOKEN")):
        parser.error("no token: pass --token, set FLIP_API_TOKEN, or use --sandbox")
    if args.sandbox:
        _require_sandbox(parser, "commission --sandbox")
    try:
        return asyncio.run(_commission(args))
    except asyncio.CancelledError:  # SIGTERM; Ctrl-C arrives as KeyboardInterrupt, handled in main()
        return EXIT_INTERRUPTED
    except (UnicodeDecodeError, OSError) as exc:  # the input file unreadable as UTF-8, or a file we cannot open
        parser.exit(EXIT_USAGE, f"flip-async commission: {exc}\n")


async def _commission(args: argparse.Namespace) -> int:
    report = RunReport(sys.stderr, count_rows(args.file, args.format))
    interrupted = False
    try:
        async with _client(args) as flip:
            with _out_file(args.out) as out, report:

                def record(outcome: CommissionOutcome) -> None:
                    # Called for every finished row, including those that finish while Ctrl-C drains the run.
                    report.add(outcome)
                    _write_out(out, outcome)

                outcomes = flip.commission_many(
                    read_rows(args.file, args.format),
                    concurrency=args.concurrency,
                    journal=args.journal,
                    rate_limit=args.rate_limit,
                    ordered=args.ordered,
                    on_outcome=record,
                )
                async with contextlib.aclosing(outcomes):
                    with _cancel_on_sigterm():
                        async for _ in outcomes:
                            pass
    except asyncio.CancelledError:
        interrupted = True
        raise
    finally:
        report.summary(interrupted=interrupted)
    failed = report.counts[OutcomeStatus.INVALID] + report.counts[OutcomeStatus.FAILED]
    return EXIT_FAILURES if failed else EXIT_OK


@contextlib.asynccontextmanager
async def _client(args: argparse.Namespace) -> AsyncIterator[FlipClient]:
    """A client for the run: against a fresh in-process sandbox with --sandbox, else against the API."""
    options: dict[str, Any] = {
        "timeout": args.timeout,
        "max_retries": args.max_retries,
        "connection_limit": args.concurrency,
    }
    if not args.sandbox:
        async with FlipClient(args.token, base_url=args.base_url, **options) as flip:
            yield flip
        return
    from flip_async.sandbox import Sandbox

    async with (
        Sandbox(faults=_faults(args, "sandbox-")) as sandbox,
        FlipClient(sandbox.token, base_url=sandbox.base_url, **options) as flip,
    ):
        print(f"sandbox: {sandbox.base_url}", file=sys.stderr)
        yield flip


@contextlib.contextmanager
def _cancel_on_sigterm() -> Iterator[None]:
    """SIGTERM (a container stopping) ends the run like Ctrl-C: in-flight rows drain into the journal first."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    assert task is not None
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def _out_file(path: Path | None) -> contextlib.AbstractContextManager[IO[bytes] | None]:
    return path.open("wb") if path is not None else contextlib.nullcontext()


def _write_out(out: IO[bytes] | None, outcome: CommissionOutcome) -> None:
    if out is not None:
        out.write(orjson.dumps(outcome.to_record()) + b"\n")


def _sandbox_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    _require_sandbox(parser, "sandbox")
    from flip_async.sandbox import serve

    def ready(sandbox: Sandbox) -> None:
        # The sandbox's own throwaway token, not a user secret: the user needs it to point a client here.
        print(
            f"Flip sandbox serving on {sandbox.base_url}\n  FLIP_BASE_URL={sandbox.base_url}\n"
            f"  FLIP_API_TOKEN={sandbox.token}\nCtrl-C to stop.",
            file=sys.stderr,
            flush=True,
        )

    try:
        asyncio.run(serve(args.host, args.port, token=args.token, faults=_faults(args, ""), ready=ready))
    except OSError as exc:
        parser.exit(EXIT_USAGE, f"flip-async sandbox: cannot serve on {args.host}:{args.port}: {exc.strerror}\n")
    except FlipError as exc:
        parser.exit(EXIT_USAGE, f"flip-async sandbox: {exc}\n")
    return EXIT_OK


def _ranged(kind: type[int] | type[float], low: float, high: float | None = None, *, above: bool = False) -> Any:
    """An argparse type: a number of `kind` that is >= low (> low with `above`) and <= high."""
    bound = f"> {low}" if above else f">= {low}" if high is None else f"between {low} and {high}"

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'an integer' if kind is int else 'a number'}, got {text}"
            ) from None
        if (value <= low if above else value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text}")
        return value

    return parse


_positive_int, _positive_float = _ranged(int, 0, above=True), _ranged(float, 0, above=True)
_non_negative_int, _non_negative_float = _ranged(int, 0), _ranged(float, 0)
_probability = _ranged(float, 0, 1)


if __name__ == "__main__":
    raise SystemExit(main())
