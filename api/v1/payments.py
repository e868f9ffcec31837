"""Paying for a booking: which methods the customer may use, and card checkout for tier 2."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from api.deps import CurrentActor, Uow
from api.errors import problem_responses
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.payments import checkout
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.integrations.stripe_checkout import gateway_from_settings

router = APIRouter(tags=["payments"])


def get_checkout_gateway() -> checkout.CheckoutGateway | None:
    """Return the configured Stripe gateway, or None without a key (override this in tests).

    Without a gateway the domain still checks the customer's tier first, so a tier-1 customer
    hears which methods they may use (403) rather than that cards are not set up (503).
    """
    return gateway_from_settings()


Gateway = Annotated[checkout.CheckoutGateway | None, Depends(get_checkout_gateway)]


class PaymentMethodsOut(BaseModel):
    """The methods this booking's customer may pay with."""

    booking_id: uuid.UUID
    methods: list[PaymentMethod]


class CheckoutIn(BaseModel):
    """Where Stripe sends the customer back (defaults to the console)."""

    success_url: str | None = Field(default=None, max_length=2000)
    cancel_url: str | None = Field(default=None, max_length=2000)


class CheckoutOut(BaseModel):
    """A started card checkout: send the customer to `url`."""

    payment_id: uuid.UUID
    booking_id: uuid.UUID
    amount_cents: int
    checkout_session_id: str
    url: str


@router.get(
    "/payments/methods",
    response_model=PaymentMethodsOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="List the payment methods allowed for a booking",
)
def payment_methods(
    booking_id: Annotated[uuid.UUID, Query()], actor: CurrentActor, uow: Uow
) -> PaymentMethodsOut:
    """Answer from the customer's trust tier (card needs tier 2)."""
    methods = checkout.payment_methods_for(uow, actor=actor, booking_id=booking_id)
    return PaymentMethodsOut(booking_id=booking_id, methods=methods)


@router.post(
    "/bookings/{booking_id}/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckoutOut,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
    summary="Start a Stripe Checkout for a booking (tier-2 customers)",
)
def start_checkout(
    booking_id: uuid.UUID,
    actor: CurrentActor,
    uow: Uow,
    gateway: Gateway,
    body: CheckoutIn | None = None,
) -> CheckoutOut:
    """Create the pending card payment and its Checkout Session; tier 1 gets 403 (audited)."""
    base = get_settings().public_base_url.rstrip("/")
    body = body or CheckoutIn()
    view = checkout.start_card_checkout(
        uow,
        actor=actor,
        booking_id=booking_id,
        gateway=gateway,
        success_url=body.success_url or f"{base}/bookings/{booking_id}?paid=1",
        cancel_url=body.cancel_url or f"{base}/bookings/{booking_id}",
    )
    return CheckoutOut(
        payment_id=view.payment_id,
        booking_id=view.booking_id,
        amount_cents=view.amount_cents,
        checkout_session_id=view.checkout_session_id,
        url=view.url,
    )
