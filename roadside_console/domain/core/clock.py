"""Time as an injectable dependency so rules can be replayed and tested at any instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """Return a clock frozen at `at` (for tests and replays)."""
    if at.tzinfo is None:
        raise ValueError("a fixed clock needs a timezone-aware datetime")
    return lambda: at
