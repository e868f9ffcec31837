"""Booking online: what the wizard is offered, how the payment choice is kept, the history."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.bookings.creation import BookingCreate
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.core.errors import Forbidden, NotFound
from roadside_console.domain.customers.models import Vehicle
from roadside_console.domain.customers.self_service import (
    book_online,
    customer_booking_history,
    customer_booking_setup,
    guest_booking_setup,
)
from roadside_console.domain.identity.models import User
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.pricing.service import activate_storm_mode, create_quote
from roadside_console.domain.referrals.credits import move_credit
from roadside_console.domain.referrals.models import CreditReason
from roadside_console.domain.reviews.service import leave_review
from tests.factories import make_booking, make_provider
from tests.pricing.conftest import add_pricing_world

NOON = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # 2 pm in Atlanta


def _request(world, **overrides):
    values = {
        "service_id": world.jump.id,
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": 33.7628,
        "lng": -84.3927,
        "contact_name": "Jordan Miles",
        "contact_phone": "(404) 555-0101",
        "vehicle": {"make": "Honda", "model": "Accord"},
    }
    values.update(overrides)
    return BookingCreate(**values)


def _customer(session, world):
    return session.get(User, world.customer.user_id)


def test_a_guest_is_offered_the_named_workspace_services_and_the_manual_methods(
    session, uow_factory
):
    # given an operator with two services
    world = add_pricing_world(session)
    # when a guest opens the wizard for its workspace
    with uow_factory() as uow:
        setup = guest_booking_setup(uow, workspace=world.tenant.slug.upper())
    # then they see its services, its clock and lead time, and pay like a new customer
    assert {s.name for s in setup.services} == {"Towing", "Jump Start"}
    assert setup.tenant_id == world.tenant.id
    assert (setup.timezone, setup.min_schedule_lead_minutes) == ("America/New_York", 120)
    assert setup.payment_methods == [PaymentMethod.CASH, PaymentMethod.CASHAPP, PaymentMethod.ZELLE]
    assert (setup.credit_cents, setup.contact_name, setup.vehicles) == (0, "", [])


def test_a_guest_naming_an_unknown_workspace_is_told_so(session, uow_factory):
    with uow_factory() as uow, pytest.raises(NotFound) as caught:
        guest_booking_setup(uow, workspace="no-such-operator")
    assert caught.value.code == "workspace_not_found"


def test_a_trusted_customer_sees_card_their_credit_contact_and_each_vehicle_once(
    session, uow_factory
):
    # given a tier-2 customer with credit, a saved car, and two bookings of another car
    world = add_pricing_world(session)
    user = _customer(session, world)
    user.trust_tier, user.phone = 2, "+14045550111"
    session.add(user)
    session.add(
        Vehicle(
            tenant_id=world.tenant.id, owner_id=user.id, make="Ford", model="F-150", plate="TRK1"
        )
    )
    move_credit(
        session,
        tenant_id=world.tenant.id,
        user_id=user.id,
        amount_cents=1000,
        reason=CreditReason.ADJUSTMENT,
    )
    session.commit()
    for _ in range(2):
        make_booking(
            session,
            world.tenant,
            service=world.jump,
            customer=user,
            vehicle={"year": 2019, "make": "Honda", "model": "Civic", "plate": "abc 123"},
        )
    # when they open the wizard
    with uow_factory() as uow:
        setup = customer_booking_setup(uow, actor=world.customer)
    # then card is offered, credit and contact are filled in, and each vehicle appears once
    assert PaymentMethod.STRIPE in setup.payment_methods
    assert setup.credit_cents == 1000
    assert (setup.contact_name, setup.contact_phone) == (user.name, "+14045550111")
    assert setup.vehicles == [
        {"make": "Ford", "model": "F-150", "plate": "TRK1"},
        {"year": 2019, "make": "Honda", "model": "Civic", "plate": "abc 123"},
    ]


def test_a_guest_payment_choice_travels_in_the_booking_notes(session, uow_factory):
    world = add_pricing_world(session)
    with uow_factory() as uow:
        booked = book_online(
            uow,
            tenant_id=world.tenant.id,
            actor=None,
            data=_request(world, notes="Blue hatchback by the gate"),
            method=PaymentMethod.ZELLE,
            now=NOON,
        )
    booking = session.get(Booking, booked.created.booking_id)
    assert booking.notes == "Pays by Zelle. Blue hatchback by the gate"
    assert booked.created.tracking_token
    assert session.exec(select(Payment).where(Payment.booking_id == booking.id)).all() == []


def test_a_guest_cannot_choose_card_and_nothing_is_booked(session, uow_factory):
    world = add_pricing_world(session)
    with uow_factory() as uow, pytest.raises(Forbidden) as caught:
        book_online(
            uow,
            tenant_id=world.tenant.id,
            actor=None,
            data=_request(world),
            method=PaymentMethod.STRIPE,
            now=NOON,
        )
    assert caught.value.message == "Pay with cash, CashApp or Zelle."
    assert session.exec(select(Booking).where(Booking.tenant_id == world.tenant.id)).all() == []


def test_a_customer_paying_cash_leaves_a_pending_payment_at_the_locked_price(session, uow_factory):
    # given a customer's stored estimate, and storm mode starting right after
    world = add_pricing_world(session)
    with uow_factory() as uow:
        quote = create_quote(
            uow,
            tenant_id=world.tenant.id,
            actor_or_none=world.customer,
            request=QuoteRequest(service_id=world.jump.id, lat=33.7628, lng=-84.3927),
            now=NOON,
        )
    with uow_factory() as uow:
        activate_storm_mode(uow, actor=world.admin, template_id=world.ice_storm.id, reason="ice")
    # when they book with that estimate and choose cash
    with uow_factory() as uow:
        booked = book_online(
            uow,
            tenant_id=world.tenant.id,
            actor=world.customer,
            data=_request(world, quote_id=quote.id),
            method=PaymentMethod.CASH,
            now=NOON + timedelta(minutes=5),
        )
    # then the quoted price holds and a cash payment waits for staff to confirm it
    payment = session.exec(
        select(Payment).where(Payment.booking_id == booked.created.booking_id)
    ).one()
    assert booked.created.total_cents == quote.total_cents == 10000
    assert (payment.method, payment.status, payment.amount_cents) == (
        PaymentMethod.CASH,
        PaymentStatus.PENDING,
        10000,
    )
    assert booked.payment_note == ""


def test_a_tier_one_customer_cannot_choose_card(session, uow_factory):
    world = add_pricing_world(session)
    with uow_factory() as uow, pytest.raises(Forbidden):
        book_online(
            uow,
            tenant_id=world.tenant.id,
            actor=world.customer,
            data=_request(world),
            method=PaymentMethod.STRIPE,
            now=NOON,
        )


def test_the_history_offers_cancel_while_allowed_and_review_once_per_completed_job(
    session, uow_factory
):
    # given a confirmed, a completed and a cancelled booking
    world = add_pricing_world(session)
    user = _customer(session, world)
    provider = make_provider(session, world.tenant)
    confirmed = make_booking(
        session, world.tenant, service=world.jump, customer=user, status=BookingStatus.CONFIRMED
    )
    done = make_booking(
        session,
        world.tenant,
        service=world.jump,
        customer=user,
        status=BookingStatus.COMPLETED,
        provider_id=provider.id,
    )
    cancelled = make_booking(
        session, world.tenant, service=world.jump, customer=user, status=BookingStatus.CANCELLED
    )
    # when the customer reads their history before and after reviewing the completed job
    with uow_factory() as uow:
        before = customer_booking_history(uow, actor=world.customer)
    with uow_factory() as uow:
        leave_review(uow, actor=world.customer, booking_id=done.id, stars=5)
    with uow_factory() as uow:
        after = customer_booking_history(uow, actor=world.customer)
    # then cancel is offered only on the open booking, and review only until it is given
    actions = {r.booking_id: (r.can_cancel, r.can_review) for r in before.rows}
    assert actions == {
        confirmed.id: (True, False),
        done.id: (False, True),
        cancelled.id: (False, False),
    }
    assert {r.booking_id: r.can_review for r in after.rows}[done.id] is False
    assert before.timezone == "America/New_York"


def test_the_history_holds_only_the_customers_own_bookings(session, uow_factory):
    world = add_pricing_world(session)
    make_booking(session, world.tenant, service=world.jump)  # someone else's
    with uow_factory() as uow:
        history = customer_booking_history(uow, actor=world.customer)
    assert history.rows == []
