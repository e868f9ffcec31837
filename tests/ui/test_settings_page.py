"""The settings page: admins save each form, others read only, a bad value is said inline."""

from __future__ import annotations

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Role
from roadside_console.domain.tenants.service import get_tenant_settings
from roadside_console.ui.settings import forms
from roadside_console.ui.settings.page import (
    APPLIES_NOTE,
    READ_ONLY_NOTE,
    SettingsState,
    settings_page,
)
from tests.factories import make_user
from tests.pricing.conftest import add_pricing_world
from tests.ui.support import run_handler, signed_in_state


def _state(session, uow_factory, monkeypatch, world, role=Role.ADMIN) -> SettingsState:
    user = make_user(session, world.tenant, role=role)
    state = signed_in_state(SettingsState, user, world.tenant, uow_factory, monkeypatch)
    run_handler(state.load())
    return state


def _saved(session, world):
    session.expire_all()
    return get_tenant_settings(session, world.tenant.id)


def test_the_settings_page_builds_three_forms_with_labelled_fields():
    rendered = str(settings_page().render())
    for element in (
        "pricing-settings",
        "dispatch-settings",
        "trust-settings",
        "set-cancellation-fee-cents",
        "set-weights-eta",
        "save-pricing",
        APPLIES_NOTE,
        READ_ONLY_NOTE,
    ):
        assert element in rendered


@pytest.mark.parametrize(
    ("typed", "bp"), [("300", 30000), ("12.5", 1250), ("7.25 %", 725), ("1000", 100000)]
)
def test_a_percentage_is_read_exactly_in_basis_points(typed, bp):
    assert forms.parse_percent(typed) == bp


@pytest.mark.parametrize("typed", ["", "-5", "1.234", "abc", "12,5"])
def test_anything_else_is_not_a_percentage(typed):
    assert forms.parse_percent(typed) is None


def test_the_forms_show_the_saved_values_in_dollars_percent_and_minutes(
    session, uow_factory, monkeypatch
):
    # given / when
    state = _state(session, uow_factory, monkeypatch, add_pricing_world(session))

    # then
    assert state.can_change and state.loaded and state.error == ""
    values = state.values
    assert (values["cancellation_fee_cents"], values["price_cap_bp"]) == ("25.00", "300")
    assert (values["quote_ttl_minutes"], values["scarcity_step_bp"]) == ("15", "5")
    assert (values["weights.eta"], values["b2b_weights.specialty"]) == ("40", "40")
    assert (values["trust_promotion_threshold"], values["default_provider_share_bp"]) == ("3", "70")
    assert state.consumer_weights_total == "100 %"
    assert state.last_change.startswith("Nobody has changed")


def test_an_admin_saves_the_pricing_form_and_sees_it_saved(session, uow_factory, monkeypatch):
    # given
    world = add_pricing_world(session)
    state = _state(session, uow_factory, monkeypatch, world)

    # when
    state.set_value("cancellation_fee_cents", "$40")
    state.set_value("price_cap_bp", "250")
    state.set_scarcity_enabled(False)
    run_handler(state.save_pricing())

    # then
    assert state.errors == {} and state.pricing_error == ""
    assert state.pricing_notice.startswith("Booking and pricing settings saved.")
    assert (state.values["cancellation_fee_cents"], state.values["price_cap_bp"]) == (
        "40.00",
        "250",
    )
    saved = _saved(session, world)
    assert (saved.cancellation_fee_cents, saved.price_cap_bp, saved.scarcity_enabled) == (
        4000,
        25000,
        False,
    )
    assert state.last_change.startswith("Last changed by Test Admin on ")


def test_a_value_out_of_range_is_said_under_its_field_and_nothing_is_saved(
    session, uow_factory, monkeypatch
):
    # given
    world = add_pricing_world(session)
    state = _state(session, uow_factory, monkeypatch, world)

    # when the fee is above $500 and the lifetime is not a number
    state.set_value("cancellation_fee_cents", "600")
    state.set_value("quote_ttl_minutes", "soon")
    run_handler(state.save_pricing())

    # then the format error shows first, without asking the domain
    assert state.errors == {"quote_ttl_minutes": "Enter a whole number, like 15."}

    # when the lifetime is fixed, the domain's range error lands under the fee
    state.set_value("quote_ttl_minutes", "20")
    run_handler(state.save_pricing())
    assert state.errors == {
        "cancellation_fee_cents": "The cancellation fee must be from $0 to $500."
    }
    assert state.pricing_notice == ""
    assert _saved(session, world).quote_ttl_minutes == 15

    # and typing in the field clears its error
    state.set_value("cancellation_fee_cents", "50")
    assert state.errors == {}


def test_an_admin_saves_dispatch_and_a_bad_weight_total_is_said_under_the_column(
    session, uow_factory, monkeypatch
):
    # given
    world = add_pricing_world(session)
    state = _state(session, uow_factory, monkeypatch, world)

    # when the consumer weights add up to 110 %
    state.set_value("weights.eta", "50")
    run_handler(state.save_dispatch())

    # then
    assert set(state.errors) == {"weights"}
    assert "add up to 10000" in state.errors["weights"]
    assert state.consumer_weights_total == "110 %"

    # when the admin fixes it and lengthens the offer timeout
    state.set_value("weights.rating", "10")
    state.set_value("offer_timeout_seconds", "90")
    run_handler(state.save_dispatch())

    # then
    assert state.errors == {} and state.dispatch_notice.startswith("Dispatch settings saved.")
    saved = _saved(session, world)
    assert (saved.offer_timeout_seconds, saved.dispatch_weights["eta"]) == (90, 5000)


def test_an_admin_saves_trust_and_referrals_through_both_use_cases(
    session, uow_factory, monkeypatch
):
    # given
    world = add_pricing_world(session)
    state = _state(session, uow_factory, monkeypatch, world)

    # when
    state.set_value("trust_promotion_threshold", "5")
    state.set_value("referral_reward_cents", "15")
    run_handler(state.save_trust())

    # then
    assert state.errors == {} and state.trust_error == ""
    saved = _saved(session, world)
    assert (saved.trust_promotion_threshold, saved.referral_reward_cents) == (5, 1500)
    actions = session.exec(
        select(AuditEntry.action).where(AuditEntry.tenant_id == world.tenant.id)
    ).all()
    assert sorted(actions) == ["trust.threshold_changed", "workspace.settings_changed"]


def test_a_threshold_the_trust_rules_refuse_shows_under_the_threshold(
    session, uow_factory, monkeypatch
):
    world = add_pricing_world(session)
    state = _state(session, uow_factory, monkeypatch, world)
    state.set_value("trust_promotion_threshold", "0")
    run_handler(state.save_trust())
    assert state.errors == {"trust_promotion_threshold": "Use a number from 1 to 100."}
    assert _saved(session, world).trust_promotion_threshold == 3


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.FINANCE])
def test_dispatchers_and_finance_read_the_settings_but_every_save_is_refused(
    session, uow_factory, monkeypatch, role
):
    # given
    world = add_pricing_world(session)
    state = _state(session, uow_factory, monkeypatch, world, role=role)
    assert state.loaded and state.error == "" and state.can_change is False
    assert state.values["cancellation_fee_cents"] == "25.00"

    # when the handlers run anyway
    state.set_value("cancellation_fee_cents", "0")
    state.set_value("offer_timeout_seconds", "5")
    state.set_value("trust_promotion_threshold", "1")
    run_handler(state.save_pricing())
    run_handler(state.save_dispatch())
    run_handler(state.save_trust())

    # then the domain refuses each one and nothing changes
    refusal = "You do not have permission to do this."
    assert (state.pricing_error, state.dispatch_error, state.trust_error) == (refusal,) * 3
    saved = _saved(session, world)
    assert (saved.cancellation_fee_cents, saved.offer_timeout_seconds) == (2500, 60)
    assert saved.trust_promotion_threshold == 3


def test_a_provider_gets_no_settings_at_all(session, uow_factory, monkeypatch):
    world = add_pricing_world(session)
    state = _state(session, uow_factory, monkeypatch, world, role=Role.PROVIDER)
    assert state.values == {} and state.error == "You do not have permission to do this."
