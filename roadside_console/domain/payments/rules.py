"""Pure payment rules: valid amounts, status after a refund, how methods read to people."""

from __future__ import annotations

from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.payments.models import PaymentMethod, PaymentStatus

MANUAL_METHODS = frozenset({PaymentMethod.CASH, PaymentMethod.CASHAPP, PaymentMethod.ZELLE})
REFUNDABLE_STATUSES = (PaymentStatus.CONFIRMED, PaymentStatus.PARTIALLY_REFUNDED)
METHOD_LABELS = {
    PaymentMethod.CASH: "cash",
    PaymentMethod.CASHAPP: "CashApp",
    PaymentMethod.ZELLE: "Zelle",
    PaymentMethod.STRIPE: "card",
}


def check_amount(amount_cents: int, *, field: str = "amount_cents") -> int:
    """Return a positive amount in cents, or refuse zero and negative ones."""
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed("invalid_amount", "Enter an amount above zero.", field=field)
    return amount_cents


def status_after_refund(amount_cents: int, refunded_cents: int) -> PaymentStatus:
    """A payment refunded in full is refunded; any smaller refund leaves it partially refunded."""
    if refunded_cents >= amount_cents:
        return PaymentStatus.REFUNDED
    return PaymentStatus.PARTIALLY_REFUNDED if refunded_cents else PaymentStatus.CONFIRMED


def describe_methods(methods: list[PaymentMethod]) -> str:
    """Name methods for a sentence: "cash, CashApp or Zelle"."""
    labels = [METHOD_LABELS[m] for m in methods]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
