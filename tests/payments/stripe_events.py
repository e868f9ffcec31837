"""Stripe events for tests: real payloads signed with Stripe's own scheme, and a fake gateway."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from roadside_console.domain.payments.checkout import CheckoutRequest, CheckoutSession

WEBHOOK_SECRET = "whsec_test_roadside_console"


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, *, timestamp: int | None = None) -> str:
    """Return a `Stripe-Signature` header: t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def event(kind: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """Wrap a Stripe object in an event envelope."""
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-08-27.basil",
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


def body(evt: dict[str, Any]) -> bytes:
    """Serialize an event as Stripe sends it."""
    return json.dumps(evt).encode()


def checkout_session(
    checkout: Any,
    *,
    payment_status: str = "paid",
    amount_total: int | None = None,
    intent: str = "pi_test_1",
    status: str = "complete",
    tenant_id: object = None,
) -> dict[str, Any]:
    """A Checkout Session object for a started checkout (`CheckoutView`)."""
    metadata = {"booking_id": str(checkout.booking_id), "payment_id": str(checkout.payment_id)}
    if tenant_id is not None:
        metadata["tenant_id"] = str(tenant_id)
    return {
        "id": checkout.checkout_session_id,
        "object": "checkout.session",
        "amount_total": checkout.amount_cents if amount_total is None else amount_total,
        "currency": "usd",
        "payment_status": payment_status,
        "status": status,
        "payment_intent": intent,
        "client_reference_id": str(checkout.payment_id),
        "metadata": metadata,
    }


def charge(
    *,
    intent: str = "pi_test_1",
    charge_id: str = "ch_test_1",
    amount: int,
    amount_refunded: int,
    refund_id: str | None = None,
) -> dict[str, Any]:
    """A Charge object after a refund."""
    refunds = [{"id": refund_id, "object": "refund"}] if refund_id else []
    return {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_refunded": amount_refunded,
        "refunded": amount_refunded >= amount,
        "payment_intent": intent,
        "metadata": {},
        "refunds": {"object": "list", "data": refunds},
    }


def dispute(*, intent: str = "pi_test_1", status: str = "needs_response") -> dict[str, Any]:
    """A Dispute object on the charge of `intent`."""
    return {
        "id": "dp_test_1",
        "object": "dispute",
        "charge": "ch_test_1",
        "payment_intent": intent,
        "status": status,
        "amount": 1,
    }


@dataclass
class FakeCheckoutGateway:
    """Answers like Stripe: the same idempotency key returns the same session."""

    requests: list[CheckoutRequest] = field(default_factory=list)

    def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        self.requests.append(request)
        session_id = "cs_test_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:20]
        return CheckoutSession(session_id=session_id, url=f"https://checkout.test/{session_id}")
