"""The retry policy: backoff with jitter, and the server's Retry-After in each of its spellings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flip_async._retry import RetryPolicy, retry_after_seconds


def test_retry_after_seconds_parses_an_http_date_against_now() -> None:
    now = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds({"Retry-After": "Sun, 01 Nov 2026 12:00:42 GMT"}, now=lambda: now) == 42.0
    assert retry_after_seconds({"Retry-After": "Sun, 01 Nov 2026 11:00:00 GMT"}, now=lambda: now) == 0.0
    assert retry_after_seconds({"Retry-After": "nan"}) is None
    assert retry_after_seconds({"retry-after-ms": "inf"}) is None


def test_backoff_is_exponential_capped_and_jittered_below_the_ceiling() -> None:
    exact = RetryPolicy(jitter=False)
    assert [exact.backoff(retry) for retry in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    jittered = RetryPolicy()
    assert jittered.backoff(3, rand=lambda: 0.5) == 1.0
    assert all(0.0 <= jittered.backoff(4) <= 4.0 for _ in range(200))
    assert RetryPolicy.immediate().delay(5, {"Retry-After": "30"}) == 0.0
    with pytest.raises(ValueError, match="max_delay"):
        RetryPolicy(max_delay=-1)
