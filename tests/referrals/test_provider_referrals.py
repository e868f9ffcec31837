from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.core.errors import Conflict, Throttled, ValidationFailed
from roadside_console.domain.identity.models import User
from roadside_console.domain.payouts.batches import run_payout_batch
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.referrals import service as referrals
from roadside_console.domain.referrals.models import Referral, ReferralKind, ReferralStatus
from tests.factories import actor_of, make_provider
from tests.payments.support import make_world
from tests.referrals.support import paid_job

T0 = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def _referred_world(session):
    """The world's provider was brought in by another provider."""
    world = make_world(session)
    referrer = make_provider(session, world.tenant)
    referrals.record_provider_referral(
        session,
        tenant_id=world.tenant.id,
        referrer_provider_id=referrer.id,
        referred_provider_id=world.provider.id,
    )
    session.commit()
    world.ids["provider_user"] = world.provider.user_id
    return world, referrer.id


def _bonuses(session, provider_id):
    session.expire_all()
    return session.exec(
        select(ProviderPayout).where(
            ProviderPayout.provider_id == provider_id, ProviderPayout.kind == PayoutKind.BONUS
        )
    ).all()


def test_recording_a_provider_referral_links_both_providers(session):
    # given / when
    world, referrer_id = _referred_world(session)
    # then
    assert session.get(Provider, world.ids["provider"]).referred_by_provider_id == referrer_id
    referral = session.exec(
        select(Referral).where(Referral.referee_id == world.ids["provider_user"])
    ).one()
    assert (referral.kind, referral.status) == (ReferralKind.PROVIDER, ReferralStatus.PENDING)


def test_a_provider_cannot_be_referred_twice_or_refer_themselves(session):
    # given a referred provider
    world, _ = _referred_world(session)
    other = make_provider(session, world.tenant)
    # when / then
    with pytest.raises(Conflict):
        referrals.record_provider_referral(
            session,
            tenant_id=world.tenant.id,
            referrer_provider_id=other.id,
            referred_provider_id=world.provider.id,
        )
    with pytest.raises(ValidationFailed):
        referrals.record_provider_referral(
            session,
            tenant_id=world.tenant.id,
            referrer_provider_id=other.id,
            referred_provider_id=other.id,
        )


def test_the_referrer_gets_a_fifty_dollar_bonus_in_the_next_batch_once(session, uow_factory):
    # given a referred provider who has not worked yet
    world, referrer_id = _referred_world(session)
    assert _bonuses(session, referrer_id) == []
    # when they complete their first paid job, and then a second one
    paid_job(session, uow_factory, world, world.customer, price=10000)
    paid_job(session, uow_factory, world, world.customer, price=10000, pay_first=False)
    # then the referrer is owed one pending $50 bonus and the books agree
    bonuses = _bonuses(session, referrer_id)
    assert [(b.amount_cents, b.status) for b in bonuses] == [(5000, PayoutStatus.PENDING)]
    assert world.report(session).differences == []
    # when finance runs the next batch
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    # then it pays the bonus with the earnings, once
    assert result.paid == {referrer_id: 5000, world.ids["provider"]: 14000}
    assert [b.status for b in _bonuses(session, referrer_id)] == [PayoutStatus.PAID]
    assert world.report(session).differences == []
    referral = session.exec(
        select(Referral).where(Referral.referee_id == world.ids["provider_user"])
    ).one()
    assert referral.status is ReferralStatus.REWARDED


def test_the_bonus_hook_running_twice_pays_once(session, uow_factory):
    # given a bonus already owed
    world, referrer_id = _referred_world(session)
    paid_job(session, uow_factory, world, world.customer)
    # when the hook runs again
    again = referrals.provider_bonus_if_due(session, provider_id=world.ids["provider"])
    session.commit()
    # then
    assert again is None
    assert len(_bonuses(session, referrer_id)) == 1
    assert world.report(session).differences == []


def test_a_provider_may_send_five_invites_in_any_thirty_days(session, uow_factory):
    # given a provider who sent five invites over two days
    world = make_world(session)
    actor = world.provider_actor
    for day in range(5):
        with uow_factory() as uow:
            invite = referrals.invite_provider_referral(
                uow, actor=actor, email=f"tech{day}@example.com", now=T0 + timedelta(hours=day)
            )
    assert invite.invites_left == 0
    # when they send a sixth within 30 days
    with uow_factory() as uow, pytest.raises(Throttled) as error:
        referrals.invite_provider_referral(
            uow, actor=actor, email="tech6@example.com", now=T0 + timedelta(days=29)
        )
    # then it is refused, saying when they can try again
    assert error.value.code == "provider_invite_limit"
    assert 0 < error.value.retry_after_seconds <= timedelta(days=1).total_seconds() + 1
    # when the first invite is more than 30 days old
    with uow_factory() as uow:
        invite = referrals.invite_provider_referral(
            uow, actor=actor, email="tech6@example.com", now=T0 + timedelta(days=30, minutes=1)
        )
    # then one more is allowed
    assert invite.email == "tech6@example.com" and invite.token


def test_invites_are_counted_per_provider(session, uow_factory):
    # given one provider at the limit
    world = make_world(session)
    for n in range(5):
        with uow_factory() as uow:
            referrals.invite_provider_referral(
                uow, actor=world.provider_actor, email=f"a{n}@example.com", now=T0
            )
    # when a colleague invites someone
    colleague = make_provider(session, world.tenant)
    with uow_factory() as uow:
        invite = referrals.invite_provider_referral(
            uow,
            actor=actor_of(session.get(User, colleague.user_id)),
            email="b@example.com",
            now=T0,
        )
    # then it is allowed
    assert invite.invites_left == 4
