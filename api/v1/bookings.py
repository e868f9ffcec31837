"""Bookings: create (guests too), read, list your own, cancel with the fee shown, reschedule."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import CurrentActor, GroupCommit, GuestOrUser, Uow
from api.errors import problem_responses
from api.idempotency import answer_once, mark_answered, pending_key
from api.responses import model_response
from api.v1.booking_schemas import (
    BookingCreatedOut,
    BookingIn,
    BookingListOut,
    BookingOut,
    BookingRowOut,
    CancelIn,
    CancellationTermsOut,
    CancelOut,
    PriceLineOut,
    RescheduleIn,
    RescheduleOut,
)
from roadside_console.domain.bookings import service as lifecycle
from roadside_console.domain.bookings.creation import BookingCreate, BookingCreated, create_booking
from roadside_console.domain.bookings.scheduling import reschedule_booking
from roadside_console.domain.bookings.views import (
    OWN_PAGE_DEFAULT,
    OWN_PAGE_MAX,
    booking_detail,
    list_own_bookings,
)
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.integrations.stripe_checkout import refund_gateway_from_settings

router = APIRouter(tags=["bookings"])


@router.post(
    "/bookings",
    status_code=status.HTTP_201_CREATED,
    response_model=BookingCreatedOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
    summary="Book a service, as a guest (X-Workspace) or with a token",
)
async def create(
    body: BookingIn, caller: GuestOrUser, batch: GroupCommit, request: Request
) -> Response:
    """With `quote_id` the booking pays the estimate's total even if prices rose since."""
    data = BookingCreate(**body.model_dump(exclude={"vehicle"}), vehicle=body.vehicle_dict())
    key = pending_key(request.scope)

    def book(uow: UnitOfWork) -> BookingCreated:
        tenant_id, actor = caller.resolve(uow)
        return create_booking(uow, tenant_id=tenant_id, actor=actor, data=data)

    # The Idempotency-Key's claim and stored answer go in the booking's own transaction.
    response = await batch.run(lambda uow: answer_once(uow, key, book, _created_response))
    if key is not None:
        mark_answered(request.scope)
    return response


def _created_response(created: BookingCreated) -> Response:
    out = BookingCreatedOut(
        id=created.booking_id,
        reference=created.reference,
        status=created.status,
        mode=created.mode,
        total_cents=created.total_cents,
        breakdown=[PriceLineOut(**line) for line in created.breakdown],
        tracking_token=created.tracking_token,
        tracking_url=f"/api/v1/tracking/{created.tracking_token}",
    )
    return model_response(
        out,
        status_code=status.HTTP_201_CREATED,
        headers={
            "Location": f"/api/v1/bookings/{created.booking_id}",
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/bookings",
    response_model=BookingListOut,
    responses=problem_responses(401, 403, 422),
    summary="List your own bookings, newest first",
)
def list_mine(
    actor: CurrentActor,
    uow: Uow,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=OWN_PAGE_MAX)] = OWN_PAGE_DEFAULT,
) -> BookingListOut:
    """Customers only; follow `next_cursor` until it is null."""
    page = list_own_bookings(uow, actor=actor, cursor=cursor, limit=limit)
    return BookingListOut(
        items=[BookingRowOut.model_validate(row, from_attributes=True) for row in page.rows],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/bookings/{booking_id}",
    response_model=BookingOut,
    responses=problem_responses(401, 404, 422),
    summary="Show one booking",
)
def read(booking_id: uuid.UUID, actor: CurrentActor, uow: Uow) -> BookingOut:
    """Its customer, its provider and the operator's staff see it; anyone else gets 404."""
    detail = booking_detail(uow, actor=actor, booking_id=booking_id)
    return BookingOut.model_validate(detail, from_attributes=True)


@router.get(
    "/bookings/{booking_id}/cancellation",
    response_model=CancellationTermsOut,
    responses=problem_responses(401, 404, 422),
    summary="Show whether you may cancel and what it costs now",
)
def cancellation(booking_id: uuid.UUID, actor: CurrentActor, uow: Uow) -> CancellationTermsOut:
    """Show this to the customer; cancel with the `fee_cents` they agreed to."""
    terms = lifecycle.cancellation_terms(uow, actor=actor, booking_id=booking_id)
    return CancellationTermsOut(
        booking_id=booking_id,
        allowed=terms.allowed,
        fee_cents=terms.fee_cents,
        fee_label=terms.fee_label,
    )


@router.post(
    "/bookings/{booking_id}/cancel",
    response_model=CancelOut,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    summary="Cancel a booking at the fee you were shown",
)
def cancel(booking_id: uuid.UUID, body: CancelIn, actor: CurrentActor, uow: Uow) -> CancelOut:
    """A fee that changed since you were shown it is a 409: show the new terms and ask again.

    What was paid beyond the fee goes back: card payments are refunded at Stripe; for cash,
    CashApp or Zelle, staff give `refund_reference` (customers are asked to call).
    """
    result = lifecycle.cancel_booking(
        uow,
        actor=actor,
        booking_id=booking_id,
        reason=body.reason,
        expected_fee_cents=body.expected_fee_cents,
        refund_reference=body.refund_reference,
        refund_method=PaymentMethod(body.refund_method) if body.refund_method else None,
        gateway=refund_gateway_from_settings(),
    )
    return CancelOut(
        booking_id=result.booking_id, status=result.to_status, fee_cents=result.fee_cents
    )


@router.post(
    "/bookings/{booking_id}/reschedule",
    response_model=RescheduleOut,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    summary="Move a scheduled booking to another time",
)
def reschedule(
    booking_id: uuid.UUID, body: RescheduleIn, actor: CurrentActor, uow: Uow
) -> RescheduleOut:
    """Until nobody has been sent; the price stays the one agreed when booking."""
    moved = reschedule_booking(
        uow, actor=actor, booking_id=booking_id, scheduled_at=body.scheduled_at, reason=body.reason
    )
    return RescheduleOut(
        booking_id=moved.booking_id,
        previous_scheduled_at=moved.previous_scheduled_at,
        scheduled_at=moved.scheduled_at,
        total_cents=moved.total_cents,
    )
