from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings.creation import BookingCreate, create_booking
from roadside_console.domain.bookings.models import Booking, BookingEvent, BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, ValidationFailed
from roadside_console.domain.core.group_commit import run_together
from roadside_console.domain.core.secrets import token_digest
from roadside_console.domain.notifications.models import OutboxMessage
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.pricing.service import activate_storm_mode, create_quote
from roadside_console.domain.referrals.models import CreditEntry, CreditReason
from tests.factories import actor_of, make_user
from tests.pricing.conftest import add_pricing_world

# 14:00 in Atlanta: the Standard block (×1.00) applies.
NOON = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)


def _request(world, **overrides):
    values = {
        "service_id": world.jump.id,
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": 33.7628,
        "lng": -84.3927,
        "contact_name": "Jordan Miles",
        "contact_phone": "(404) 555-0101",
        "vehicle": {"year": 2018, "make": "Honda", "model": "Accord"},
    }
    values.update(overrides)
    return BookingCreate(**values)


def _give_credit(session, world, cents):
    """Give the world's customer `cents` of referral credit (committed)."""
    session.add(
        CreditEntry(
            tenant_id=world.tenant.id,
            user_id=world.customer.user_id,
            amount_cents=cents,
            reason=CreditReason.REFERRAL_REWARD,
        )
    )
    session.commit()


def _bookings(session, tenant):
    return session.exec(
        select(func.count()).select_from(Booking).where(Booking.tenant_id == tenant.id)
    ).one()


def test_a_guest_books_a_jump_start_now_and_it_is_confirmed_with_a_tracking_link(
    session, uow_factory
):
    # given an operator at 2 pm local time
    world = add_pricing_world(session)
    # when a guest books without an estimate
    with uow_factory() as uow:
        created = create_booking(
            uow, tenant_id=world.tenant.id, actor=None, data=_request(world), now=NOON
        )
    # then it is priced now, confirmed for dispatch, and texted a tracking link
    booking = session.get(Booking, created.booking_id)
    assert created.total_cents == 10000 == booking.estimated_price_cents
    assert sum(line["amount_cents"] for line in booking.price_breakdown) == 10000
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.contact_phone == "+14045550101"
    assert booking.tracking_token_hash == token_digest(created.tracking_token)
    kinds = session.exec(
        select(BookingEvent.kind).where(BookingEvent.booking_id == booking.id)
    ).all()
    assert kinds == ["booking_created", "status_changed"]
    sms = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.topic == "booking.created", OutboxMessage.tenant_id == world.tenant.id
        )
    ).one()
    assert created.tracking_token in sms.body


def test_a_quote_locks_the_price_even_after_storm_mode_starts(session, uow_factory):
    # given an estimate for a 25-mile tow
    world = add_pricing_world(session)
    request = QuoteRequest(service_id=world.towing.id, towing_miles=25, lat=33.76, lng=-84.39)
    with uow_factory() as uow:
        quote = create_quote(
            uow, tenant_id=world.tenant.id, actor_or_none=None, request=request, now=NOON
        )
    # when storm mode starts and the booking is made five minutes later with the quote
    with uow_factory() as uow:
        activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="ice on I-285"
        )
    later = NOON + timedelta(minutes=5)
    with uow_factory() as uow:
        locked = create_booking(
            uow,
            tenant_id=world.tenant.id,
            actor=None,
            now=later,
            data=_request(
                world,
                service_id=world.towing.id,
                towing_miles=25,
                lat=33.76,
                lng=-84.39,
                quote_id=quote.id,
            ),
        )
    with uow_factory() as uow:
        unlocked = create_booking(
            uow,
            tenant_id=world.tenant.id,
            actor=None,
            now=later,
            data=_request(
                world, service_id=world.towing.id, towing_miles=25, lat=33.76, lng=-84.39
            ),
        )
    # then the quoted total is charged, while a booking without a quote pays the storm price
    assert locked.total_cents == quote.total_cents == 12500 + 15 * 300
    assert unlocked.total_cents > locked.total_cents


def test_an_expired_quote_is_refused_and_nothing_is_written(session, uow_factory):
    world = add_pricing_world(session)
    with uow_factory() as uow:
        quote = create_quote(
            uow,
            tenant_id=world.tenant.id,
            actor_or_none=None,
            request=QuoteRequest(service_id=world.jump.id),
            now=NOON,
        )
    with uow_factory() as uow, pytest.raises(ValidationFailed) as caught:
        create_booking(
            uow,
            tenant_id=world.tenant.id,
            actor=None,
            data=_request(world, quote_id=quote.id),
            now=NOON + timedelta(minutes=16),
        )
    assert caught.value.code == "quote_expired"
    assert _bookings(session, world.tenant) == 0


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"contact_phone": "12"}, "invalid_phone", "contact_phone"),
        ({"contact_name": "  "}, "contact_name_required", "contact_name"),
        ({"lat": 123.0}, "invalid_coordinates", None),
        ({"towing_miles": -3}, "invalid_miles", "towing_miles"),
        ({"scheduled_at": NOON + timedelta(minutes=90)}, "schedule_too_soon", "scheduled_at"),
    ],
)
def test_bad_input_is_a_typed_error_naming_the_field_and_nothing_is_written(
    session, uow_factory, overrides, code, field
):
    world = add_pricing_world(session)
    data = _request(world, **overrides)
    if "towing_miles" in overrides:
        data = _request(world, service_id=world.towing.id, **overrides)
    with uow_factory() as uow, pytest.raises(ValidationFailed) as caught:
        create_booking(uow, tenant_id=world.tenant.id, actor=None, data=data, now=NOON)
    assert caught.value.code == code
    if field:
        assert caught.value.field == field
    assert _bookings(session, world.tenant) == 0


def test_a_scheduled_booking_waits_for_staff_to_confirm_it(session, uow_factory):
    world = add_pricing_world(session)
    with uow_factory() as uow:
        created = create_booking(
            uow,
            tenant_id=world.tenant.id,
            actor=world.customer,
            now=NOON,
            data=_request(world, scheduled_at=NOON + timedelta(hours=3)),
        )
    assert created.status is BookingStatus.PENDING
    assert created.mode.value == "scheduled"


def test_a_customer_spends_referral_credit_as_its_own_line(session, uow_factory):
    # given a customer with $10 of referral credit
    world = add_pricing_world(session)
    _give_credit(session, world, 1000)
    # when they book a jump start
    with uow_factory() as uow:
        created = create_booking(
            uow, tenant_id=world.tenant.id, actor=world.customer, data=_request(world), now=NOON
        )
    # then the credit is a line of the price and is spent
    assert created.total_cents == 9000
    assert [line["amount_cents"] for line in created.breakdown if "credit" in line["code"]] == [
        -1000
    ]
    spent = session.exec(
        select(CreditEntry).where(CreditEntry.booking_id == created.booking_id)
    ).one()
    assert (spent.amount_cents, spent.reason) == (-1000, CreditReason.SPENT)


def test_a_dispatcher_books_for_a_caller_and_it_is_audited(session, uow_factory):
    world = add_pricing_world(session)
    with uow_factory() as uow:
        created = create_booking(
            uow,
            tenant_id=world.tenant.id,
            actor=world.dispatcher,
            data=_request(world, customer_id=world.customer.user_id),
            now=NOON,
        )
    booking = session.get(Booking, created.booking_id)
    assert booking.customer_id == world.customer.user_id
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.target_id == str(booking.id), AuditEntry.action == "booking.created"
        )
    ).one()
    assert audit.actor_id == world.dispatcher.user_id


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.FINANCE])
def test_providers_and_finance_cannot_create_bookings(session, uow_factory, role):
    world = add_pricing_world(session)
    actor = actor_of(make_user(session, world.tenant, role=role))
    with uow_factory() as uow, pytest.raises(Forbidden):
        create_booking(uow, tenant_id=world.tenant.id, actor=actor, data=_request(world), now=NOON)


def test_a_customer_cannot_book_in_another_customers_name(session, uow_factory):
    world = add_pricing_world(session)
    other = make_user(session, world.tenant, role=Role.CUSTOMER)
    with uow_factory() as uow, pytest.raises(Forbidden):
        create_booking(
            uow,
            tenant_id=world.tenant.id,
            actor=world.customer,
            now=NOON,
            data=_request(world, customer_id=other.id),
        )


def test_spending_referral_credit_keeps_the_books_balanced(session, uow_factory):
    from roadside_console.domain.ledger.service import post_credit_issued, reconcile_tenant

    # given a customer who was granted $10 (posted to the ledger as the referrals code will)
    world = add_pricing_world(session)
    session.add(
        CreditEntry(
            tenant_id=world.tenant.id,
            user_id=world.customer.user_id,
            amount_cents=1000,
            reason=CreditReason.REFERRAL_REWARD,
        )
    )
    post_credit_issued(session, tenant_id=world.tenant.id, amount_cents=1000)
    session.commit()
    # when they spend it on a booking
    with uow_factory() as uow:
        create_booking(
            uow, tenant_id=world.tenant.id, actor=world.customer, data=_request(world), now=NOON
        )
    # then the credit liability still matches issued minus spent
    report = reconcile_tenant(session, tenant_id=world.tenant.id)
    assert report.differences == []


def test_bookings_grouped_in_one_commit_spend_a_customers_credit_only_once(session, uow_factory):
    # given a customer with $10 of referral credit
    world = add_pricing_world(session)
    _give_credit(session, world, 1000)

    def book(uow):
        return create_booking(
            uow, tenant_id=world.tenant.id, actor=world.customer, data=_request(world), now=NOON
        )

    # when two of their bookings and a guest's go through one group commit
    guest = lambda uow: create_booking(  # noqa: E731
        uow, tenant_id=world.tenant.id, actor=None, data=_request(world), now=NOON
    )
    outcomes = run_together(uow_factory, [book, guest, book])
    # then all three are booked, the credit pays for the first only, and the balance stays at 0
    first, other, second = (outcome.unwrap() for outcome in outcomes)
    assert (first.total_cents, other.total_cents, second.total_cents) == (9000, 10000, 10000)
    balance = session.exec(
        select(func.sum(CreditEntry.amount_cents)).where(
            CreditEntry.user_id == world.customer.user_id
        )
    ).one()
    assert balance == 0
    assert _bookings(session, world.tenant) == 3
