"""Trust tiers: which payment methods a customer may use, and when they earn card payments."""

from __future__ import annotations

from roadside_console.domain.payments.models import PaymentMethod

MIN_TIER, MAX_TIER = 1, 2
MANUAL_METHODS = (PaymentMethod.CASH, PaymentMethod.CASHAPP, PaymentMethod.ZELLE)
METHODS_BY_TIER: dict[int, tuple[PaymentMethod, ...]] = {
    1: MANUAL_METHODS,
    2: (*MANUAL_METHODS, PaymentMethod.STRIPE),
}


def methods_for_tier(tier: int) -> list[PaymentMethod]:
    """Return the payment methods a trust tier allows."""
    return list(METHODS_BY_TIER[max(MIN_TIER, min(MAX_TIER, tier))])


def tier_after_clean_payment(tier: int, clean_count: int, threshold: int) -> int:
    """Promote a tier-1 customer once their clean confirmed payments reach the threshold."""
    return MAX_TIER if tier == MIN_TIER and clean_count >= threshold else tier


def tier_after_dispute(tier: int) -> int:
    """A dispute costs one tier (never below the first)."""
    return max(MIN_TIER, tier - 1)
