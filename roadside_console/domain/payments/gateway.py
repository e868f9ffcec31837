"""The card-payment port: what the domain asks of a payment gateway (Stripe, later).

The offline default answers without any network, so the embedded run and the tests can refund
card payments; the Stripe adapter (a later task) implements the same protocol and passes the
idempotency key to Stripe so a retried refund is made once.
"""

from __future__ import annotations

from typing import Protocol

from roadside_console.domain.payments.models import Payment


class PaymentGateway(Protocol):
    """Move money at the card processor."""

    def refund(self, *, payment: Payment, amount_cents: int, idempotency_key: str) -> str:
        """Refund `amount_cents` of a card payment; return the processor's refund id."""
        ...


class OfflineGateway:
    """The default with no keys configured: refunds succeed locally with a derived id."""

    def refund(self, *, payment: Payment, amount_cents: int, idempotency_key: str) -> str:
        """Return a stable fake refund id for the idempotency key."""
        return f"re_offline_{idempotency_key}"[:255]
