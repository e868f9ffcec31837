"""The customer's referral page: their code, their credit, and whether a friend's code is open."""

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.referrals.credits import move_credit
from roadside_console.domain.referrals.models import CreditReason
from roadside_console.domain.referrals.queries import referral_overview
from tests.factories import actor_of, make_booking, make_tenant, make_user
from tests.referrals.support import referred_pair


def test_a_new_customer_gets_a_code_that_stays_and_may_still_apply_a_friends(session, uow_factory):
    # given a customer who never asked for their code
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.CUSTOMER)
    # when they open the referrals page twice
    with uow_factory() as uow:
        first = referral_overview(uow, actor=actor_of(user))
    with uow_factory() as uow:
        again = referral_overview(uow, actor=actor_of(user))
    # then the same code is shown, with no credit yet and the reward a friend earns them
    assert first.code == again.code and len(first.code) == 8
    assert (first.credit_cents, first.reward_cents) == (0, 1000)
    assert (first.can_apply, first.referred_by) == (True, "")


def test_after_applying_a_code_the_page_names_the_referrer_and_closes_the_form(
    session, uow_factory
):
    tenant = make_tenant(session)
    referrer, referee = referred_pair(session, uow_factory, tenant)
    with uow_factory() as uow:
        overview = referral_overview(uow, actor=actor_of(referee))
    assert overview.can_apply is False
    assert overview.referred_by == referrer.name.split()[0]


def test_credit_shows_and_a_completed_job_closes_the_form(session, uow_factory):
    # given a customer with credit and a completed job
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.CUSTOMER)
    move_credit(
        session,
        tenant_id=tenant.id,
        user_id=user.id,
        amount_cents=2500,
        reason=CreditReason.ADJUSTMENT,
    )
    session.commit()
    make_booking(session, tenant, customer=user, status=BookingStatus.COMPLETED)
    # when they open the page
    with uow_factory() as uow:
        overview = referral_overview(uow, actor=actor_of(user))
    # then their balance shows and codes are no longer for them
    assert overview.credit_cents == 2500
    assert overview.can_apply is False
