"""Turning what people type into values, and values into what people read (no I/O, no state)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

_DOLLARS = re.compile(r"^\$?\s*(\d{1,7})(?:\.(\d{1,2}))?$")

EVENT_TITLES: dict[str, str] = {
    "booking_created": "Booking created",
    "status_changed": "Status changed",
    "offer_made": "Offered to a provider",
    "offer_accepted": "Provider accepted",
    "offer_rejected": "Provider declined",
    "offer_expired": "Offer expired",
    "provider_assigned": "Assigned by a dispatcher",
    "provider_unassigned": "Taken back from the provider",
    "manual_dispatch_needed": "Needs manual dispatch",
    "price_overridden": "Price changed by staff",
    "note_added": "Note",
    "rescheduled": "Rescheduled",
}


def parse_dollars(text: str) -> int | None:
    """Return cents for "125", "125.5", "$125.50"; None for anything else (or nothing)."""
    cleaned = text.strip().replace(",", "")
    match = _DOLLARS.match(cleaned)
    if match is None:
        return None
    dollars, cents = match.groups()
    return int(dollars) * 100 + int((cents or "0").ljust(2, "0"))


def parse_coordinate(text: str, *, limit: float) -> float | None:
    """Return a latitude/longitude within ±limit, or None if it is not one."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


def local_time(at: datetime | None, tz: str, fmt: str = "%b %d, %-I:%M %p") -> str:
    """Show an instant on the tenant's wall clock ("" for none)."""
    if at is None:
        return ""
    return at.astimezone(ZoneInfo(tz)).strftime(fmt)


def status_label(status: str | None) -> str:
    """Human form of a status value ("in_progress" → "In progress")."""
    return (status or "").replace("_", " ").capitalize()


def event_title(kind: str, from_status: str | None, to_status: str | None) -> str:
    """Say what a booking event was, e.g. "Status changed: Pending → Confirmed"."""
    title = EVENT_TITLES.get(kind, status_label(kind))
    if kind == "status_changed" and to_status:
        return f"{status_label(from_status)} → {status_label(to_status)}"
    return title


def vehicle_label(vehicle: dict[str, object]) -> str:
    """Describe a vehicle, e.g. "2019 Honda Civic (Blue) · plate ABC123"."""
    parts = [str(vehicle[k]) for k in ("year", "make", "model") if vehicle.get(k)]
    label = " ".join(parts)
    if vehicle.get("color"):
        label = f"{label} ({vehicle['color']})" if label else str(vehicle["color"])
    if vehicle.get("plate"):
        label = f"{label} · plate {vehicle['plate']}" if label else f"Plate {vehicle['plate']}"
    return label


def duration_text(seconds: int) -> str:
    """Say how long something lasted: "40 s", "12 min", "3 h", "2 d" (never negative)."""
    seconds = max(0, seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"
