"""What people type on the pricing page, turned into exact values (no floats, no I/O)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from roadside_console.domain.core.money import BASIS_POINTS
from roadside_console.domain.pricing.rules import format_multiplier

_MULTIPLIER = re.compile(r"^[x×]?\s*(\d{1,2})(?:\.(\d{1,4}))?$", re.IGNORECASE)
_WHOLE = re.compile(r"^\d{1,4}$")


def parse_multiplier(text: str) -> int | None:
    """Return basis points for "1.25", "×1.5", "x2"; None for anything else."""
    match = _MULTIPLIER.match(text.strip())
    if match is None:
        return None
    whole, fraction = match.groups()
    return int(whole) * BASIS_POINTS + int((fraction or "0").ljust(4, "0"))


def multiplier_text(bp: int) -> str:
    """Show basis points the way the multiplier field takes them: 12500 → "1.25"."""
    return format_multiplier(bp)


def parse_whole(text: str, *, low: int, high: int) -> int | None:
    """Return a whole number typed as digits within [low, high]; None otherwise."""
    cleaned = text.strip()
    if not _WHOLE.match(cleaned):
        return None
    value = int(cleaned)
    return value if low <= value <= high else None


def parse_local_datetime(text: str, tz: str) -> datetime | None:
    """Read a datetime-local value ("2026-01-14T20:00") on the tenant's clock; None if invalid."""
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if local.tzinfo is not None:
        return None
    return local.replace(tzinfo=ZoneInfo(tz))


def dollars_text(cents: int) -> str:
    """Show cents the way the price fields take them: 12500 → "125.00"."""
    dollars, rest = divmod(cents, 100)
    return f"{dollars}.{rest:02d}"


def hours_label(start_hour: int, end_hour: int) -> str:
    """Show a block's hours: (18, 6) → "18:00–06:00 (overnight)"."""
    label = f"{start_hour:02d}:00–{end_hour:02d}:00"
    return f"{label} (overnight)" if start_hour > end_hour else label
