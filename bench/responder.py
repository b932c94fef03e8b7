"""The benchmarks' server: a minimal keep-alive HTTP/1.1 responder answering canned bodies, cheap enough to never be
the bottleneck.

    python -m bench.responder [--port 0]

It prints `bench responder serving on http://127.0.0.1:<port>` once listening, and serves until SIGINT or SIGTERM.
A raw `asyncio.Protocol` (no HTTP framework) costs about 15-20 µs of CPU per request, a small fraction of any client's,
so a client measured against it runs at its own pace. Answers, chosen by method and path:

- `POST /v1/commission`: the seed's commission response (tests/fixtures/seed_commission_response.json);
- `POST /v1/telemetry/BATTERY`: one `{"status":"OK","message":""}` per point of the batch;
- `GET /_bench/stats`: per path, the requests served, their body bytes, and the CLOCK_MONOTONIC time (seconds, the
  same clock as `time.monotonic()` in any process on this machine) at which the first one arrived;
- anything else: 404 with a JSON body naming what was asked for.

Request bodies must come with Content-Length (every client measured sends one); anything else is answered 501 and
the connection closed, so a client that streams its body fails loudly instead of being measured on a broken answer.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import signal
import sys
import time
from typing import Any

import orjson

from bench._common import SEED_RESPONSE_BYTES

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 413: "Payload Too Large", 501: "Not Implemented"}


def answer(status: int, body: bytes) -> bytes:
    """A whole HTTP/1.1 response with a JSON body."""
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


@functools.lru_cache(maxsize=64)
def telemetry_answer(points: int) -> bytes:
    return answer(200, orjson.dumps([{"status": "OK", "message": ""}] * points))


COMMISSION_ANSWER = answer(200, SEED_RESPONSE_BYTES)


class PathStats:
    __slots__ = ("body_bytes", "first_at", "requests")

    def __init__(self) -> None:
        self.requests = 0
        self.body_bytes = 0
        self.first_at = time.monotonic()


class Responder:
    """What every connection shares: the canned answers and the counters behind `/_bench/stats`."""

    def __init__(self) -> None:
        self.stats: dict[str, PathStats] = {}

    def respond(self, method: bytes, target: bytes, body: bytes) -> bytes:
        path = target.partition(b"?")[0].decode("latin-1")
        if path == "/_bench/stats":
            return answer(200, orjson.dumps({name: _stats_document(stats) for name, stats in self.stats.items()}))
        stats = self.stats.get(path)
        if stats is None:
            stats = self.stats[path] = PathStats()
        stats.requests += 1
        stats.body_bytes += len(body)
        if method == b"POST" and path == "/v1/commission":
            return COMMISSION_ANSWER
        if method == b"POST" and path == "/v1/telemetry/BATTERY":
            try:
                points = orjson.loads(body)["telemetry"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                return answer(400, b'{"detail":"expected a JSON object with a telemetry list"}')
            return telemetry_answer(len(points))
        return answer(404, orjson.dumps({"detail": f"no canned answer for {method.decode('latin-1')} {path}"}))


def _stats_document(stats: PathStats) -> dict[str, Any]:
    return {"requests": stats.requests, "body_bytes": stats.body_bytes, "first_at": stats.first_at}


class Connection(asyncio.Protocol):
    """One keep-alive connection: each complete request in the buffer is answered in order, pipelined ones too."""

    def __init__(self, responder: Responder) -> None:
        self._responder = responder
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None and self._answer_next():
            pass

    def _answer_next(self) -> bool:
        """Answer the next request if the buffer holds all of it, and remove it; False when there is none yet."""
        buffer = self._buffer
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            if len(buffer) > MAX_HEAD_BYTES:
                self._fail(413, "request head too large")
            return False
        request_line, _, headers = bytes(buffer[:head_end]).partition(b"\r\n")
        parts = request_line.split(b" ")
        length, chunked, close = _framing(headers.lower())
        if len(parts) != 3:
            self._fail(400, "malformed request line")
            return False
        if chunked:
            self._fail(501, "chunked request bodies are not supported: send Content-Length")
            return False
        if length is None or length > MAX_BODY_BYTES:
            self._fail(400, "missing or bad Content-Length")
            return False
        end = head_end + 4 + length
        if len(buffer) < end:
            return False
        body = bytes(buffer[head_end + 4 : end])
        del buffer[:end]
        assert self._transport is not None
        self._transport.write(self._responder.respond(parts[0], parts[1], body))
        if close:
            self._transport.close()
            self._transport = None
            return False
        return True

    def _fail(self, status: int, detail: str) -> None:
        assert self._transport is not None
        self._transport.write(answer(status, orjson.dumps({"detail": detail})))
        self._transport.close()
        self._transport = None
        self._buffer.clear()


def _framing(headers: bytes) -> tuple[int | None, bool, bool]:
    """(Content-Length, whether the body is chunked, whether the client asked to close) from lowercased headers.

    A request without a body (a GET) has no Content-Length: its length is 0.
    """
    length: int | None = 0
    chunked = close = False
    for line in headers.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name == b"content-length":
            value = value.strip()
            length = int(value) if value.isdigit() else None
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
        elif name == b"connection":
            close = b"close" in value
    return length, chunked, close


async def serve(port: int) -> None:
    responder = Responder()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(responder), "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    host, bound = server.sockets[0].getsockname()[:2]
    print(f"bench responder serving on http://{host}:{bound}", file=sys.stderr, flush=True)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="0 (the default) binds a free port")
    args = parser.parse_args()
    asyncio.run(serve(args.port))


if __name__ == "__main__":
    main()
