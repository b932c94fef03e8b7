"""The `flip-async` command line: commission a fleet file, or serve the embedded sandbox."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs
import orjson

from flip_async import FlipClient, _environment
from flip_async._progress import RunReport
from flip_async._version import __version__
from flip_async.bulk import (
    STOPPED_EARLY,
    CommissionOutcome,
    Journal,
    JournalError,
    OutcomeStatus,
    RunStoppedError,
    check_row,
    shard_of,
    site_id_of,
)
from flip_async.errors import FlipError, RequestValidationError
from flip_async.rows import FORMATS, FileRow, FleetFileError, ReadPosition, count_rows, read_numbered_rows

if TYPE_CHECKING:
    # Imported where used: the sandbox is an extra (`pip install 'flip-async[sandbox]'`), the rest of the CLI is not.
    from flip_async.sandbox import Faults, Sandbox

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_STOPPED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
# A token file holds one token; anything much larger is the wrong file, and is not read whole.
_TOKEN_FILE_LIMIT = 64 * 1024


def main(argv: Sequence[str] | None = None) -> int:
    """Run `flip-async` on `argv` (default: sys.argv[1:]); its exit status (argparse exits on usage errors)."""
    parser = _parser()
    args = parser.parse_args(argv)
    _log_to_stderr(args.verbose)
    try:
        return int(args.run(args.command_parser, args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flip-async", description="Commission fleets into Flip, or run its sandbox.")
    parser.add_argument("--version", action="version", version=f"flip-async {__version__}")
    _add_verbose(parser, default=0)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    commission = commands.add_parser(
        "commission",
        help="commission every site in a fleet file",
        description="Commission every site in FILE (JSON Lines, a JSON array, or CSV with dotted column names such "
        "as site.id and devices.0.type). Exit status: 0 when every site ended commissioned, already commissioned "
        "or skipped; 1 when any failed or was invalid, or FILE holds no rows; 2 for a usage error; 3 when the run "
        "stopped early (Flip refused the token, or the API was unreachable); 130 when interrupted.",
    )
    _add_verbose(commission)
    commission.add_argument("file", type=Path, metavar="FILE")
    commission.add_argument("--format", choices=FORMATS, help="the file's format (default: from its extension)")
    commission.add_argument("--base-url", help="the API's base URL (default: FLIP_BASE_URL, else Flip's production)")
    tokens = commission.add_mutually_exclusive_group()
    tokens.add_argument(
        "--token",
        help="the client token (default: FLIP_API_TOKEN). A token on the command line is visible to other users "
        "in `ps`: prefer FLIP_API_TOKEN or --token-file",
    )
    tokens.add_argument(
        "--token-file", type=Path, metavar="PATH", help="read the client token from PATH (whitespace around it ignored)"
    )
    commission.add_argument("--concurrency", type=_positive_int, default=16, help="requests in flight (default 16)")
    commission.add_argument(
        "--rate-limit", type=_positive_float, help="at most this many requests per second (retries and checks too)"
    )
    commission.add_argument(
        "--rate-limit-store",
        metavar="URL",
        help="share --rate-limit with every run using this Redis (redis://host:port/db) and the same token: "
        "the replicas or shards of one fleet (needs the redis extra)",
    )
    commission.add_argument(
        "--timeout", type=_positive_float, help="seconds per attempt (default: FLIP_TIMEOUT, else 30)"
    )
    commission.add_argument(
        "--max-retries", type=_non_negative_int, help="retries per request (default: FLIP_MAX_RETRIES, else 2)"
    )
    commission.add_argument(
        "--journal",
        type=Path,
        help="JSON Lines journal: records each finished site; a rerun "
        "with the same journal skips the sites already done",
    )
    commission.add_argument(
        "--out", type=Path, help="write one JSON line per input row: row, site_id, status, error, attempts, elapsed"
    )
    commission.add_argument(
        "--resume-other-api",
        action="store_true",
        help="accept a --journal written against another API (normally refused: its done sites are not that API's)",
    )
    commission.add_argument("--ordered", action="store_true", help="report rows in input order")
    commission.add_argument(
        "--shard",
        type=_shard,
        metavar="I/N",
        help="commission only the rows of shard I of N (0-based, by a stable hash of the site id): N machines or "
        "pods, each with its own I and journal, split FILE between them with no coordination",
    )
    commission.add_argument(
        "--dry-run",
        action="store_true",
        help="read and validate every row offline (no token, no network) and report what a run would find invalid",
    )
    commission.add_argument(
        "--sandbox",
        action="store_true",
        help="commission against a fresh embedded sandbox started for this run (needs no token)",
    )
    _add_fault_options(commission, prefix="sandbox-")
    commission.set_defaults(run=_commission_command, command_parser=commission)

    report = commands.add_parser(
        "report",
        help="one summary of the --out files of several runs (the shards of a fleet, say)",
        description="Merge the --out files of runs (each shard's, say) into one summary: the rows by status, the "
        "first errors, and the exit status one run over them all would have had (0, 1 or 3).",
    )
    _add_verbose(report)
    report.add_argument("outs", type=Path, nargs="+", metavar="OUT", help="an --out file of flip-async commission")
    report.set_defaults(run=_report_command, command_parser=report)

    sandbox = commands.add_parser("sandbox", help="serve the embedded Flip sandbox until Ctrl-C")
    _add_verbose(sandbox)
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    sandbox.add_argument("--token", help="the client token it accepts (default: a random one, printed at start)")
    sandbox.add_argument(
        "--rate-limit",
        type=_positive_float,
        metavar="N",
        help="answer 429 with Retry-After past N requests a second, as a rate-limited API does",
    )
    sandbox.add_argument(
        "--webhook-url", help="post its signed webhooks to this URL (or set it later: PUT /_sandbox/webhooks)"
    )
    sandbox.add_argument("--webhook-secret", help="the whsec_ key that signs them (a test key: it shows in `ps`)")
    _add_fault_options(sandbox, prefix="")
    sandbox.set_defaults(run=_sandbox_command, command_parser=sandbox)
    return parser


def _add_verbose(parser: argparse.ArgumentParser, default: Any = argparse.SUPPRESS) -> None:
    """-v/-vv, before the subcommand or after it (a subcommand's count, when given, is the one that counts)."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="log retries (-v) or every request attempt (-vv) to stderr",
    )


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
    _refuse_shared_files(parser, args)
    if args.rate_limit_store is not None and args.rate_limit is None:
        parser.error("--rate-limit-store shares a --rate-limit: give the rate too")
    _environment_defaults(parser, args)
    token = None if args.sandbox or args.dry_run else _token(parser, args)
    if args.sandbox and not args.dry_run:
        _require_sandbox(parser, "commission --sandbox")
    try:
        total = count_rows(args.file, args.format)
        if total == 0:
            print(f"flip-async commission: {args.file}: no rows found, nothing to commission", file=sys.stderr)
            return EXIT_FAILURES
        if args.dry_run:
            return _dry_run(args, total)
        return asyncio.run(_commission(args, token, total))
    except asyncio.CancelledError:  # SIGTERM; Ctrl-C arrives as KeyboardInterrupt, handled in main()
        return EXIT_INTERRUPTED
    except FleetFileError as exc:  # the file as a whole (a CSV header naming a column twice, a UTF-16 file)
        parser.exit(EXIT_USAGE, f"flip-async commission: {args.file}: {exc}\n")
    except (OSError, JournalError) as exc:  # a file we cannot open, an unusable journal
        parser.exit(EXIT_USAGE, f"flip-async commission: {exc}\n")


def _refuse_shared_files(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """FILE, --journal and --out must be three files: --out truncates its file, and the journal grows its own."""
    named = [("FILE", args.file), ("--journal", args.journal), ("--out", args.out)]
    given = [(name, path) for name, path in named if path is not None]
    for (first_name, first), (second_name, second) in itertools.combinations(given, 2):
        if _same_file(first, second):
            parser.error(f"{first_name} and {second_name} are the same file ({second}): give each its own")


def _same_file(first: Path, second: Path) -> bool:
    """The same path once symlinks are resolved, or one file under two names (a hard link, a case-blind disk)."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet), so they are not one file
        return False


def _environment_defaults(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--timeout and --max-retries, when not given, from FLIP_TIMEOUT and FLIP_MAX_RETRIES as the client reads them."""
    try:
        if args.timeout is None:
            args.timeout = _environment.timeout()
        if args.max_retries is None:
            args.max_retries = _environment.max_retries()
    except ValueError as exc:
        parser.error(str(exc))


def _token(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    token = _read_token_file(parser, args.token_file) if args.token_file else args.token
    token = token or os.environ.get("FLIP_API_TOKEN")
    if not token:
        parser.error("no token: pass --token-file, set FLIP_API_TOKEN, or use --sandbox")
    return token


def _read_token_file(parser: argparse.ArgumentParser, path: Path) -> str:
    """The token in `path`. Complaints name the file, never what it holds."""
    try:
        with path.open("rb") as file:
            content = file.read(_TOKEN_FILE_LIMIT + 1)
    except OSError as exc:
        parser.error(f"--token-file {path}: cannot read it ({exc.strerror or type(exc).__name__})")
    if len(content) > _TOKEN_FILE_LIMIT:
        parser.error(f"--token-file {path}: larger than {_TOKEN_FILE_LIMIT} bytes, so not a token file")
    try:
        token = content.decode().strip()
    except UnicodeDecodeError:
        parser.error(f"--token-file {path}: not UTF-8 text")
    if not token:
        parser.error(f"--token-file {path}: the file is empty")
    if not token.isprintable() or any(character.isspace() for character in token):
        parser.error(f"--token-file {path}: holds more than the token (spaces or several lines)")
    return token


async def _commission(args: argparse.Namespace, token: str | None, total: int | None) -> int:
    position = ReadPosition()
    shard_total = None if args.shard else total  # a shard's rows are not counted first: progress follows the file
    report = RunReport(sys.stderr, shard_total, out=args.out, size=args.file.stat().st_size, position=position)
    # Where each row in flight stands in FILE (its index and line), for its outcome; an entry lives from read to
    # outcome only, so this holds no more than the run's window of rows.
    where: dict[int, tuple[int, int]] = {}

    def rows() -> Iterator[FileRow]:
        for index, (file_row, (line, row)) in enumerate(_shard_rows(args, position)):
            where[index] = (file_row, line)
            yield row

    interrupted = False
    stopped: list[str] = []  # why the run stopped early, when it did
    try:
        async with _client(args, token) as flip:
            with _journal(args, flip) as journal, _out_file(args.out) as out, report:

                def record(outcome: CommissionOutcome) -> None:
                    # Called for every finished row, including those that finish while Ctrl-C drains the run.
                    file_row, line = where.pop(outcome.row)
                    outcome = attrs.evolve(outcome, row=file_row)
                    report.add(outcome, line)
                    _write_out(out, outcome, line)
                    if isinstance(outcome.error, RunStoppedError) and not stopped:
                        stopped.append(outcome.error.reason)

                outcomes = flip.commission_many(
                    rows(),
                    concurrency=args.concurrency,
                    journal=journal,
                    ordered=args.ordered,
                    on_outcome=record,
                    on_drain=report.draining,
                )
                async with contextlib.aclosing(outcomes):
                    with _stop_on_signals():
                        async for _ in outcomes:
                            pass
    except asyncio.CancelledError:
        interrupted = True
        raise
    finally:
        report.summary(interrupted=interrupted)
    if stopped:
        print(f"flip-async commission: stopped early: {stopped[0]}", file=sys.stderr)
        return EXIT_STOPPED
    unfinished = (OutcomeStatus.INVALID, OutcomeStatus.FAILED, OutcomeStatus.UNCONFIRMED)
    return EXIT_FAILURES if any(report.counts[status] for status in unfinished) else EXIT_OK


def _shard_rows(
    args: argparse.Namespace, position: ReadPosition | None = None
) -> Iterator[tuple[int, tuple[int, FileRow]]]:
    """(index in FILE, (line, row)) of the rows this run commissions: all of them, or those of its --shard. A row
    without a site id belongs to shard 0, so that exactly one shard reports it."""
    numbered = enumerate(read_numbered_rows(args.file, args.format, position=position))
    if args.shard is None:
        yield from numbered
        return
    shard, shards = args.shard
    for file_row, (line, row) in numbered:
        site_id = site_id_of(row)
        if (0 if site_id is None else shard_of(site_id, shards)) == shard:
            yield file_row, (line, row)


def _dry_run(args: argparse.Namespace, total: int | None) -> int:
    """Read and validate every row as a run would, sending nothing; --out gets `invalid` or `valid` per row."""
    report = RunReport(sys.stderr, None if args.shard else total, out=args.out)
    valid = 0
    with _out_file(args.out) as out:
        for index, (line, row) in _shard_rows(args):
            try:
                check_row(row)
            except RequestValidationError as exc:
                invalid = CommissionOutcome(row=index, site_id=site_id_of(row), status=OutcomeStatus.INVALID, error=exc)
                report.add(invalid, line)
                _write_out(out, invalid, line)
                continue
            valid += 1
            if out is not None:
                out.write(orjson.dumps({"row": index, "line": line, "site_id": site_id_of(row), "status": "valid"}))
                out.write(b"\n")
    invalid_count = report.counts[OutcomeStatus.INVALID]
    report.console.print(f"{valid + invalid_count} rows read: {valid} valid, {invalid_count} invalid (nothing sent)")
    report.print_first_errors()
    return EXIT_FAILURES if invalid_count else EXIT_OK


def _journal(args: argparse.Namespace, flip: FlipClient) -> contextlib.AbstractContextManager[Journal | None]:
    """The run's journal, belonging to the API it sends to: `sandbox` for --sandbox runs, whose URL changes."""
    if args.journal is None:
        return contextlib.nullcontext()
    return Journal(
        args.journal, api="sandbox" if args.sandbox else flip.base_url, allow_other_api=args.resume_other_api
    )


@contextlib.asynccontextmanager
async def _client(args: argparse.Namespace, token: str | None) -> AsyncIterator[FlipClient]:
    """A client for the run: against a fresh in-process sandbox with --sandbox, else against the API."""
    options: dict[str, Any] = {
        "timeout": args.timeout,
        "max_retries": args.max_retries,
        "connection_limit": args.concurrency,
        "rate_limit": args.rate_limit,
        "rate_limit_store": args.rate_limit_store,
    }
    if not args.sandbox:
        async with FlipClient(token, base_url=args.base_url, **options) as flip:
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
def _stop_on_signals() -> Iterator[None]:
    """Ctrl-C or SIGTERM (a container stopping) stops the run: the requests in flight drain into the journal and
    --out first; a second one abandons them (each cancels the run's task once more)."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    assert task is not None
    for stop in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop, task.cancel)
    try:
        yield
    finally:
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(stop)


def _out_file(path: Path | None) -> contextlib.AbstractContextManager[IO[bytes] | None]:
    return path.open("wb") if path is not None else contextlib.nullcontext()


def _write_out(out: IO[bytes] | None, outcome: CommissionOutcome, line: int | None) -> None:
    if out is not None:
        record = outcome.to_record()
        out.write(orjson.dumps({"row": record["row"], "line": line, **record}) + b"\n")
        out.flush()  # like the journal: a crash loses no row already reported


def _sandbox_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    _require_sandbox(parser, "sandbox")
    from flip_async.sandbox import serve
    from flip_async.webhooks import signed_headers

    if (args.webhook_url is None) != (args.webhook_secret is None):
        parser.error("--webhook-url and --webhook-secret go together")
    if args.webhook_secret is not None:
        try:
            signed_headers(args.webhook_secret, b"")
        except ValueError as exc:  # its message never holds the secret
            parser.error(f"--webhook-secret: {exc}")

    def ready(sandbox: Sandbox) -> None:
        # The sandbox's own throwaway token, not a user secret: the user needs it to point a client here.
        print(
            f"Flip sandbox serving on {sandbox.base_url}\n  FLIP_BASE_URL={sandbox.base_url}\n"
            f"  FLIP_API_TOKEN={sandbox.token}\n"
            f"Control surface (same token): {sandbox.base_url}/_sandbox/\nCtrl-C to stop.",
            file=sys.stderr,
            flush=True,
        )

    serving = serve(
        args.host,
        args.port,
        token=args.token,
        faults=_faults(args, ""),
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        rate_limit=args.rate_limit,
        ready=ready,
    )
    try:
        asyncio.run(serving)
    except OSError as exc:
        parser.exit(EXIT_USAGE, f"flip-async sandbox: cannot serve on {args.host}:{args.port}: {exc.strerror}\n")
    except FlipError as exc:
        parser.exit(EXIT_USAGE, f"flip-async sandbox: {exc}\n")
    return EXIT_OK


def _report_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """One summary of several runs' --out files, exiting as one run over all their rows would have."""
    report = RunReport(sys.stderr, None, interactive=False)
    stopped: str | None = None  # why a run stopped early, if one did
    interrupted = False
    seen: dict[int, Path] = {}
    for path in args.outs:
        try:
            records = path.read_bytes().splitlines()
        except OSError as exc:
            parser.error(f"{path}: cannot read it ({exc.strerror or type(exc).__name__})")
        for number, line in enumerate(records, start=1):
            try:
                record = orjson.loads(line)
                outcome = CommissionOutcome(
                    row=record["row"],
                    site_id=record.get("site_id"),
                    status=OutcomeStatus(record["status"]),
                    error=None if record.get("error") is None else FlipError(record["error"]),
                    attempts=record.get("attempts", 0),
                )
            except (ValueError, KeyError, TypeError) as exc:
                parser.error(f"{path}: line {number} is not an --out record of flip-async commission ({exc})")
            if outcome.row in seen:
                parser.error(f"row {outcome.row} is in both {seen[outcome.row]} and {path}: one run's file twice?")
            seen[outcome.row] = path
            report.add(outcome, record.get("line"))
            if outcome.status is OutcomeStatus.NOT_SENT:
                why = str(outcome.error)
                if why.startswith(STOPPED_EARLY):
                    stopped = stopped or why.removeprefix(STOPPED_EARLY)
                else:
                    interrupted = True
    report.summary(interrupted=interrupted)
    if stopped is not None:
        print(f"flip-async report: a run stopped early: {stopped}", file=sys.stderr)
        return EXIT_STOPPED
    if interrupted:
        return EXIT_INTERRUPTED
    unfinished = (OutcomeStatus.INVALID, OutcomeStatus.FAILED, OutcomeStatus.UNCONFIRMED)
    return EXIT_FAILURES if any(report.counts[status] for status in unfinished) else EXIT_OK


def _shard(text: str) -> tuple[int, int]:
    """An argparse type: `I/N`, shard I (0-based) of N."""
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and int(count) >= 1 and int(index) < int(count)):
        raise argparse.ArgumentTypeError(f"expected I/N with 0 <= I < N (shard I of N, 0-based), got {text}")
    return int(index), int(count)


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
