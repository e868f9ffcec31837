"""What provider use cases return: small frozen records, never ORM rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LocationRecorded:
    """One location post: the current position always moves; a trail point at most every 5 s."""

    provider_id: uuid.UUID
    recorded_at: datetime
    stored: bool
    booking_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class AvailabilityView:
    """Whether the provider takes new offers now."""

    provider_id: uuid.UUID
    available: bool
    status: str


@dataclass(frozen=True, slots=True)
class LocationPurgeReport:
    """What the retention purge deleted; `next_provider_id` is where a chunked pass goes on."""

    deleted: int
    next_provider_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class OpenOfferRow:
    """A job offered to the provider, as much as they need to decide (not the exact address)."""

    offer_id: uuid.UUID
    booking_id: uuid.UUID
    reference: str
    service_name: str
    pickup_area: str
    distance_miles: float | None
    estimated_earnings_cents: int | None
    expires_at: datetime
    towing_miles: int | None = None


@dataclass(frozen=True, slots=True)
class JobRow:
    """One of the provider's jobs; the address and contact only while it is in progress."""

    booking_id: uuid.UUID
    reference: str
    status: str
    service_name: str
    pickup_area: str
    price_cents: int
    updated_at: datetime
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    lat: float | None = None
    lng: float | None = None
    next_statuses: tuple[str, ...] = field(default=())
