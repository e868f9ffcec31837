"""The provider portal pages build, read browser fixes safely, and show money and expiry plainly."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from roadside_console.domain.identity.models import User
from roadside_console.domain.payouts.earnings import EarningLine, PeriodEarnings
from roadside_console.domain.payouts.models import PayoutKind, ProviderPayout
from roadside_console.domain.providers.models import ProviderStatus
from roadside_console.domain.providers.profile import OwnCredential
from roadside_console.ui.provider_portal.earnings import (
    EarningsState,
    history_row,
    period_card,
    provider_earnings_page,
)
from roadside_console.ui.provider_portal.location import (
    DutyState,
    fix_values,
    location_problem,
)
from roadside_console.ui.provider_portal.pages import provider_jobs_page
from roadside_console.ui.provider_portal.profile import (
    ProfileState,
    credential_line,
    provider_profile_page,
    rating_text,
)
from tests.factories import make_provider, make_tenant
from tests.providers.support import reloaded, trail_of
from tests.ui.support import run_handler, signed_in_state

TZ = "America/New_York"


def test_the_jobs_page_builds_with_the_duty_panel_and_the_location_watcher():
    rendered = str(provider_jobs_page().render())
    for element in (
        "provider-jobs",
        "duty-panel",
        "availability-switch",
        "share-location-switch",
        "location-status",
        "RsGeolocation",
    ):
        assert element in rendered


def test_the_earnings_page_builds_with_periods_and_history():
    rendered = str(provider_earnings_page().render())
    for element in ("provider-earnings", "earnings-period", "earnings-line", "earnings-pager"):
        assert element in rendered


def test_the_profile_page_builds_with_credentials_and_sign_out():
    rendered = str(provider_profile_page().render())
    for element in ("profile-name", "profile-status", "profile-credentials", "sign-out"):
        assert element in rendered


def test_a_browser_fix_becomes_the_arguments_of_record_location():
    assert fix_values({"lat": 33.76, "lng": -84.39, "accuracy": 12, "heading": None}) == {
        "lat": 33.76,
        "lng": -84.39,
        "accuracy_m": 12.0,
        "heading_deg": None,
    }


@pytest.mark.parametrize(
    "fix",
    [{}, {"lat": 33.7}, {"lat": "33.7", "lng": "-84.3"}, {"lat": True, "lng": 1.0}],
)
def test_a_fix_without_a_numeric_position_is_not_sent(fix):
    assert fix_values(fix) is None


def test_odd_readings_are_dropped_rather_than_refused():
    values = fix_values({"lat": 1.0, "lng": 2.0, "accuracy": float("nan"), "heading": "north"})
    assert values == {"lat": 1.0, "lng": 2.0, "accuracy_m": None, "heading_deg": None}


def test_a_refused_permission_says_how_to_allow_it_and_unknown_problems_read_as_unavailable():
    assert "Allow location" in location_problem("denied")
    assert location_problem("something new") == location_problem("unavailable")
    assert "https://" in location_problem("unsupported")


def test_a_period_card_shows_net_pending_and_paid_in_dollars():
    card = period_card("This week", PeriodEarnings(13733, 5400, 8333, 3))
    assert (card.net, card.pending, card.paid, card.jobs) == (
        "$137.33",
        "$54.00",
        "$83.33",
        "3 jobs",
    )
    assert period_card("Today", PeriodEarnings(0, 0, 0, 1)).jobs == "1 job"


def _line(**overrides):
    values = {
        "payout_id": uuid.uuid4(),
        "kind": "earning",
        "status": "paid",
        "amount_cents": 7000,
        "booking_reference": "RS-ABC123",
        "service_name": "Towing",
        "created_at": datetime(2026, 3, 10, 18, 5, tzinfo=UTC),
        "paid_at": datetime(2026, 3, 13, 14, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return EarningLine(**values)


def test_a_history_line_names_the_booking_and_when_it_was_paid():
    row = history_row(_line(), TZ)
    assert (row.title, row.detail, row.amount, row.status, row.colour) == (
        "RS-ABC123 · Towing",
        "Job",
        "$70.00",
        "Paid",
        "green",
    )
    assert row.when == "Mar 10, 2:05 PM · paid Mar 13"


def test_a_clawback_shows_negative_and_a_bonus_without_booking_says_so():
    clawback = history_row(_line(kind="clawback", status="pending", amount_cents=-2100), TZ)
    bonus = history_row(
        _line(kind="bonus", booking_reference="", service_name="", paid_at=None), TZ
    )
    assert (clawback.amount, clawback.detail, clawback.status) == (
        "-$21.00",
        "Refund clawback",
        "Pending",
    )
    assert (bonus.title, bonus.detail) == ("Bonus", "Not tied to a booking")


def _credential(state, days_left, **overrides):
    values = {
        "kind": "tow_operator_licence",
        "number": "TOW-1",
        "issuer": "GA DPS",
        "expires_on": date(2026, 4, 1),
        "state": state,
        "days_left": days_left,
    }
    values.update(overrides)
    return OwnCredential(**values)


@pytest.mark.parametrize(
    ("state", "days", "text", "colour"),
    [
        ("valid", 200, "Valid", "green"),
        ("expiring", 12, "Expires in 12 days", "amber"),
        ("expiring", 1, "Expires in 1 day", "amber"),
        ("expiring", 0, "Expires today", "amber"),
        ("expired", -1, "Expired 1 day ago", "red"),
        ("expired", -30, "Expired 30 days ago", "red"),
        ("replaced", -90, "Replaced by a renewal", "gray"),
    ],
)
def test_a_credential_says_what_its_expiry_means(state, days, text, colour):
    line = credential_line(_credential(state, days))
    assert (line.title, line.number, line.expires) == (
        "Tow operator licence",
        "TOW-1 · GA DPS",
        "Apr 01, 2026",
    )
    assert (line.state, line.colour) == (text, colour)


def test_a_rating_reads_with_its_review_count():
    assert rating_text(4.5, 12) == "4.5 ★ from 12 reviews"
    assert rating_text(5.0, 1) == "5.0 ★ from 1 review"
    assert rating_text(None, 0) == "No reviews yet"


# --- the handlers, as a signed-in provider -------------------------------------------------


def _provider_state(state_cls, session, uow_factory, monkeypatch, **provider):
    tenant = make_tenant(session)
    record = make_provider(session, tenant, **provider)
    user = session.get(User, record.user_id)
    return signed_in_state(state_cls, user, tenant, uow_factory, monkeypatch), record


def test_a_pending_provider_who_flips_the_switch_is_told_why_and_stays_off(
    session, uow_factory, monkeypatch
):
    # given a provider the operator has not approved yet
    duty, provider = _provider_state(
        DutyState,
        session,
        uow_factory,
        monkeypatch,
        status=ProviderStatus.PENDING,
        is_available=False,
    )
    run_handler(duty.load())
    # when they switch availability on
    run_handler(duty.set_available(True))
    # then the domain's message shows and nothing changed
    assert duty.duty_message.startswith("Your provider account is pending")
    assert duty.available is False
    assert reloaded(session, provider).is_available is False


def test_an_active_provider_goes_off_duty_from_the_switch(session, uow_factory, monkeypatch):
    duty, provider = _provider_state(DutyState, session, uow_factory, monkeypatch)
    run_handler(duty.load())
    assert (duty.available, duty.provider_status) == (True, "active")
    run_handler(duty.set_available(False))
    assert (duty.available, duty.duty_message) == (False, "")
    assert reloaded(session, provider).is_available is False


def test_a_fix_from_the_browser_moves_the_provider_only_while_sharing_is_on(
    session, uow_factory, monkeypatch
):
    # given a provider who has not switched sharing on
    duty, provider = _provider_state(DutyState, session, uow_factory, monkeypatch)
    run_handler(duty.load())
    fix = {"lat": 33.771, "lng": -84.388, "accuracy": 8.5, "heading": 90}
    run_handler(duty.send_fix(fix))
    assert reloaded(session, provider).location_updated_at is None
    # when they switch it on and the browser sends a fix
    duty.set_sharing(True)
    run_handler(duty.send_fix(fix))
    # then the position is stored and the panel says when it was sent
    moved = reloaded(session, provider)
    assert (moved.current_lat, moved.current_lng) == (33.771, -84.388)
    assert [(p.accuracy_m, p.heading_deg) for p in trail_of(session, provider)] == [(8.5, 90.0)]
    assert duty.last_sent.endswith(("AM", "PM"))
    assert duty.location_error == ""


def test_a_refused_permission_and_an_impossible_reading_show_a_message(
    session, uow_factory, monkeypatch
):
    duty, provider = _provider_state(DutyState, session, uow_factory, monkeypatch)
    run_handler(duty.load())
    duty.set_sharing(True)
    duty.location_failed("denied")
    assert "Allow location" in duty.location_error
    run_handler(duty.send_fix({"lat": 95.0, "lng": 0.0}))
    assert duty.location_error != ""
    assert reloaded(session, provider).location_updated_at is None


def test_the_earnings_and_profile_pages_load_the_providers_own_figures(
    session, uow_factory, monkeypatch
):
    # given a provider with one pending $70 earning made just now
    earnings, provider = _provider_state(
        EarningsState, session, uow_factory, monkeypatch, name="Lena Ortiz"
    )
    session.add(
        ProviderPayout(
            tenant_id=provider.tenant_id,
            provider_id=provider.id,
            kind=PayoutKind.EARNING,
            amount_cents=7000,
        )
    )
    session.commit()
    # when both pages load
    run_handler(earnings.load())
    profile = earnings.parent_state.get_substate([ProfileState.get_name()])
    run_handler(profile.load())
    # then
    assert [(p.label, p.net, p.pending) for p in earnings.periods] == [
        ("Today", "$70.00", "$70.00"),
        ("This week", "$70.00", "$70.00"),
        ("This month", "$70.00", "$70.00"),
    ]
    assert [(h.title, h.amount, h.status) for h in earnings.history] == [
        ("Job", "$70.00", "Pending")
    ]
    assert (profile.name, profile.status, profile.rating) == (
        "Lena Ortiz",
        "Active",
        "No reviews yet",
    )
