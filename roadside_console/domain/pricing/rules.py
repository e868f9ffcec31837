"""Pricing rules: pure functions over plain values, no I/O, the clock passed in.

One place states how a price is built, in this order:

1. **Service charge** = base × time-block × storm × scarcity, all in basis points, multiplied as
   integers and divided once with half-up rounding (4999.5 → 5000).
   - The *time block* is the highest-priority active block with priority < 100 whose hours cover
     the local hour (ties: the lower multiplier, then the name); none → "Standard" ×1.00.
   - The *storm* multiplier is the highest-priority active block with priority ≥ 100 covering
     the hour (storm mode keeps at most one active). It applies on top of the time block, so
     "highest priority wins" decides within each of the two groups, never across them.
   - *Scarcity*: fewer than `scarcity_min_providers` online → +`scarcity_step_bp` per missing
     provider, at most `scarcity_max_bp` (defaults 3, +5 %, +15 %), when enabled.
   - The charge is capped at `price_cap_bp` × base (default 3×); the cap is its own negative line.
2. **Mileage**: towing miles beyond the included miles × the per-mile price. Miles on a service
   without per-mile pricing are ignored (the form may send them for any service).
3. **B2B contract**: a fixed contract price for the service replaces the service charge (mileage
   stays); otherwise the contract's discount applies to charge + mileage. Never both.
4. **Referral credit**: a separate negative line, at most the amount so far (never below zero).

The local hour comes from converting the aware UTC instant (the scheduled time, else now) to the
tenant's time zone, so DST shifts are handled by zoneinfo. Breakdown lines are differences of
cumulative amounts, so they always sum exactly to the total.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.money import BASIS_POINTS, div_half_up, format_cents
from roadside_console.domain.pricing.models import STORM_PRIORITY_FLOOR

STANDARD_NAME = "Standard"
MAX_MULTIPLIER_BP = 100_000  # ×10: anything above is a typo, not a price
MAX_TOWING_MILES = 1_000


class ServiceTerms(Protocol):
    """What pricing needs to know about a service (a `Service` row or a cached snapshot)."""

    @property
    def id(self) -> uuid.UUID: ...  # noqa: D102
    @property
    def name(self) -> str: ...  # noqa: D102
    @property
    def base_price_cents(self) -> int: ...  # noqa: D102
    @property
    def per_mile_cents(self) -> int: ...  # noqa: D102
    @property
    def included_miles(self) -> int: ...  # noqa: D102


class BlockTerms(Protocol):
    """A time block or storm template (a `TimeBlock` row or a cached snapshot)."""

    @property
    def name(self) -> str: ...  # noqa: D102
    @property
    def start_hour(self) -> int: ...  # noqa: D102
    @property
    def end_hour(self) -> int: ...  # noqa: D102
    @property
    def multiplier_bp(self) -> int: ...  # noqa: D102
    @property
    def priority(self) -> int: ...  # noqa: D102
    @property
    def active(self) -> bool: ...  # noqa: D102


class PricingPolicy(Protocol):
    """The tenant's pricing settings (`TenantSettings` or a cached snapshot)."""

    @property
    def price_cap_bp(self) -> int: ...  # noqa: D102
    @property
    def scarcity_enabled(self) -> bool: ...  # noqa: D102
    @property
    def scarcity_min_providers(self) -> int: ...  # noqa: D102
    @property
    def scarcity_step_bp(self) -> int: ...  # noqa: D102
    @property
    def scarcity_max_bp(self) -> int: ...  # noqa: D102


class ContractTerms(Protocol):
    """An account's contract: fixed prices by service id (as text) and/or a discount."""

    @property
    def name(self) -> str: ...  # noqa: D102
    @property
    def discount_bp(self) -> int: ...  # noqa: D102
    @property
    def service_prices(self) -> Mapping[str, int]: ...  # noqa: D102


@dataclass(frozen=True, slots=True)
class PriceLine:
    """One line of the breakdown a customer sees."""

    code: str
    label: str
    amount_cents: int

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape stored on quotes and bookings."""
        return {"code": self.code, "label": self.label, "amount_cents": self.amount_cents}


@dataclass(frozen=True, slots=True)
class AppliedMultiplier:
    """A multiplier that went into the service charge (for explaining a price)."""

    code: str
    name: str
    multiplier_bp: int


@dataclass(frozen=True, slots=True)
class PriceBreakdown:
    """A priced request: lines that sum to `total_cents`, and why."""

    lines: tuple[PriceLine, ...]
    total_cents: int
    multipliers: tuple[AppliedMultiplier, ...]
    local_hour: int
    capped: bool
    referral_credit_cents: int

    def lines_as_dicts(self) -> list[dict[str, Any]]:
        """Return the lines in the JSON shape stored on quotes and bookings."""
        return [line.as_dict() for line in self.lines]


def local_hour(at: datetime, tz_name: str) -> int:
    """Return the hour (0–23) on the tenant's wall clock at the aware instant `at`."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("pricing needs a timezone-aware instant")
    return at.astimezone(ZoneInfo(tz_name)).hour


def block_covers(start_hour: int, end_hour: int, hour: int) -> bool:
    """Tell whether [start, end) covers `hour`; start > end wraps midnight (18–6)."""
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    if start_hour > end_hour:
        return hour >= start_hour or hour < end_hour
    return False


def is_storm(block: BlockTerms) -> bool:
    """Tell whether a block is a storm template."""
    return block.priority >= STORM_PRIORITY_FLOOR


def select_blocks(
    blocks: Iterable[BlockTerms], hour: int
) -> tuple[BlockTerms | None, BlockTerms | None]:
    """Return (regular block, storm block) that apply at `hour`; either may be None."""
    regular: BlockTerms | None = None
    storm: BlockTerms | None = None
    for block in blocks:
        if not block.active or not block_covers(block.start_hour, block.end_hour, hour):
            continue
        if is_storm(block):
            if storm is None or _wins(block, storm):
                storm = block
        elif regular is None or _wins(block, regular):
            regular = block
    return regular, storm


def _wins(candidate: BlockTerms, current: BlockTerms) -> bool:
    # Highest priority first; on a tie the customer gets the lower multiplier; then by name.
    return (-candidate.priority, candidate.multiplier_bp, candidate.name) < (
        -current.priority,
        current.multiplier_bp,
        current.name,
    )


def scarcity_extra_bp(policy: PricingPolicy, providers_online: int) -> int:
    """Return the scarcity surcharge in basis points (0 when enough providers are online)."""
    if not policy.scarcity_enabled:
        return 0
    missing = max(0, policy.scarcity_min_providers - max(0, providers_online))
    return min(missing * policy.scarcity_step_bp, policy.scarcity_max_bp)


def validate_towing_miles(towing_miles: int | None) -> None:
    """Refuse negative or absurd towing distances."""
    if towing_miles is None:
        return
    if isinstance(towing_miles, bool) or not isinstance(towing_miles, int):
        raise ValidationFailed(
            "invalid_miles", "Towing miles must be a whole number.", field="towing_miles"
        )
    if towing_miles < 0:
        raise ValidationFailed(
            "invalid_miles", "Towing miles cannot be negative.", field="towing_miles"
        )
    if towing_miles > MAX_TOWING_MILES:
        raise ValidationFailed(
            "invalid_miles",
            f"Towing miles must be at most {MAX_TOWING_MILES}.",
            field="towing_miles",
        )


def validate_coordinates(lat: float | None, lng: float | None) -> None:
    """Refuse a half-given location or coordinates outside the globe."""
    if lat is None and lng is None:
        return
    if lat is None or lng is None:
        raise ValidationFailed(
            "invalid_coordinates",
            "Give both latitude and longitude, or neither.",
            field="lat" if lat is None else "lng",
        )
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ValidationFailed(
            "invalid_coordinates", "Latitude must be between -90 and 90.", field="lat"
        )
    if not (math.isfinite(lng) and -180 <= lng <= 180):
        raise ValidationFailed(
            "invalid_coordinates", "Longitude must be between -180 and 180.", field="lng"
        )


def validate_time_block(
    *, name: str, start_hour: int, end_hour: int, multiplier_bp: int, priority: int
) -> str:
    """Check a time block's fields and return its cleaned name, or raise `ValidationFailed`."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValidationFailed("name_required", "Give the time block a name.", field="name")
    if len(cleaned) > 80:
        raise ValidationFailed(
            "name_too_long", "Keep the name to 80 characters or fewer.", field="name"
        )
    if not 0 <= start_hour <= 23:
        raise ValidationFailed(
            "invalid_start_hour", "Start hour must be between 0 and 23.", field="start_hour"
        )
    if not 1 <= end_hour <= 24:
        raise ValidationFailed(
            "invalid_end_hour", "End hour must be between 1 and 24.", field="end_hour"
        )
    if start_hour == end_hour:
        raise ValidationFailed(
            "empty_time_block",
            "Start and end hour are the same; use 0 to 24 for the whole day.",
            field="end_hour",
        )
    if not 0 < multiplier_bp <= MAX_MULTIPLIER_BP:
        raise ValidationFailed(
            "invalid_multiplier",
            "The multiplier must be above ×0.00 and at most ×10.00.",
            field="multiplier_bp",
        )
    if priority < 0:
        raise ValidationFailed("invalid_priority", "Priority cannot be negative.", field="priority")
    return cleaned


def quote_price(
    *,
    service: ServiceTerms,
    blocks: Iterable[BlockTerms],
    policy: PricingPolicy,
    providers_online: int,
    tz_name: str,
    now: datetime,
    scheduled_at: datetime | None = None,
    towing_miles: int | None = None,
    contract: ContractTerms | None = None,
    referral_credit_cents: int = 0,
) -> PriceBreakdown:
    """Price one request and explain every cent (see the module docstring for the rules)."""
    validate_towing_miles(towing_miles)
    hour = local_hour(scheduled_at or now, tz_name)
    regular, storm = select_blocks(blocks, hour)
    base = service.base_price_cents
    block_bp = regular.multiplier_bp if regular else BASIS_POINTS
    storm_bp = storm.multiplier_bp if storm else BASIS_POINTS
    scarcity_bp = BASIS_POINTS + scarcity_extra_bp(policy, providers_online)

    lines = [PriceLine("base", service.name, base)]
    multipliers = [
        AppliedMultiplier("time_block", regular.name if regular else STANDARD_NAME, block_bp)
    ]
    # Cumulative amounts, each rounded once from the exact product; their differences are the
    # lines, so the lines telescope to the single-rounded charge.
    after_block = div_half_up(base * block_bp, BASIS_POINTS)
    after_storm = div_half_up(base * block_bp * storm_bp, BASIS_POINTS**2)
    charge = div_half_up(base * block_bp * storm_bp * scarcity_bp, BASIS_POINTS**3)
    if block_bp != BASIS_POINTS:
        name = regular.name if regular else STANDARD_NAME
        lines.append(
            PriceLine("time_block", f"{name} ×{format_multiplier(block_bp)}", after_block - base)
        )
    if storm is not None:
        multipliers.append(AppliedMultiplier("storm", storm.name, storm_bp))
        lines.append(
            PriceLine(
                "storm",
                f"{storm.name} ×{format_multiplier(storm_bp)}",
                after_storm - after_block,
            )
        )
    if scarcity_bp != BASIS_POINTS:
        multipliers.append(AppliedMultiplier("scarcity", "Few providers online", scarcity_bp))
        lines.append(
            PriceLine(
                "scarcity",
                f"Few providers online ({max(0, providers_online)} of "
                f"{policy.scarcity_min_providers}) +{format_percent(scarcity_bp - BASIS_POINTS)}",
                charge - after_storm,
            )
        )

    cap = div_half_up(base * policy.price_cap_bp, BASIS_POINTS)
    capped = charge > cap
    if capped:
        lines.append(
            PriceLine(
                "price_cap",
                f"Capped at ×{format_multiplier(policy.price_cap_bp)} base ({format_cents(cap)})",
                cap - charge,
            )
        )
        charge = cap

    mileage = 0
    if service.per_mile_cents > 0 and towing_miles:
        extra = max(0, towing_miles - service.included_miles)
        if extra:
            mileage = extra * service.per_mile_cents
            lines.append(
                PriceLine(
                    "mileage",
                    f"{extra} mi beyond {service.included_miles} included × "
                    f"{format_cents(service.per_mile_cents)}",
                    mileage,
                )
            )

    subtotal = charge + mileage
    if contract is not None:
        fixed = contract.service_prices.get(str(service.id))
        if fixed is not None:
            if fixed < 0:
                raise ValueError("a contract price cannot be negative")
            lines.append(
                PriceLine(
                    "b2b_contract_price",
                    f"{contract.name}: contract price {format_cents(fixed)}",
                    fixed - charge,
                )
            )
            subtotal = fixed + mileage
        elif contract.discount_bp > 0:
            discount = div_half_up(subtotal * min(contract.discount_bp, BASIS_POINTS), BASIS_POINTS)
            lines.append(
                PriceLine(
                    "b2b_discount",
                    f"{contract.name}: {format_percent(contract.discount_bp)} discount",
                    -discount,
                )
            )
            subtotal -= discount

    credit = min(max(0, referral_credit_cents), subtotal)
    if credit > 0:
        lines.append(PriceLine("referral_credit", "Referral credit", -credit))
        subtotal -= credit

    total = sum(line.amount_cents for line in lines)
    assert total == subtotal >= 0, "pricing lines must sum to a non-negative total"
    return PriceBreakdown(
        lines=tuple(lines),
        total_cents=total,
        multipliers=tuple(multipliers),
        local_hour=hour,
        capped=capped,
        referral_credit_cents=credit,
    )


def format_multiplier(bp: int) -> str:
    """Render basis points as a multiplier with at least two decimals: 12500 → "1.25"."""
    whole, fraction = divmod(bp, BASIS_POINTS)
    digits = f"{fraction:04d}".rstrip("0").ljust(2, "0")
    return f"{whole}.{digits}"


def format_percent(bp: int) -> str:
    """Render basis points as a percentage: 500 → "5%", 750 → "7.5%"."""
    whole, fraction = divmod(bp, 100)
    return f"{whole}%" if fraction == 0 else f"{whole}.{f'{fraction:02d}'.rstrip('0')}%"
