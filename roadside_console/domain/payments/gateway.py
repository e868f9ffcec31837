"""The card-payment port: what the domain asks of a payment gateway.

The Stripe adapter (`integrations.stripe_checkout`) passes the idempotency key to Stripe so a
retried refund is made once. The offline gateway answers without any network, for the embedded
demo and the tests; the adapter wiring never hands it out in production, and a card refund with
no gateway at all is refused.
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
