"""The provider portal pages build, read browser fixes safely, and show money and expiry plainly."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from roadside_console.domain.payouts.earnings import EarningLine, PeriodEarnings
from roadside_console.domain.providers.profile import OwnCredential
from roadside_console.ui.provider_portal.earnings import (
    history_row,
    period_card,
    provider_earnings_page,
)
from roadside_console.ui.provider_portal.location import fix_values, location_problem
from roadside_console.ui.provider_portal.pages import provider_jobs_page
from roadside_console.ui.provider_portal.profile import (
    credential_line,
    provider_profile_page,
    rating_text,
)

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
