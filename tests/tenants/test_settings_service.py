"""Workspace settings: who may read and change them, the ranges, the audit, the next quote."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, ValidationFailed
from roadside_console.domain.pricing import service as pricing
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.providers import onboarding
from roadside_console.domain.providers.models import CommissionType, Provider
from roadside_console.domain.tenants.service import get_tenant_settings
from roadside_console.domain.tenants.settings_service import (
    WorkspaceSettingsUpdate,
    get_workspace_settings,
    update_workspace_settings,
)
from tests.factories import actor_of, make_booking, make_provider, make_user
from tests.pricing.builders import at_local_hour
from tests.pricing.conftest import PricingWorld, add_pricing_world

EVENING = at_local_hour(19)  # After-Hours ×1.25 in New York


def _update(uow_factory, actor, **changes):
    with uow_factory() as uow:
        return update_workspace_settings(
            uow, actor=actor, changes=WorkspaceSettingsUpdate(**changes)
        )


def _audits(session, world: PricingWorld) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry).where(
                AuditEntry.tenant_id == world.tenant.id,
                AuditEntry.action == "workspace.settings_changed",
            )
        )
    )


def _evening_jump_start(uow_factory, world: PricingWorld):
    with uow_factory() as uow:
        return pricing.create_quote(
            uow,
            tenant_id=world.tenant.id,
            actor_or_none=None,
            request=QuoteRequest(service_id=world.jump.id),
            now=EVENING,
        )


def test_staff_read_every_setting_but_only_an_admin_may_change_them(session, uow_factory):
    # given
    world = add_pricing_world(session)
    finance = actor_of(make_user(session, world.tenant, role=Role.FINANCE))

    # when
    with uow_factory() as uow:
        as_admin = get_workspace_settings(uow, actor=world.admin)
    with uow_factory() as uow:
        as_dispatcher = get_workspace_settings(uow, actor=world.dispatcher)
    with uow_factory() as uow:
        as_finance = get_workspace_settings(uow, actor=finance)

    # then
    assert (as_admin.cancellation_fee_cents, as_admin.price_cap_bp) == (2500, 30000)
    assert as_admin.dispatch.offer_timeout_seconds == 60
    assert as_admin.trust_promotion_threshold == 3
    assert as_admin.can_change and not as_dispatcher.can_change and not as_finance.can_change
    assert as_dispatcher.referral_reward_cents == as_admin.referral_reward_cents


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.FINANCE, Role.CUSTOMER, Role.PROVIDER])
def test_anyone_but_an_admin_is_refused_and_nothing_changes(session, uow_factory, role):
    # given
    world = add_pricing_world(session)
    actor = actor_of(make_user(session, world.tenant, role=role))

    # when
    with pytest.raises(Forbidden):
        _update(uow_factory, actor, cancellation_fee_cents=0)

    # then
    session.expire_all()
    assert get_tenant_settings(session, world.tenant.id).cancellation_fee_cents == 2500
    assert _audits(session, world) == []


def test_customers_and_providers_may_not_even_read_the_settings(session, uow_factory):
    world = add_pricing_world(session)
    with uow_factory() as uow, pytest.raises(Forbidden):
        get_workspace_settings(uow, actor=world.customer)


def test_only_the_changed_fields_are_written_and_audited_once(session, uow_factory):
    # given
    world = add_pricing_world(session)

    # when the admin sends the whole form with two values changed
    view = _update(
        uow_factory,
        world.admin,
        cancellation_fee_cents=3500,
        price_cap_bp=30000,
        quote_ttl_minutes=20,
        referral_reward_cents=1000,
    )

    # then
    assert (view.cancellation_fee_cents, view.quote_ttl_minutes) == (3500, 20)
    (audit,) = _audits(session, world)
    assert audit.changes == {
        "cancellation_fee_cents": {"from": 2500, "to": 3500},
        "quote_ttl_minutes": {"from": 15, "to": 20},
    }
    assert audit.actor_id == world.admin.user_id
    session.expire_all()
    settings = get_tenant_settings(session, world.tenant.id)
    assert settings.updated_by_id == world.admin.user_id
    with uow_factory() as uow:
        again = get_workspace_settings(uow, actor=world.dispatcher)
    assert again.updated_by_name == world.admin.name and again.updated_at is not None


def test_saving_unchanged_values_writes_no_audit_entry(session, uow_factory):
    world = add_pricing_world(session)
    _update(uow_factory, world.admin, cancellation_fee_cents=2500, scarcity_enabled=True)
    assert _audits(session, world) == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"cancellation_fee_cents": 50_001}, "cancellation_fee_cents", "$0 to $500"),
        ({"cancellation_fee_cents": -1}, "cancellation_fee_cents", "cancellation fee"),
        ({"price_cap_bp": 9_999}, "price_cap_bp", "100 % to 1,000 %"),
        ({"price_cap_bp": 100_001}, "price_cap_bp", "price cap"),
        ({"quote_ttl_minutes": 0}, "quote_ttl_minutes", "1 to 120 minutes"),
        ({"quote_ttl_minutes": 121}, "quote_ttl_minutes", "quote lifetime"),
        ({"min_schedule_lead_minutes": -5}, "min_schedule_lead_minutes", "10,080"),
        ({"min_schedule_lead_minutes": 10_081}, "min_schedule_lead_minutes", "scheduled"),
        ({"scarcity_min_providers": 0}, "scarcity_min_providers", "providers online"),
        ({"scarcity_step_bp": 10_001}, "scarcity_step_bp", "scarcity step"),
        ({"scarcity_step_bp": 2000}, "scarcity_max_bp", "less than one step"),
        ({"referral_reward_cents": -100}, "referral_reward_cents", "referral reward"),
        ({"provider_referral_bonus_cents": -1}, "provider_referral_bonus_cents", "bonus"),
        ({"default_provider_share_bp": 10_001}, "default_provider_share_bp", "0 % to 100 %"),
        ({"quote_ttl_minutes": True}, "quote_ttl_minutes", "quote lifetime"),
        ({"scarcity_enabled": 1}, "scarcity_enabled", "on or off"),
    ],
)
def test_a_value_out_of_range_is_refused_naming_its_field(
    session, uow_factory, changes, field, words
):
    # given
    world = add_pricing_world(session)

    # when
    with pytest.raises(ValidationFailed) as refused:
        _update(uow_factory, world.admin, **changes)

    # then
    assert refused.value.field == field
    assert words in refused.value.message
    assert _audits(session, world) == []


def test_one_bad_field_keeps_every_other_field_of_the_form_unchanged(session, uow_factory):
    world = add_pricing_world(session)
    with pytest.raises(ValidationFailed):
        _update(uow_factory, world.admin, cancellation_fee_cents=900, price_cap_bp=5)
    session.expire_all()
    assert get_tenant_settings(session, world.tenant.id).cancellation_fee_cents == 2500


def test_the_trust_form_saves_its_referral_terms_and_threshold_together_or_not_at_all(
    session, uow_factory
):
    world = add_pricing_world(session)
    # when the threshold is out of range, the referral reward beside it is not saved either
    with pytest.raises(ValidationFailed) as refused:
        _update(uow_factory, world.admin, referral_reward_cents=2000, trust_promotion_threshold=0)
    assert refused.value.field == "clean_payments"
    session.expire_all()
    settings = get_tenant_settings(session, world.tenant.id)
    assert (settings.referral_reward_cents, settings.trust_promotion_threshold) == (1000, 3)
    # when both are valid, both are saved, each with its audit entry
    view = _update(
        uow_factory, world.admin, referral_reward_cents=2000, trust_promotion_threshold=5
    )
    assert (view.referral_reward_cents, view.trust_promotion_threshold) == (2000, 5)
    actions = {
        a.action
        for a in session.exec(select(AuditEntry).where(AuditEntry.tenant_id == world.tenant.id))
    }
    assert {"workspace.settings_changed", "trust.threshold_changed"} <= actions


def test_the_edges_of_every_range_are_accepted(session, uow_factory):
    world = add_pricing_world(session)
    view = _update(
        uow_factory,
        world.admin,
        cancellation_fee_cents=50_000,
        price_cap_bp=10_000,
        quote_ttl_minutes=120,
        min_schedule_lead_minutes=0,
        scarcity_step_bp=0,
        scarcity_max_bp=0,
        default_provider_share_bp=10_000,
        referral_reward_cents=0,
    )
    assert (view.price_cap_bp, view.scarcity_max_bp, view.default_provider_share_bp) == (
        10_000,
        0,
        10_000,
    )


def test_a_lower_price_cap_shows_up_in_the_very_next_quote(session, uow_factory):
    # given an evening jump start quoted once, so this process has the tenant's pricing cached
    world = add_pricing_world(session)
    before = _evening_jump_start(uow_factory, world)
    assert before.total_cents == 12500

    # when the admin caps prices at the base price (100 %)
    _update(uow_factory, world.admin, price_cap_bp=10_000)

    # then the next quote is capped at once, not after the cache's five seconds
    after = _evening_jump_start(uow_factory, world)
    assert after.total_cents == 10000
    assert "price_cap" in [line.code for line in after.lines]


def test_a_longer_quote_lifetime_applies_to_the_next_quote(session, uow_factory):
    world = add_pricing_world(session)
    _evening_jump_start(uow_factory, world)
    _update(uow_factory, world.admin, quote_ttl_minutes=45)
    after = _evening_jump_start(uow_factory, world)
    assert after.expires_at - after.created_at == timedelta(minutes=45)


def test_a_new_cancellation_fee_is_what_the_next_cancellation_costs(session, uow_factory):
    # given a job a provider is driving to
    world = add_pricing_world(session)
    customer = make_user(session, world.tenant, role=Role.CUSTOMER)
    provider = make_provider(session, world.tenant)
    booking = make_booking(
        session,
        world.tenant,
        service=world.jump,
        customer=customer,
        status=BookingStatus.DISPATCHED,
        provider_id=provider.id,
    )

    # when the admin raises the fee to $40
    _update(uow_factory, world.admin, cancellation_fee_cents=4000)

    # then the customer is told and charged the new fee
    with uow_factory() as uow:
        terms = bookings.cancellation_terms(uow, actor=actor_of(customer), booking_id=booking.id)
    assert (terms.fee_cents, terms.fee_label) == (4000, "Cancelling now costs $40.00.")


def test_a_provider_invited_after_a_new_default_share_starts_on_it(session, uow_factory):
    # given
    world = add_pricing_world(session)
    _update(uow_factory, world.admin, default_provider_share_bp=7500)

    # when
    with uow_factory() as uow:
        invite = onboarding.invite_provider(
            uow,
            actor=world.dispatcher,
            name="Marcus Hill",
            email="m.hill@example.com",
            phone="(404) 555-0142",
        )

    # then
    provider = session.get(Provider, invite.provider_id)
    assert (provider.commission_type, provider.commission_rate_bp) == (
        CommissionType.PERCENTAGE,
        7500,
    )


def test_the_scarcity_pair_is_checked_only_when_the_form_changes_it(session, uow_factory):
    # given a stored step above the maximum (written before this rule existed)
    world = add_pricing_world(session)
    world.settings.scarcity_step_bp = 2000
    session.add(world.settings)
    session.commit()

    # when the referral reward alone changes, then it is saved
    assert (
        _update(uow_factory, world.admin, referral_reward_cents=1500).referral_reward_cents == 1500
    )
