"""Time as flip-async reads it: aware datetimes only, a date-time without an offset being UTC."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["aware", "utc_now"]


def aware(moment: datetime) -> datetime:
    """`moment` with UTC as its offset when it has none (Flip's examples write bare dates in date-time fields)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)
