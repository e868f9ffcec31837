"""Stripe through the official SDK: Checkout Sessions, card refunds and webhook signatures.

The domain only sees the `CheckoutGateway` / `PaymentGateway` protocols; this adapter is the one
place that imports `stripe`. `STRIPE_API_BASE` points the SDK at a local fake (tests, offline
demos); without it the SDK talks to api.stripe.com.
"""

from __future__ import annotations

import json
from typing import Any

import stripe

from roadside_console.domain.core.settings import Settings, get_settings
from roadside_console.domain.payments.checkout import CheckoutRequest, CheckoutSession
from roadside_console.domain.payments.gateway import OfflineGateway, PaymentGateway
from roadside_console.domain.payments.models import Payment


class InvalidWebhook(ValueError):
    """The webhook body or its `Stripe-Signature` header does not check out."""


class StripeGateway:
    """Create Checkout Sessions and refunds at Stripe, each under an idempotency key."""

    def __init__(self, secret_key: str, *, api_base: str | None = None) -> None:
        addresses: Any = {"api": api_base.rstrip("/")} if api_base else {}
        self._client = stripe.StripeClient(
            secret_key, base_addresses=addresses, max_network_retries=2
        )

    def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        """Open a hosted Checkout page for one booking's price."""
        params: Any = {
            "mode": "payment",
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": request.client_reference_id,
            "metadata": dict(request.metadata),
            "payment_intent_data": {"metadata": dict(request.metadata)},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency,
                        "unit_amount": request.amount_cents,
                        "product_data": {"name": request.description},
                    },
                }
            ],
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        created = self._client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": request.idempotency_key}
        )
        return CheckoutSession(session_id=created.id, url=created.url or "")

    def refund(self, *, payment: Payment, amount_cents: int, idempotency_key: str) -> str:
        """Refund part of a card payment; a retry with the same key refunds once."""
        params: Any = {"amount": amount_cents}
        if payment.stripe_payment_intent_id:
            params["payment_intent"] = payment.stripe_payment_intent_id
        else:
            params["charge"] = payment.stripe_charge_id
        refund = self._client.v1.refunds.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
        return refund.id


def gateway_from_settings(settings: Settings | None = None) -> StripeGateway | None:
    """Return the Stripe gateway when a secret key is configured, else None."""
    settings = settings or get_settings()
    if not settings.stripe_secret_key:
        return None
    return StripeGateway(settings.stripe_secret_key, api_base=settings.stripe_api_base)


def refund_gateway_from_settings(settings: Settings | None = None) -> PaymentGateway | None:
    """Return where card refunds go: Stripe with a key, else offline outside production.

    The offline gateway serves the embedded demo and the tests. Production without a key gets
    None, so the domain refuses a card refund rather than record money as returned that never
    moved.
    """
    settings = settings or get_settings()
    if settings.stripe_secret_key:
        return StripeGateway(settings.stripe_secret_key, api_base=settings.stripe_api_base)
    return None if settings.is_production else OfflineGateway()


def verify_event(payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """Check the `Stripe-Signature` of a raw webhook body and return the event as a dict."""
    if not signature:
        raise InvalidWebhook("The Stripe-Signature header is missing.")
    try:
        # The SDK's own check (HMAC over "timestamp.body", the timestamp within its tolerance).
        # construct_event would then build an SDK object tree we do not use: the domain keeps
        # the plain JSON body.
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
        )
        body = json.loads(payload)
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook("The Stripe-Signature header does not match the body.") from error
    except ValueError as error:
        raise InvalidWebhook("The webhook body is not a Stripe event.") from error
    if not isinstance(body, dict):
        raise InvalidWebhook("The webhook body is not a Stripe event.")
    if not isinstance(body.get("id"), str) or not isinstance(body.get("type"), str):
        raise InvalidWebhook("The webhook body is not a Stripe event.")
    return body
