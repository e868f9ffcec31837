"""What people type on the provider pages, turned into exact values (no floats, no I/O)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from roadside_console.domain.providers.models import CommissionType
from roadside_console.ui.components.formatting import parse_dollars

_PERCENT = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?\s*%?$")


def parse_percent(text: str) -> int | None:
    """Return basis points for "70", "72.5", "72.55 %" (0–100 %); None for anything else."""
    match = _PERCENT.match(text.strip())
    if match is None:
        return None
    whole, fraction = match.groups()
    bp = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    return bp if bp <= 10_000 else None


def percent_text(bp: int) -> str:
    """Show basis points the way the percentage field takes them: 7250 → "72.5"."""
    whole, rest = divmod(bp, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") if rest else str(whole)


def parse_date(text: str) -> date | None:
    """Read a date input's value ("2027-06-30"); None if it is not a date."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_specialties(text: str) -> list[str]:
    """Split "towing, lockout" into its entries (the domain cleans and checks them)."""
    return [part for part in (p.strip() for p in text.split(",")) if part]


def rating_text(rating: float | None, count: int) -> str:
    """Show a rating as "4.5 ★ (12)", or "No reviews" before the first."""
    return f"{rating:.1f} ★ ({count})" if rating is not None else "No reviews"


def commission_terms(kind: str, rate_text: str, fee_text: str) -> tuple[dict[str, Any], str]:
    """Read the commission form into `update_commission` terms, or say what to fix."""
    if kind == CommissionType.PERCENTAGE.value:
        rate = parse_percent(rate_text)
        if rate is None:
            return {}, "Enter the provider's share as a percentage, like 70 or 72.5."
        return {"commission_type": CommissionType.PERCENTAGE, "rate_bp": rate}, ""
    fee = parse_dollars(fee_text)
    if fee is None or fee <= 0:
        return {}, "Enter the flat fee per job in dollars, like 45 or 45.50."
    return {"commission_type": CommissionType.FLAT_PER_JOB, "flat_fee_cents": fee}, ""
