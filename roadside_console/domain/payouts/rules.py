"""Pure payout arithmetic: how a job's price splits between provider and platform."""

from __future__ import annotations

from dataclasses import dataclass

from roadside_console.domain.core.money import apply_bp
from roadside_console.domain.providers.models import CommissionType


@dataclass(frozen=True, slots=True)
class Split:
    """A job price split into the provider's share and the platform fee (they sum to price)."""

    provider_cents: int
    platform_cents: int


def split_job_price(
    price_cents: int,
    *,
    commission_type: CommissionType,
    provider_share_bp: int,
    flat_fee_cents: int | None,
) -> Split:
    """Split `price_cents`: a flat fee per job (capped at the price) or a share in basis points."""
    if commission_type is CommissionType.FLAT_PER_JOB and flat_fee_cents is not None:
        provider = flat_fee_cents
    else:
        provider = apply_bp(price_cents, provider_share_bp)
    provider = max(0, min(provider, price_cents))
    return Split(provider_cents=provider, platform_cents=price_cents - provider)
