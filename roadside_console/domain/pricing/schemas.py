"""Values the pricing use cases take from and hand back to the edges."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.pricing.rules import (
    STORM_PRIORITY_FLOOR,
    AppliedMultiplier,
    PriceLine,
)


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """What a customer (or a dispatcher on their behalf) wants priced.

    `scheduled_at` None means "now". `lat`/`lng` are optional for an estimate but checked when
    given. Referral credit is applied for customers who have some unless they opt out; it is
    never applied to bookings on a B2B account (the company pays, not the person).
    """

    service_id: uuid.UUID
    towing_miles: int | None = None
    scheduled_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    b2b_account_id: uuid.UUID | None = None
    use_referral_credit: bool = True


@dataclass(frozen=True, slots=True)
class QuoteView:
    """A stored estimate: the price a booking made with `id` before `expires_at` will pay."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    total_cents: int
    lines: tuple[PriceLine, ...]
    multipliers: tuple[AppliedMultiplier, ...]
    local_hour: int
    referral_credit_cents: int
    created_at: datetime
    expires_at: datetime

    def lines_as_dicts(self) -> list[dict[str, Any]]:
        """Return the lines in the JSON shape stored on quotes and bookings."""
        return [line.as_dict() for line in self.lines]


@dataclass(frozen=True, slots=True)
class TimeBlockInput:
    """The editable fields of a time block or storm template (priority ≥ 100)."""

    name: str
    start_hour: int
    end_hour: int
    multiplier_bp: int
    priority: int = 0
    active: bool = True


@dataclass(frozen=True, slots=True)
class TimeBlockView:
    """A time block as the pricing page lists it."""

    id: uuid.UUID
    name: str
    start_hour: int
    end_hour: int
    multiplier_bp: int
    priority: int
    active: bool
    is_storm: bool

    @classmethod
    def of(cls, block: TimeBlock) -> TimeBlockView:
        """Copy a row into a view."""
        return cls(
            id=block.id,
            name=block.name,
            start_hour=block.start_hour,
            end_hour=block.end_hour,
            multiplier_bp=block.multiplier_bp,
            priority=block.priority,
            active=block.active,
            is_storm=block.priority >= STORM_PRIORITY_FLOOR,
        )
