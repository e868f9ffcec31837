from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings.models import (
    Booking,
    BookingEvent,
    BookingMode,
    BookingStatus,
)
from roadside_console.domain.bookings.scheduling import reschedule_booking
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from roadside_console.domain.dispatch.models import DispatchOffer
from roadside_console.domain.notifications.models import OutboxMessage
from tests.factories import actor_of, make_booking, make_provider, make_tenant, make_user

S = BookingStatus
NOW = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)
BOOKED_AT = NOW + timedelta(days=2)
MOVED_TO = NOW + timedelta(days=3, hours=1)


@pytest.fixture()
def shop(session):
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    booking = make_booking(
        session,
        tenant,
        customer=customer,
        status=S.CONFIRMED,
        mode=BookingMode.SCHEDULED,
        scheduled_at=BOOKED_AT,
        estimated_price_cents=12500,
    )
    return tenant, customer, booking


def _reschedule(uow_factory, actor, booking, to=MOVED_TO, reason=None, now=NOW):
    with uow_factory() as uow:
        return reschedule_booking(
            uow,
            actor=actor_of(actor),
            booking_id=booking.id,
            scheduled_at=to,
            reason=reason,
            now=now,
        )


def _reload(session, booking):
    session.expire_all()
    return session.get(Booking, booking.id)


def test_a_customer_moves_their_scheduled_booking_and_keeps_the_price(session, uow_factory, shop):
    # given a confirmed booking two days ahead
    tenant, customer, booking = shop
    # when the customer moves it a day later
    result = _reschedule(uow_factory, customer, booking)
    # then the time changes, the price does not, and it is recorded and texted
    moved = _reload(session, booking)
    assert moved.scheduled_at == MOVED_TO == result.scheduled_at
    assert result.previous_scheduled_at == BOOKED_AT
    assert moved.estimated_price_cents == result.total_cents == 12500
    assert moved.status is S.CONFIRMED
    event = session.exec(select(BookingEvent).where(BookingEvent.booking_id == booking.id)).one()
    assert (event.kind, event.actor_id, event.to_status) == ("rescheduled", customer.id, None)
    assert event.payload == {"from": BOOKED_AT.isoformat(), "to": MOVED_TO.isoformat()}
    text = session.exec(select(OutboxMessage).where(OutboxMessage.tenant_id == tenant.id)).one()
    assert text.topic == "booking.rescheduled" and booking.reference in text.body
    assert session.exec(select(AuditEntry).where(AuditEntry.tenant_id == tenant.id)).all() == []


def test_a_dispatcher_moves_a_booking_with_a_reason_and_it_is_audited(session, uow_factory, shop):
    # given
    tenant, _, booking = shop
    dispatcher = make_user(session, tenant, role=Role.DISPATCHER)
    # when
    _reschedule(uow_factory, dispatcher, booking, reason="customer called, flight delayed")
    # then
    audit = session.exec(select(AuditEntry).where(AuditEntry.target_id == str(booking.id))).one()
    assert audit.action == "booking.rescheduled"
    assert audit.reason == "customer called, flight delayed"


def test_staff_must_say_why_they_move_a_booking(session, uow_factory, shop):
    tenant, _, booking = shop
    dispatcher = make_user(session, tenant, role=Role.DISPATCHER)
    with pytest.raises(ValidationFailed) as caught:
        _reschedule(uow_factory, dispatcher, booking, reason="  ")
    assert caught.value.field == "reason"
    assert _reload(session, booking).scheduled_at == BOOKED_AT


def test_a_customer_cannot_move_a_booking_less_than_two_hours_before_its_time(
    session, uow_factory, shop
):
    # given the booked time is 90 minutes away
    _, customer, booking = shop
    now = BOOKED_AT - timedelta(minutes=90)
    # when / then
    with pytest.raises(Conflict) as caught:
        _reschedule(uow_factory, customer, booking, now=now)
    assert caught.value.code == "reschedule_closed"
    assert "2 hours" in caught.value.message


def test_staff_can_still_move_a_booking_close_to_its_time_until_it_is_offered(
    session, uow_factory, shop
):
    # given the booked time is 90 minutes away
    tenant, _, booking = shop
    dispatcher = make_user(session, tenant, role=Role.DISPATCHER)
    now = BOOKED_AT - timedelta(minutes=90)
    # when
    _reschedule(uow_factory, dispatcher, booking, reason="no technician free", now=now)
    # then
    assert _reload(session, booking).scheduled_at == MOVED_TO


def test_a_booking_on_offer_to_a_provider_cannot_be_moved(session, uow_factory, shop):
    # given a pending offer to a provider
    tenant, _, booking = shop
    provider = make_provider(session, tenant)
    session.add(
        DispatchOffer(
            tenant_id=tenant.id,
            booking_id=booking.id,
            provider_id=provider.id,
            expires_at=NOW + timedelta(minutes=1),
        )
    )
    session.commit()
    dispatcher = make_user(session, tenant, role=Role.DISPATCHER)
    # when / then
    with pytest.raises(Conflict, match="offered"):
        _reschedule(uow_factory, dispatcher, booking, reason="moved")


@pytest.mark.parametrize("status", [S.DISPATCHED, S.IN_PROGRESS, S.COMPLETED, S.CANCELLED])
def test_once_a_provider_is_sent_or_the_job_ended_the_time_is_fixed(
    session, uow_factory, shop, status
):
    _, customer, booking = shop
    booking.status = status
    session.add(booking)
    session.commit()
    with pytest.raises(Conflict) as caught:
        _reschedule(uow_factory, customer, booking)
    assert caught.value.code == "reschedule_closed"


def test_a_booking_for_right_now_has_no_time_to_move(session, uow_factory):
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    booking = make_booking(session, tenant, customer=customer, status=S.CONFIRMED)
    with pytest.raises(Conflict) as caught:
        _reschedule(uow_factory, customer, booking)
    assert caught.value.code == "not_scheduled"


@pytest.mark.parametrize(
    ("to", "code"),
    [
        (NOW + timedelta(minutes=90), "schedule_too_soon"),
        (NOW - timedelta(days=1), "schedule_too_soon"),
        (NOW + timedelta(days=91), "schedule_too_far"),
        (BOOKED_AT, "same_scheduled_at"),
        (datetime(2026, 6, 20, 9, 0), "invalid_scheduled_at"),
    ],
)
def test_the_new_time_must_be_in_the_future_within_ninety_days_and_different(
    session, uow_factory, shop, to, code
):
    _, customer, booking = shop
    with pytest.raises(ValidationFailed) as caught:
        _reschedule(uow_factory, customer, booking, to=to)
    assert (caught.value.code, caught.value.field) == (code, "scheduled_at")
    assert _reload(session, booking).scheduled_at == BOOKED_AT


def test_another_customer_gets_not_found_and_providers_and_finance_may_not_move_it(
    session, uow_factory, shop
):
    tenant, _, booking = shop
    stranger = make_user(session, tenant, role=Role.CUSTOMER)
    finance = make_user(session, tenant, role=Role.FINANCE)
    provider_user = make_user(session, tenant, role=Role.PROVIDER)
    booking.provider_id = make_provider(session, tenant, user=provider_user).id
    session.add(booking)
    session.commit()
    with pytest.raises(NotFound):
        _reschedule(uow_factory, stranger, booking)
    with pytest.raises(Forbidden):
        _reschedule(uow_factory, finance, booking)
    with pytest.raises(Forbidden):
        _reschedule(uow_factory, provider_user, booking)
    other_tenant_admin = make_user(session, make_tenant(session), role=Role.ADMIN)
    with pytest.raises(NotFound):
        _reschedule(uow_factory, other_tenant_admin, booking, reason="x")
