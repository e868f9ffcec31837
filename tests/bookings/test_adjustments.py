"""Staff adjust a booking: a price override with a reason, and internal notes on the timeline."""

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings import adjustments
from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.bookings.models import Booking, BookingEvent, BookingStatus
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden, ValidationFailed
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod
from tests.factories import actor_of, make_user
from tests.payments.support import earnings, make_world

S = BookingStatus


def _override(uow_factory, actor, booking, amount, reason="Customer was quoted less"):
    with uow_factory() as uow:
        return adjustments.override_price(
            uow, actor=actor, booking_id=booking.id, amount_cents=amount, reason=reason
        )


def _reload(session, booking):
    session.expire_all()
    return session.get(Booking, booking.id)


def test_an_override_sets_what_the_job_costs_and_what_the_provider_earns(session, uow_factory):
    # given a $100 job in progress
    world = make_world(session)
    booking = world.booking(session)
    # when an admin overrides it to $80, then the job is completed and paid
    before = _override(uow_factory, world.admin, booking, 8000)
    with uow_factory() as uow:
        bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=PaymentMethod.CASH
        )
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)
    # then the charge is $80, the provider's 70 % comes from $80, and the books agree
    assert before == 10000
    assert charged_price_cents(_reload(session, booking)) == 8000
    (earning,) = earnings(session, booking)
    assert earning.amount_cents + earning.platform_fee_cents == 8000
    assert world.report(session).reconciled
    event = session.exec(
        select(BookingEvent).where(
            BookingEvent.booking_id == booking.id, BookingEvent.kind == "price_overridden"
        )
    ).one()
    assert event.payload == {"from_cents": 10000, "to_cents": 8000}
    assert (
        session.exec(select(AuditEntry).where(AuditEntry.action == "booking.price_overridden"))
        .one()
        .reason
        == "Customer was quoted less"
    )


def test_an_override_needs_a_reason_and_a_sane_amount(session, uow_factory):
    world = make_world(session)
    booking = world.booking(session)
    with pytest.raises(ValidationFailed) as no_reason:
        _override(uow_factory, world.admin, booking, 8000, reason="  ")
    with pytest.raises(ValidationFailed) as negative:
        _override(uow_factory, world.admin, booking, -1)
    assert (no_reason.value.field, negative.value.field) == ("reason", "amount_cents")
    assert _reload(session, booking).price_override_cents is None


def test_no_override_once_the_provider_is_credited_or_for_finance(session, uow_factory):
    # given a completed, paid job (the earning exists)
    world = make_world(session)
    booking = world.booking(session)
    with uow_factory() as uow:
        bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=PaymentMethod.CASH
        )
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)
    # then an override is refused, pointing at refunds; and finance may not override at all
    with pytest.raises(Conflict) as settled:
        _override(uow_factory, world.admin, booking, 5000)
    assert "Refund" in settled.value.message
    fresh = world.booking(session)
    with pytest.raises(Forbidden):
        _override(uow_factory, world.finance, fresh, 5000)


def test_notes_go_on_the_timeline_for_staff_only(session, uow_factory):
    world = make_world(session)
    booking = world.booking(session)
    dispatcher = actor_of(make_user(session, world.tenant, role=Role.DISPATCHER))
    with uow_factory() as uow:
        adjustments.add_internal_note(
            uow, actor=dispatcher, booking_id=booking.id, text="Gate code 4512"
        )
    note = session.exec(
        select(BookingEvent).where(
            BookingEvent.booking_id == booking.id, BookingEvent.kind == "note_added"
        )
    ).one()
    assert note.payload["text"] == "Gate code 4512" and note.to_status is None
    with pytest.raises(Forbidden), uow_factory() as uow:
        adjustments.add_internal_note(
            uow, actor=actor_of(world.customer), booking_id=booking.id, text="hi"
        )
    with pytest.raises(ValidationFailed), uow_factory() as uow:
        adjustments.add_internal_note(uow, actor=dispatcher, booking_id=booking.id, text=" ")
