"""Cancelling a booking settles its money in the same transaction: refund beyond the fee."""

import pytest
from sqlmodel import select

from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.core.errors import Conflict, ValidationFailed
from roadside_console.domain.payments import checkout, webhooks
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod, PaymentStatus, Refund
from roadside_console.domain.tenants.service import get_tenant_settings
from tests.factories import actor_of
from tests.payments import stripe_events as se
from tests.payments.support import make_world, payment_of

S = BookingStatus


class RecordingGateway:
    """A card processor that records each refund it is asked for."""

    def __init__(self):
        self.refunds = []

    def refund(self, *, payment, amount_cents, idempotency_key):
        self.refunds.append((payment.id, amount_cents, idempotency_key))
        return f"re_{len(self.refunds)}"


def _manual_payment(uow_factory, world, booking, method=PaymentMethod.ZELLE, confirm=True):
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=method
        )
    if confirm:
        with uow_factory() as uow:
            payments.confirm_payment(
                uow, actor=world.finance, payment_id=view.payment_id, reference="Z-1"
            )
    return view.payment_id


def _card_payment(uow_factory, world, booking):
    with uow_factory() as uow:
        started = checkout.start_card_checkout(
            uow,
            actor=actor_of(world.customer),
            booking_id=booking.id,
            gateway=se.FakeCheckoutGateway(),
            success_url="https://console.test/ok",
            cancel_url="https://console.test/cancel",
        )
    evt = se.event(
        "checkout.session.completed",
        se.checkout_session(started, amount_total=10000, tenant_id=world.ids["tenant"]),
    )
    assert webhooks.handle_stripe_event(uow_factory, evt) == "processed"
    return started.payment_id


def _status(session, booking_id):
    session.expire_all()
    return session.get(Booking, booking_id).status


def test_staff_cancelling_a_zelle_paid_booking_must_say_how_the_money_went_back(
    session, uow_factory
):
    # given a confirmed booking paid $100 by Zelle
    world = make_world(session)
    booking = world.booking(session, status=S.CONFIRMED, provider_id=None)
    payment_id = _manual_payment(uow_factory, world, booking)
    # when an admin cancels it without the reference of the return
    with pytest.raises(ValidationFailed) as refused, uow_factory() as uow:
        bookings.cancel_booking(
            uow, actor=world.admin, booking_id=booking.id, reason="Caller found help"
        )
    # then nothing changed, and the message says what is owed
    assert refused.value.field == "refund_reference"
    assert "$100.00" in refused.value.message
    assert _status(session, booking.id) is S.CONFIRMED
    assert payment_of(session, payment_id).status is PaymentStatus.CONFIRMED


def test_staff_cancelling_with_the_return_reference_refunds_it_all_and_the_books_agree(
    session, uow_factory
):
    # given a confirmed booking paid $100 by Zelle
    world = make_world(session)
    booking = world.booking(session, status=S.CONFIRMED, provider_id=None)
    payment_id = _manual_payment(uow_factory, world, booking)
    # when an admin cancels it, naming the Zelle transfer back
    with uow_factory() as uow:
        bookings.cancel_booking(
            uow,
            actor=world.admin,
            booking_id=booking.id,
            reason="Caller found help",
            refund_reference="ZB-77",
        )
    # then the booking is cancelled, the payment refunded in full, and the ledger reconciles
    payment = payment_of(session, payment_id)
    assert _status(session, booking.id) is S.CANCELLED
    assert payment.status is PaymentStatus.REFUNDED and payment.refunded_cents == 10000
    (refund,) = session.exec(select(Refund).where(Refund.payment_id == payment_id)).all()
    assert (refund.method, refund.reference) == (PaymentMethod.ZELLE, "ZB-77")
    assert world.report(session).reconciled


def test_a_customer_cancelling_a_dispatched_card_booking_gets_all_but_the_fee_back(
    session, uow_factory
):
    # given a tier-2 customer's dispatched booking paid $100 by card
    world = make_world(session, tier=2)
    fee = get_tenant_settings(session, world.ids["tenant"]).cancellation_fee_cents
    assert 0 < fee < 10000
    booking = world.booking(session, status=S.DISPATCHED)
    payment_id = _card_payment(uow_factory, world, booking)
    gateway = RecordingGateway()
    # when the customer cancels, accepting the fee they were shown
    with uow_factory() as uow:
        result = bookings.cancel_booking(
            uow,
            actor=actor_of(world.customer),
            booking_id=booking.id,
            expected_fee_cents=fee,
            gateway=gateway,
        )
    # then the card is refunded once for the price less the fee, under a stable key
    payment = payment_of(session, payment_id)
    assert result.fee_cents == fee
    assert gateway.refunds == [(payment_id, 10000 - fee, f"cancel-{booking.id}-{payment_id}")]
    assert payment.status is PaymentStatus.PARTIALLY_REFUNDED
    assert payment.refunded_cents == 10000 - fee
    assert world.report(session).reconciled


def test_a_customer_cannot_cancel_a_cash_paid_booking_themselves(session, uow_factory):
    # given a confirmed booking the customer already paid in cash
    world = make_world(session)
    booking = world.booking(session, status=S.CONFIRMED, provider_id=None)
    payment_id = _manual_payment(uow_factory, world, booking, method=PaymentMethod.CASH)
    # when the customer tries to cancel
    with pytest.raises(Conflict) as refused, uow_factory() as uow:
        bookings.cancel_booking(uow, actor=actor_of(world.customer), booking_id=booking.id)
    # then they are asked to call, and nothing changed
    assert refused.value.code == "cancellation_needs_staff"
    assert "Call us" in refused.value.message
    assert _status(session, booking.id) is S.CONFIRMED
    assert payment_of(session, payment_id).refunded_cents == 0


def test_an_unconfirmed_payment_expires_with_the_booking(session, uow_factory):
    # given a recorded but unconfirmed cash payment
    world = make_world(session)
    booking = world.booking(session, status=S.CONFIRMED, provider_id=None)
    payment_id = _manual_payment(uow_factory, world, booking, confirm=False)
    # when the customer cancels
    with uow_factory() as uow:
        bookings.cancel_booking(uow, actor=actor_of(world.customer), booking_id=booking.id)
    # then the payment can no longer be confirmed
    assert payment_of(session, payment_id).status is PaymentStatus.EXPIRED
    with pytest.raises(Conflict, match="expired"), uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=payment_id, reference="C")
    assert world.report(session).reconciled


def test_a_disputed_payment_blocks_the_cancellation(session, uow_factory):
    # given a card-paid booking whose charge is disputed
    world = make_world(session, tier=2)
    booking = world.booking(session, status=S.CONFIRMED, provider_id=None)
    payment_id = _card_payment(uow_factory, world, booking)
    with uow_factory() as uow:
        payments.open_dispute(uow, actor=world.finance, payment_id=payment_id)
    # when an admin cancels
    with pytest.raises(Conflict) as refused, uow_factory() as uow:
        bookings.cancel_booking(
            uow, actor=world.admin, booking_id=booking.id, reason="Customer asked"
        )
    # then nothing changed
    assert refused.value.code == "payment_disputed"
    assert _status(session, booking.id) is S.CONFIRMED
