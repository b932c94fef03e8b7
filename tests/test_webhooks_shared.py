"""Webhook deduplication shared by receiver processes through a real Redis: each webhook id handled exactly once."""

from __future__ import annotations

import asyncio
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import aiohttp
import orjson
import pytest

from flip_async.webhooks import RedisSeenIds, signed_headers

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _receiver(port: int, redis_url: str, handled: Path) -> subprocess.Popen[bytes]:
    script = textwrap.dedent(f"""
        import asyncio
        from aiohttp import web
        from flip_async.webhooks import webhook_app

        handled = open({str(handled)!r}, "a", buffering=1)

        async def on_event(event):
            await asyncio.sleep(0.001)
            handled.write(event.webhook_id + "\\n")

        web.run_app(webhook_app({SECRET!r}, on_event, dedup={redis_url!r}), host="127.0.0.1", port={port},
                    print=None, handle_signals=True)
    """)
    return subprocess.Popen([sys.executable, "-c", script])


async def _wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


async def test_two_receivers_sharing_redis_hand_each_webhook_id_to_on_event_once(
    tmp_path: Path, redis_url: str
) -> None:
    ports = [_free_port(), _free_port()]
    files = [tmp_path / "handled-0.txt", tmp_path / "handled-1.txt"]
    receivers = [_receiver(port, redis_url, path) for port, path in zip(ports, files, strict=True)]
    try:
        await asyncio.gather(*(_wait_until_listening(port) for port in ports))
        rng = random.Random(15)  # noqa: S311 - seeded test data, so a failure reproduces
        unique = [f"msg_{number:04d}" for number in range(600)]
        deliveries = unique + [rng.choice(unique) for _ in range(400)]  # 400 re-deliveries, some at once
        rng.shuffle(deliveries)
        timestamp = int(time.time())
        body = orjson.dumps({"event_type": "command.created", "event_object": {"object_type": "command"}})
        statuses: Counter[int] = Counter()
        async with aiohttp.ClientSession() as http:

            async def deliver(webhook_id: str) -> None:
                port = rng.choice(ports)
                headers = {**signed_headers(SECRET, body, webhook_id=webhook_id, timestamp=timestamp)}
                async with http.post(f"http://127.0.0.1:{port}/webhooks/flip", data=body, headers=headers) as answer:
                    statuses[answer.status] += 1

            for start in range(0, len(deliveries), 50):  # bursts of 50 deliveries at once
                await asyncio.gather(*(deliver(webhook_id) for webhook_id in deliveries[start : start + 50]))
        assert statuses == {204: 1000}
    finally:
        for receiver in receivers:
            receiver.send_signal(signal.SIGINT)  # the app's cleanup drains its on_event calls
        for receiver in receivers:
            receiver.wait(timeout=30)
    handled = Counter(line for path in files if path.exists() for line in path.read_text().split())
    assert set(handled) == set(unique)
    assert set(handled.values()) == {1}  # each id once, across both processes
    assert all(path.exists() and path.read_text() for path in files)  # both took part


async def test_the_redis_store_is_atomic_and_forgets_after_its_ttl(redis_url: str) -> None:
    store = RedisSeenIds(redis_url)
    try:
        results = await asyncio.gather(*(store.contains_or_add("msg_x", 0.2) for _ in range(20)))
        assert results.count(False) == 1  # of twenty at once, exactly one counts as new
        await asyncio.sleep(0.3)
        assert await store.contains_or_add("msg_x", 0.2) is False
    finally:
        await store.aclose()
    assert redis_url not in repr(store)  # a URL may carry a password


def test_a_dedup_that_is_no_store_or_redis_url_is_refused() -> None:
    from flip_async.webhooks import WebhookReceiver

    with pytest.raises(ValueError, match="redis://"):
        WebhookReceiver(SECRET, lambda event: asyncio.sleep(0), dedup="memcached://x")  # type: ignore[arg-type,return-value]
