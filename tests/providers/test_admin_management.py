"""Staff changing a provider: commission terms, availability for them, specialties; all audited."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from roadside_console.domain.payouts.rules import split_job_price
from roadside_console.domain.providers import management
from roadside_console.domain.providers.models import CommissionType, ProviderStatus
from tests.factories import actor_of, make_provider, make_tenant, make_user
from tests.providers.support import reloaded

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PCT, FLAT = CommissionType.PERCENTAGE, CommissionType.FLAT_PER_JOB


@pytest.fixture()
def desk(session):
    tenant = make_tenant(session)
    admin = actor_of(make_user(session, tenant, role=Role.ADMIN))
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    provider = make_provider(session, tenant, is_available=False)
    return tenant, admin, dispatcher, provider


def _audits(session, tenant, action):
    return session.exec(
        select(AuditEntry).where(AuditEntry.tenant_id == tenant.id, AuditEntry.action == action)
    ).all()


def _commission(uow_factory, actor, provider, kind, **terms):
    with uow_factory() as uow:
        return management.update_commission(
            uow, actor=actor, provider_id=provider.id, commission_type=kind, now=NOW, **terms
        )


def test_an_admin_sets_a_percentage_share_in_basis_points_and_it_is_audited(
    session, uow_factory, desk
):
    # given a provider on the default 70 %
    tenant, admin, _, provider = desk
    # when the admin sets 72.5 %
    view = _commission(uow_factory, admin, provider, PCT, rate_bp=7250)
    # then it is stored exactly, splits a job that way, and the audit has before and after
    stored = reloaded(session, provider)
    assert (view.commission_type, view.rate_bp, view.flat_fee_cents) == ("percentage", 7250, None)
    assert (stored.commission_rate_bp, stored.flat_fee_cents) == (7250, None)
    split = split_job_price(
        10000, commission_type=stored.commission_type, provider_share_bp=7250, flat_fee_cents=None
    )
    assert split.provider_cents == 7250
    [audit] = _audits(session, tenant, "provider.commission_changed")
    assert audit.actor_id == admin.user_id
    assert audit.changes["from"]["rate_bp"] == 7000 and audit.changes["to"]["rate_bp"] == 7250


def test_a_flat_fee_per_job_is_kept_in_cents_and_switching_back_drops_it(
    session, uow_factory, desk
):
    _, admin, _, provider = desk
    _commission(uow_factory, admin, provider, FLAT, flat_fee_cents=4550)
    stored = reloaded(session, provider)
    assert (stored.commission_type, stored.flat_fee_cents, stored.commission_rate_bp) == (
        FLAT,
        4550,
        7000,
    )
    _commission(uow_factory, admin, provider, PCT, rate_bp=6500)
    stored = reloaded(session, provider)
    assert (stored.commission_type, stored.flat_fee_cents, stored.commission_rate_bp) == (
        PCT,
        None,
        6500,
    )


@pytest.mark.parametrize(
    ("kind", "terms", "field"),
    [
        (PCT, {"rate_bp": 10001}, "rate"),
        (PCT, {"rate_bp": -1}, "rate"),
        (PCT, {}, "rate"),
        (FLAT, {"flat_fee_cents": 0}, "flat_fee"),
        (FLAT, {"flat_fee_cents": 1_000_001}, "flat_fee"),
        (FLAT, {"rate_bp": 5000}, "flat_fee"),
    ],
)
def test_impossible_commission_terms_are_refused_and_nothing_changes(
    session, uow_factory, desk, kind, terms, field
):
    tenant, admin, _, provider = desk
    with pytest.raises(ValidationFailed) as refused:
        _commission(uow_factory, admin, provider, kind, **terms)
    assert refused.value.field == field
    stored = reloaded(session, provider)
    assert (stored.commission_type, stored.commission_rate_bp) == (PCT, 7000)
    assert _audits(session, tenant, "provider.commission_changed") == []


def test_a_dispatcher_cannot_change_what_a_provider_is_paid(session, uow_factory, desk):
    _, _, dispatcher, provider = desk
    with pytest.raises(Forbidden):
        _commission(uow_factory, dispatcher, provider, PCT, rate_bp=9000)
    assert reloaded(session, provider).commission_rate_bp == 7000
    assert management.may_change_commission(dispatcher) is False


def test_another_workspace_cannot_touch_the_provider(session, uow_factory, desk):
    _, _, _, provider = desk
    outsider = actor_of(make_user(session, make_tenant(session), role=Role.ADMIN))
    with pytest.raises(NotFound):
        _commission(uow_factory, outsider, provider, PCT, rate_bp=9000)


def _availability(uow_factory, actor, provider, available, reason=None):
    with uow_factory() as uow:
        return management.set_provider_availability(
            uow, actor=actor, provider_id=provider.id, available=available, reason=reason, now=NOW
        )


def test_a_dispatcher_puts_an_active_provider_on_and_off_duty_with_an_audit(
    session, uow_factory, desk
):
    # given an active provider off duty
    tenant, _, dispatcher, provider = desk
    # when the dispatcher puts them on duty (they phoned in), then off again
    on = _availability(uow_factory, dispatcher, provider, True, reason="Called the desk")
    assert reloaded(session, provider).is_available is True
    off = _availability(uow_factory, dispatcher, provider, False)
    # then each answer says so, and both changes are audited with who did it
    assert (on.available, off.available) == (True, False)
    assert reloaded(session, provider).is_available is False
    audits = _audits(session, tenant, "provider.availability_changed")
    assert sorted((a.changes["to"], a.reason) for a in audits) == [
        (False, None),
        (True, "Called the desk"),
    ]
    assert {a.actor_id for a in audits} == {dispatcher.user_id}


@pytest.mark.parametrize("status", [ProviderStatus.PENDING, ProviderStatus.INACTIVE])
def test_a_provider_who_is_not_active_cannot_be_put_on_duty(session, uow_factory, status):
    tenant = make_tenant(session)
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    provider = make_provider(session, tenant, status=status, is_available=False)
    with pytest.raises(Conflict) as refused:
        _availability(uow_factory, dispatcher, provider, True)
    assert refused.value.code == "provider_not_active"
    assert status.value in refused.value.message
    assert reloaded(session, provider).is_available is False


def test_finance_cannot_switch_a_providers_availability(session, uow_factory, desk):
    tenant, _, _, provider = desk
    finance = actor_of(make_user(session, tenant, role=Role.FINANCE))
    with pytest.raises(Forbidden):
        _availability(uow_factory, finance, provider, True)


def test_specialties_are_stored_the_way_dispatch_matches_them(session, uow_factory, desk):
    tenant, _, dispatcher, provider = desk
    with uow_factory() as uow:
        stored = management.set_specialties(
            uow,
            actor=dispatcher,
            provider_id=provider.id,
            specialties=[" Towing", "roadside", "", "towing", "Lockout  Service"],
        )
    assert stored == ["lockout service", "roadside", "towing"]
    assert reloaded(session, provider).specialties == stored
    [audit] = _audits(session, tenant, "provider.specialties_changed")
    assert audit.changes == {"from": ["roadside"], "to": stored}


def test_an_overlong_specialty_is_refused(uow_factory, desk):
    _, _, dispatcher, provider = desk
    with uow_factory() as uow, pytest.raises(ValidationFailed) as refused:
        management.set_specialties(
            uow, actor=dispatcher, provider_id=provider.id, specialties=["x" * 41]
        )
    assert refused.value.field == "specialties"
