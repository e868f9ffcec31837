"""What dispatch use cases take and return: small frozen records, never ORM rows."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class DispatchSettingsUpdate:
    """The dispatch settings to change; a field left as None keeps its value."""

    radius_miles: int | None = None
    expanded_radius_miles: int | None = None
    offer_timeout_seconds: int | None = None
    max_attempts: int | None = None
    max_concurrent_jobs: int | None = None
    location_fresh_seconds: int | None = None
    weights: Mapping[str, int] | None = None
    b2b_weights: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class DispatchSettingsView:
    """A tenant's dispatch settings as the settings page shows them."""

    radius_miles: int
    expanded_radius_miles: int
    offer_timeout_seconds: int
    max_attempts: int
    max_concurrent_jobs: int
    location_fresh_seconds: int
    weights: dict[str, int]
    b2b_weights: dict[str, int]


@dataclass(frozen=True, slots=True)
class DispatchOutcome:
    """What a dispatch run did: offered the job to a provider, or sent it to the manual queue."""

    booking_id: uuid.UUID
    offered: bool
    dispatch_log_id: uuid.UUID
    attempt: int
    reason: str
    provider_id: uuid.UUID | None = None
    offer_id: uuid.UUID | None = None
    expires_at: datetime | None = None
    needs_manual_dispatch: bool = False


@dataclass(frozen=True, slots=True)
class OfferResponse:
    """The result of a provider answering an offer (and, after a rejection, the next offer)."""

    offer_id: uuid.UUID
    booking_id: uuid.UUID
    status: str
    next_dispatch: DispatchOutcome | None = None


@dataclass(frozen=True, slots=True)
class ExpiryReport:
    """One sweep of expired offers; `has_more` asks the worker to sweep again at once."""

    expired: int
    returned_booking_ids: tuple[uuid.UUID, ...] = ()
    has_more: bool = False


@dataclass(frozen=True, slots=True)
class ExpiryRunReport:
    """The worker job: offers expired, then the bookings they freed re-dispatched."""

    expired: int
    redispatched: int
    sent_to_manual: int
    skipped: int
    has_more: bool = False


@dataclass(frozen=True, slots=True)
class ManualQueueRow:
    """A booking automatic dispatch gave up on, as the dispatcher's queue lists it."""

    booking_id: uuid.UUID
    reference: str
    service_name: str
    address: str
    contact_name: str
    attempts: int
    waiting_since: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class CandidateView:
    """One provider considered in a dispatch decision, with the numbers behind its score."""

    rank: int
    provider_id: str
    name: str
    distance_miles: float
    eta_minutes: int
    location: str
    active_jobs: int
    weekly_earnings_cents: int
    rating: float
    subscores: dict[str, float]
    score: float
    eligible: bool = True
    ineligible_reasons: tuple[str, ...] = ()

    @classmethod
    def from_log(cls, entry: Mapping[str, Any]) -> CandidateView:
        """Rebuild a candidate from its dispatch-log record."""
        return cls(
            rank=int(entry.get("rank", 0)),
            provider_id=str(entry["provider_id"]),
            name=str(entry.get("name", "")),
            distance_miles=float(entry.get("distance_miles", 0.0)),
            eta_minutes=int(entry.get("eta_minutes", 0)),
            location=str(entry.get("location", "")),
            active_jobs=int(entry.get("active_jobs", 0)),
            weekly_earnings_cents=int(entry.get("weekly_earnings_cents", 0)),
            rating=float(entry.get("rating", 0.0)),
            subscores=dict(entry.get("subscores", {})),
            score=float(entry.get("score", 0.0)),
            eligible=bool(entry.get("eligible", True)),
            ineligible_reasons=tuple(entry.get("ineligible_reasons", ())),
        )


@dataclass(frozen=True, slots=True)
class DispatchLogView:
    """One dispatch decision: who was considered, who got the offer, and why."""

    log_id: uuid.UUID
    created_at: datetime
    algorithm: str
    attempt: int
    provider_id: uuid.UUID | None
    provider_name: str
    actor_name: str
    reason: str
    eligibility_overridden: bool
    offer_status: str | None
    candidates: list[CandidateView] = field(default_factory=list)
