"""Pure dispatch rules: who may get a job, how far they are, and how they score.

No I/O: the queries hand in plain facts and `now`, so every decision can be replayed from its
log. The numbers are the product's (issue 3):

- eligible: active, available, fewer active jobs than `max_concurrent_jobs`, no licence or
  insurance whose latest expiry is before `today`, offering the service (its specialties list
  holds the service's category, e.g. "roadside", or its slug, e.g. "towing"), and within the
  search radius;
- position: the current GPS fix while it is fresher than `location_fresh_seconds`, else the home
  base; distance is great-circle miles (Earth radius 3958.8 mi); ETA = max(1, round(mi/35×60));
- score 0–100 = Σ weight × subscore / 10000 (weights in basis points), subscores:
  ETA 100 − min(ETA, 120)/120×100; rating average/5×100 (3.0 before the first review);
  specialty 100 when the provider lists the service's slug (a specialist), 50 when only its
  category; workload 100 − jobs/max_concurrent_jobs×100 (the product's "/3" is the default
  maximum); fairness clamp(100 − earnings/median×50, 0, 100) over the candidates' weekly
  earnings, 50 for everyone when the median is 0;
- ranking: score (rounded to 2 decimals) descending, then distance, then provider id.
"""

from __future__ import annotations

import math
import statistics
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.geo import EARTH_RADIUS_MILES, eta_minutes, great_circle_miles

WEIGHT_KEYS = ("eta", "rating", "specialty", "workload", "fairness")
WEIGHTS_TOTAL_BP = 10_000
ETA_CAP_MINUTES = 120
DEFAULT_RATING = 3.0
MAX_RATING = 5.0
SPECIALIST_MATCH = 100.0
CATEGORY_MATCH = 50.0
FAIRNESS_AT_MEDIAN_ZERO = 50.0
# Credentials that gate dispatch ("licence/insurance"); certifications are informational.
GATING_CREDENTIALS = frozenset({"drivers_licence", "insurance", "tow_operator_licence"})
MILES_PER_DEGREE_LAT = EARTH_RADIUS_MILES * math.pi / 180


# Score weights in basis points (sum 10 000): ETA first; B2B fleets care most about specialty.
DEFAULT_WEIGHTS: Mapping[str, int] = {
    "eta": 4000,
    "rating": 2000,
    "specialty": 2000,
    "workload": 1000,
    "fairness": 1000,
}
DEFAULT_B2B_WEIGHTS: Mapping[str, int] = {**DEFAULT_WEIGHTS, "eta": 2000, "specialty": 4000}


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    """A tenant's dispatch settings, validated."""

    radius_miles: int = 50
    expanded_radius_miles: int = 100
    offer_timeout_seconds: int = 60
    max_attempts: int = 3
    max_concurrent_jobs: int = 3
    location_fresh_seconds: int = 300
    weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    b2b_weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_B2B_WEIGHTS))

    def weights_for(self, *, is_b2b: bool) -> Mapping[str, int]:
        """Return the weights for a consumer or a B2B-account booking."""
        return self.b2b_weights if is_b2b else self.weights


_POSITIVE_FIELDS = {
    "radius_miles": "The dispatch radius",
    "expanded_radius_miles": "The expanded dispatch radius",
    "offer_timeout_seconds": "The offer timeout",
    "max_attempts": "The maximum number of dispatch attempts",
    "max_concurrent_jobs": "The maximum number of concurrent jobs",
    "location_fresh_seconds": "The location freshness window",
}


def validate_weights(weights: Mapping[str, Any], *, field_name: str) -> dict[str, int]:
    """Return the weights as a dict, or raise `ValidationFailed` naming the bad one.

    Every factor needs a positive whole number of basis points and they must sum to 10000: a
    zero weight would silently switch a factor off.
    """
    if set(weights) != set(WEIGHT_KEYS):
        raise ValidationFailed(
            "invalid_dispatch_weights",
            f"Give exactly these weights: {', '.join(WEIGHT_KEYS)}.",
            field=field_name,
        )
    clean: dict[str, int] = {}
    for key in WEIGHT_KEYS:
        value = weights[key]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValidationFailed(
                "invalid_dispatch_weight",
                f"The {key} weight must be a positive whole number of basis points.",
                field=f"{field_name}.{key}",
            )
        clean[key] = value
    total = sum(clean.values())
    if total != WEIGHTS_TOTAL_BP:
        raise ValidationFailed(
            "dispatch_weights_total",
            f"The weights must add up to {WEIGHTS_TOTAL_BP} basis points (100 %); they add up to "
            f"{total}.",
            field=field_name,
        )
    return clean


def validate_config(config: DispatchConfig) -> DispatchConfig:
    """Return `config` if every value is usable, else raise `ValidationFailed` with the field."""
    for name, label in _POSITIVE_FIELDS.items():
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValidationFailed(
                f"invalid_{name}",
                f"{label} must be a whole number greater than zero.",
                field=name,
            )
    if config.expanded_radius_miles < config.radius_miles:
        raise ValidationFailed(
            "invalid_expanded_radius_miles",
            "The expanded dispatch radius cannot be smaller than the dispatch radius.",
            field="expanded_radius_miles",
        )
    validate_weights(config.weights, field_name="weights")
    validate_weights(config.b2b_weights, field_name="b2b_weights")
    return config


@dataclass(frozen=True, slots=True)
class JobFacts:
    """What dispatch needs to know about the booking."""

    lat: float
    lng: float
    service_slug: str
    service_category: str
    is_b2b: bool = False


@dataclass(frozen=True, slots=True)
class ProviderFacts:
    """What dispatch needs to know about one provider (read by a query, or built in a test)."""

    provider_id: uuid.UUID
    name: str = ""
    is_active: bool = True
    is_available: bool = True
    active_jobs: int = 0
    specialties: tuple[str, ...] = ()
    rating_total: int = 0
    review_count: int = 0
    weekly_earnings_cents: int = 0
    current_lat: float | None = None
    current_lng: float | None = None
    location_updated_at: datetime | None = None
    home_lat: float | None = None
    home_lng: float | None = None
    # latest expiry per gating credential kind; the candidate query filters these in SQL instead
    credential_expiry: Mapping[str, date] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a provider is taken to be, and whether that is a live fix or the home base."""

    lat: float
    lng: float
    source: str  # "current" or "home"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An eligible provider with its distance and ETA, before scoring."""

    facts: ProviderFacts
    position: Position
    distance_miles: float
    eta_minutes: int


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """A candidate with its subscores and total score (0–100)."""

    candidate: Candidate
    subscores: Mapping[str, float]
    score: float
    rank: int

    @property
    def provider_id(self) -> uuid.UUID:
        """Return the provider's id."""
        return self.candidate.facts.provider_id

    def as_log(self) -> dict[str, Any]:
        """Return the JSON-ready record kept in the dispatch log."""
        c = self.candidate
        return {
            "rank": self.rank,
            "provider_id": str(c.facts.provider_id),
            "name": c.facts.name,
            "distance_miles": round(c.distance_miles, 2),
            "eta_minutes": c.eta_minutes,
            "location": c.position.source,
            "active_jobs": c.facts.active_jobs,
            "weekly_earnings_cents": c.facts.weekly_earnings_cents,
            "rating": round(average_rating(c.facts.rating_total, c.facts.review_count), 2),
            "subscores": {key: round(value, 2) for key, value in self.subscores.items()},
            "score": self.score,
        }


def position_of(facts: ProviderFacts, *, now: datetime, fresh_seconds: int) -> Position | None:
    """Return the live fix while it is fresh, else the home base, else None (no location)."""
    if (
        facts.current_lat is not None
        and facts.current_lng is not None
        and facts.location_updated_at is not None
        and facts.location_updated_at >= now - timedelta(seconds=fresh_seconds)
    ):
        return Position(facts.current_lat, facts.current_lng, "current")
    if facts.home_lat is not None and facts.home_lng is not None:
        return Position(facts.home_lat, facts.home_lng, "home")
    return None


def offers_service(specialties: Sequence[str], *, slug: str, category: str) -> bool:
    """Tell whether the provider lists the service's category or the service itself."""
    return category in specialties or slug in specialties


def ineligibility_reasons(
    facts: ProviderFacts,
    job: JobFacts,
    config: DispatchConfig,
    *,
    now: datetime,
    today: date,
    radius_miles: float,
) -> list[str]:
    """Return why the provider may not get this job (empty when eligible)."""
    reasons: list[str] = []
    if not facts.is_active:
        reasons.append("not an active provider")
    if not facts.is_available:
        reasons.append("not available")
    if facts.active_jobs >= config.max_concurrent_jobs:
        reasons.append(
            f"already has {facts.active_jobs} active jobs (limit {config.max_concurrent_jobs})"
        )
    for kind in sorted(facts.credential_expiry):
        expires_on = facts.credential_expiry[kind]
        if kind in GATING_CREDENTIALS and expires_on < today:
            reasons.append(f"{kind.replace('_', ' ')} expired on {expires_on.isoformat()}")
    if not offers_service(facts.specialties, slug=job.service_slug, category=job.service_category):
        reasons.append(f"does not offer {job.service_category} work")
    position = position_of(facts, now=now, fresh_seconds=config.location_fresh_seconds)
    if position is None:
        reasons.append("no known location")
    else:
        miles = great_circle_miles(position.lat, position.lng, job.lat, job.lng)
        if miles > radius_miles:
            reasons.append(f"{miles:.1f} mi away (limit {radius_miles:g} mi)")
    return reasons


def to_candidate(
    facts: ProviderFacts, job: JobFacts, *, now: datetime, fresh_seconds: int
) -> Candidate | None:
    """Measure distance and ETA from the provider's position; None without a location."""
    position = position_of(facts, now=now, fresh_seconds=fresh_seconds)
    if position is None:
        return None
    miles = great_circle_miles(position.lat, position.lng, job.lat, job.lng)
    return Candidate(facts, position, miles, eta_minutes(miles))


def eta_subscore(minutes: int) -> float:
    """Return 100 for an instant arrival, falling linearly to 0 at two hours."""
    return 100 - min(minutes, ETA_CAP_MINUTES) / ETA_CAP_MINUTES * 100


def average_rating(rating_total: int, review_count: int) -> float:
    """Return the mean stars, or the neutral default before the first review."""
    return rating_total / review_count if review_count else DEFAULT_RATING


def rating_subscore(rating_total: int, review_count: int) -> float:
    """Return the average rating on a 0–100 scale."""
    return average_rating(rating_total, review_count) / MAX_RATING * 100


def specialty_subscore(specialties: Sequence[str], *, slug: str, category: str) -> float:
    """Return 100 for a specialist in this exact service, 50 for its category, else 0."""
    if slug in specialties:
        return SPECIALIST_MATCH
    if category in specialties:
        return CATEGORY_MATCH
    return 0.0


def workload_subscore(active_jobs: int, max_concurrent_jobs: int) -> float:
    """Return 100 for an idle provider, falling to 0 at the concurrency limit."""
    return max(0.0, 100 - active_jobs / max_concurrent_jobs * 100)


def fairness_subscore(weekly_earnings_cents: int, median_cents: float) -> float:
    """Return more for providers who earned less than the candidates' median this week."""
    if median_cents <= 0:
        return FAIRNESS_AT_MEDIAN_ZERO
    return min(100.0, max(0.0, 100 - weekly_earnings_cents / median_cents * 50))


def score_candidates(
    candidates: Sequence[Candidate], job: JobFacts, config: DispatchConfig
) -> list[ScoredCandidate]:
    """Score every candidate and return them best first (ties: nearer, then lower id)."""
    if not candidates:
        return []
    weights = config.weights_for(is_b2b=job.is_b2b)
    median = statistics.median(c.facts.weekly_earnings_cents for c in candidates)
    unranked: list[tuple[float, Candidate, dict[str, float]]] = []
    for c in candidates:
        subscores = {
            "eta": eta_subscore(c.eta_minutes),
            "rating": rating_subscore(c.facts.rating_total, c.facts.review_count),
            "specialty": specialty_subscore(
                c.facts.specialties, slug=job.service_slug, category=job.service_category
            ),
            "workload": workload_subscore(c.facts.active_jobs, config.max_concurrent_jobs),
            "fairness": fairness_subscore(c.facts.weekly_earnings_cents, median),
        }
        total = sum(weights[key] * subscores[key] for key in WEIGHT_KEYS) / WEIGHTS_TOTAL_BP
        unranked.append((round(total, 2), c, subscores))
    unranked.sort(key=lambda item: (-item[0], item[1].distance_miles, item[1].facts.provider_id))
    return [
        ScoredCandidate(candidate=c, subscores=subscores, score=score, rank=rank)
        for rank, (score, c, subscores) in enumerate(unranked, start=1)
    ]


def bounding_box(lat: float, lng: float, radius_miles: float) -> tuple[float, float, float, float]:
    """Return (min_lat, max_lat, min_lng, max_lng) enclosing a circle of `radius_miles`.

    Slightly generous (1 %) so float error never cuts off a provider on the edge; the exact
    great-circle check happens afterwards.
    """
    dlat = radius_miles * 1.01 / MILES_PER_DEGREE_LAT
    widest = min(89.9, abs(lat) + dlat)
    dlng = min(180.0, radius_miles * 1.01 / (MILES_PER_DEGREE_LAT * math.cos(math.radians(widest))))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def decision_reason(
    ranked: Sequence[ScoredCandidate],
    *,
    attempt: int,
    radius_miles: int,
    expanded_from: int | None,
    winner: ScoredCandidate | None = None,
) -> str:
    """Explain an automatic choice in one sentence a dispatcher can read.

    `winner` is the top candidate unless better ones reached the job limit meanwhile.
    """
    best = winner or ranked[0]
    c = best.candidate
    area = (
        f"within {radius_miles} mi (expanded from {expanded_from} mi: nobody nearer)"
        if expanded_from is not None
        else f"within {radius_miles} mi"
    )
    text = (
        f"Attempt {attempt}: {c.facts.name or c.facts.provider_id} scored {best.score:.2f}, "
        f"best of {len(ranked)} eligible {'provider' if len(ranked) == 1 else 'providers'} {area}"
        f" ({c.distance_miles:.1f} mi, ETA {c.eta_minutes} min, {c.position.source} location)."
    )
    skipped = best.rank - 1
    if skipped:
        text += (
            f" {skipped} higher-ranked {'provider' if skipped == 1 else 'providers'} reached the "
            "job limit a moment ago."
        )
    if best.rank < len(ranked):
        runner = ranked[best.rank]
        text += f" Next: {runner.candidate.facts.name or runner.provider_id} at {runner.score:.2f}."
    return text[:500]
