from datetime import UTC, datetime

import pytest
from sqlmodel import select

from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.bookings.creation import BookingCreate, create_booking
from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Role
from roadside_console.domain.ledger.service import reconcile_tenant
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.pricing.service import credit_balance
from roadside_console.domain.referrals import service as referrals
from roadside_console.domain.referrals.models import (
    CreditEntry,
    CreditReason,
    Referral,
    ReferralStatus,
)
from roadside_console.domain.tenants.service import get_tenant_settings
from tests.factories import actor_of, make_user
from tests.payments.support import make_world
from tests.pricing.conftest import add_pricing_world
from tests.referrals.support import balance, grant_credit, paid_job, referred_pair

# 14:00 in Atlanta: the Standard block (×1.00) applies.
NOON = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)


def _rewards(session, referral_id):
    session.expire_all()
    return session.exec(
        select(CreditEntry).where(
            CreditEntry.referral_id == referral_id,
            CreditEntry.reason == CreditReason.REFERRAL_REWARD,
        )
    ).all()


@pytest.mark.parametrize(
    "pay_first", [True, False], ids=["paid-then-completed", "completed-then-paid"]
)
def test_both_sides_earn_ten_dollars_when_the_referees_first_job_is_completed_and_paid(
    session, uow_factory, pay_first
):
    # given a referee who applied a friend's code
    world = make_world(session)
    referrer, referee = referred_pair(session, uow_factory, world.tenant)
    # when their first job is completed and paid, in either order
    paid_job(session, uow_factory, world, referee, pay_first=pay_first)
    # then both earn the tenant's reward once, the referral is rewarded, and the books agree
    assert (balance(session, referrer), balance(session, referee)) == (1000, 1000)
    referral = session.exec(select(Referral).where(Referral.referee_id == referee.id)).one()
    assert referral.status is ReferralStatus.REWARDED and referral.rewarded_at is not None
    assert len(_rewards(session, referral.id)) == 2
    assert world.report(session).differences == []


def test_the_second_booking_earns_nothing_more(session, uow_factory):
    # given a referral already rewarded on the first job
    world = make_world(session)
    referrer, referee = referred_pair(session, uow_factory, world.tenant)
    paid_job(session, uow_factory, world, referee)
    # when the referee's second job is completed and paid
    paid_job(session, uow_factory, world, referee, pay_first=False)
    # then no more credit is earned
    assert (balance(session, referrer), balance(session, referee)) == (1000, 1000)
    assert world.report(session).differences == []


def test_the_reward_hook_running_twice_rewards_once(session, uow_factory):
    # given a rewarded referral
    world = make_world(session)
    referrer, referee = referred_pair(session, uow_factory, world.tenant)
    booking, _ = paid_job(session, uow_factory, world, referee)
    # when the hook runs again for the same booking
    again = referrals.reward_referral_if_due(session, booking=session.get(Booking, booking.id))
    session.commit()
    # then nothing more is credited
    assert again is None
    assert (balance(session, referrer), balance(session, referee)) == (1000, 1000)
    assert world.report(session).differences == []


def test_the_reward_follows_the_tenants_setting(session, uow_factory):
    # given a tenant that rewards $25
    world = make_world(session)
    settings = get_tenant_settings(session, world.tenant.id)
    settings.referral_reward_cents = 2500
    session.add(settings)
    session.commit()
    referrer, referee = referred_pair(session, uow_factory, world.tenant)
    # when
    paid_job(session, uow_factory, world, referee)
    # then
    assert (balance(session, referrer), balance(session, referee)) == (2500, 2500)


def test_a_customer_without_a_referral_earns_nothing(session, uow_factory):
    world = make_world(session)
    paid_job(session, uow_factory, world, world.customer)
    assert balance(session, world.customer) == 0
    assert world.report(session).differences == []


def _request(world, **overrides):
    values = {
        "service_id": world.jump.id,
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": 33.7628,
        "lng": -84.3927,
        "contact_name": "Jordan Miles",
        "contact_phone": "(404) 555-0101",
    }
    values.update(overrides)
    return BookingCreate(**values)


def _booking_spending_credit(session, uow_factory):
    """A customer with $10 credit books a $100 jump start and pays $90."""
    world = add_pricing_world(session)
    grant_credit(session, world.tenant.id, world.customer.user_id, 1000)
    with uow_factory() as uow:
        created = create_booking(
            uow, tenant_id=world.tenant.id, actor=world.customer, data=_request(world), now=NOON
        )
    assert created.total_cents == 9000
    return world, created.booking_id


def _balance_of(session, world):
    session.expire_all()
    return credit_balance(session, tenant_id=world.tenant.id, user_id=world.customer.user_id)


def _reconciled(session, world):
    return reconcile_tenant(session, tenant_id=world.tenant.id).differences == []


def test_cancelling_a_booking_returns_the_credit_it_spent_once(session, uow_factory):
    # given a booking that spent $10 of credit
    world, booking_id = _booking_spending_credit(session, uow_factory)
    assert _balance_of(session, world) == 0
    # when the customer cancels it
    with uow_factory() as uow:
        bookings.cancel_booking(uow, actor=world.customer, booking_id=booking_id)
    # then the credit is back, once, and the liability matches
    assert _balance_of(session, world) == 1000
    returned = session.exec(
        select(CreditEntry).where(
            CreditEntry.booking_id == booking_id, CreditEntry.reason == CreditReason.RETURNED
        )
    ).all()
    assert [r.amount_cents for r in returned] == [1000]
    referrals.return_spent_credit(session, booking=session.get(Booking, booking_id))
    session.commit()
    assert _balance_of(session, world) == 1000
    assert _reconciled(session, world)


def _pay(session, uow_factory, world, booking_id):
    finance = actor_of(make_user(session, world.tenant, role=Role.FINANCE))
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=finance, booking_id=booking_id, method=PaymentMethod.CASH
        )
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=finance, payment_id=view.payment_id)
    return finance, view


def test_a_full_refund_returns_the_credit_and_a_partial_one_does_not(session, uow_factory):
    # given a paid $90 booking that spent $10 of credit
    world, booking_id = _booking_spending_credit(session, uow_factory)
    finance, view = _pay(session, uow_factory, world, booking_id)
    assert view.amount_cents == 9000
    # when $40 is refunded
    with uow_factory() as uow:
        payments.refund_payment(
            uow, actor=finance, payment_id=view.payment_id, amount_cents=4000, reference="R-1"
        )
    # then the credit stays spent
    assert _balance_of(session, world) == 0
    assert _reconciled(session, world)
    # when the remaining $50 is refunded
    with uow_factory() as uow:
        payments.refund_payment(
            uow, actor=finance, payment_id=view.payment_id, amount_cents=5000, reference="R-2"
        )
    # then the payment is fully refunded, the credit comes back, and the books agree
    assert _balance_of(session, world) == 1000
    assert _reconciled(session, world)


def test_cancelling_after_a_full_refund_does_not_return_the_credit_twice(session, uow_factory):
    # given a fully refunded booking that spent $10 of credit
    world, booking_id = _booking_spending_credit(session, uow_factory)
    finance, view = _pay(session, uow_factory, world, booking_id)
    with uow_factory() as uow:
        payments.refund_payment(
            uow, actor=finance, payment_id=view.payment_id, amount_cents=9000, reference="R-1"
        )
    # when staff cancel it too
    admin = world.admin
    with uow_factory() as uow:
        bookings.cancel_booking(
            uow, actor=admin, booking_id=booking_id, reason="Customer refunded, job dropped"
        )
    # then the credit came back once
    assert _balance_of(session, world) == 1000
    assert _reconciled(session, world)
