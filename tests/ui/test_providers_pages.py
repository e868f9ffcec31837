"""The provider pages build, read what staff type exactly, and show rows the way people read them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from roadside_console.domain.providers.directory import ProviderDetail, ProviderListRow
from roadside_console.domain.providers.models import CommissionType
from roadside_console.ui.providers import forms
from roadside_console.ui.providers.detail import (
    commission_label,
    credential_note,
    provider_detail_page,
)
from roadside_console.ui.providers.page import provider_line, providers_page


def test_the_providers_page_builds_its_component_tree():
    rendered = str(providers_page().render())
    for element in ("duty-filter", "invite-name", "invite-email", "invite-phone"):
        assert element in rendered


def test_the_provider_page_builds_its_component_tree():
    rendered = str(provider_detail_page().render())
    for element in ("availability", "commission-rate", "credentials", "credential-expires"):
        assert element in rendered


@pytest.mark.parametrize(
    ("typed", "bp"),
    [("70", 7000), ("72.5", 7250), (" 72.55 % ", 7255), ("0", 0), ("100", 10000), ("7.05", 705)],
)
def test_a_percentage_is_read_exactly_in_basis_points(typed, bp):
    assert forms.parse_percent(typed) == bp


@pytest.mark.parametrize("typed", ["", "72.555", "100.01", "-5", "seventy", "7,5", "1000"])
def test_anything_else_is_not_a_percentage(typed):
    assert forms.parse_percent(typed) is None


@pytest.mark.parametrize("bp", [7000, 7250, 7255, 705, 0, 10000])
def test_a_share_round_trips_through_its_field(bp):
    assert forms.parse_percent(forms.percent_text(bp)) == bp


def test_dates_and_specialties_are_read_from_their_fields():
    assert forms.parse_date("2027-06-30") == date(2027, 6, 30)
    assert forms.parse_date("30/06/2027") is None
    assert forms.parse_specialties(" towing, , lockout ") == ["towing", "lockout"]


def _row(**overrides):
    values = {
        "provider_id": uuid.uuid4(),
        "name": "Lena Ortiz",
        "email": "lena@example.com",
        "phone": "+14045550142",
        "status": "active",
        "available": True,
        "online": True,
        "rating": 4.5,
        "review_count": 12,
        "jobs_this_month": 7,
        "credentials_expired": False,
        "credentials_expiring": True,
    }
    values.update(overrides)
    return ProviderListRow(**values)


def test_a_provider_row_links_to_their_page_and_says_what_needs_attention():
    row = _row()
    line = provider_line(row)
    assert line.href == f"/admin/providers/{row.provider_id}"
    assert (line.duty, line.rating, line.jobs, line.credentials) == (
        "Available",
        "4.5 ★ (12)",
        7,
        "expiring",
    )
    quiet = provider_line(
        _row(available=False, rating=None, review_count=0, credentials_expired=True)
    )
    assert (quiet.duty, quiet.rating, quiet.credentials) == ("Off duty", "No reviews", "expired")


def _detail(**overrides):
    values = {
        "provider_id": uuid.uuid4(),
        "name": "Lena",
        "email": "lena@example.com",
        "phone": "+14045550142",
        "status": "active",
        "available": True,
        "online": False,
        "location_updated_at": None,
        "home_address": "",
        "specialties": [],
        "commission_type": "percentage",
        "commission_rate_bp": 7250,
        "flat_fee_cents": None,
        "rating": None,
        "review_count": 0,
        "jobs_this_month": 0,
        "joined": True,
        "invite_expires_at": None,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "credentials": [],
        "dispatch_blockers": [],
        "reviews": [],
        "payouts": [],
        "can_change_commission": True,
        "timezone": "America/New_York",
    }
    values.update(overrides)
    return ProviderDetail(**values)


def test_commission_reads_as_a_share_or_a_flat_fee():
    assert commission_label(_detail()) == "72.5 % of each job"
    flat = _detail(commission_type="flat_per_job", flat_fee_cents=4550)
    assert commission_label(flat) == "$45.50 flat per job"


def test_a_credential_says_whether_it_blocks_dispatch_or_how_soon_it_expires():
    assert credential_note("expired", -3, gating=True) == "Blocks dispatch until renewed."
    assert credential_note("expired", -3, gating=False) == "Expired (informational)."
    assert credential_note("expiring", 12, gating=True) == "Expires in 12 days."
    assert credential_note("expiring", 0, gating=True) == "Expires today."
    assert credential_note("valid", 300, gating=True) == ""


def test_the_commission_form_reads_a_share_or_a_flat_fee_exactly():
    assert forms.commission_terms("percentage", "72.5", "") == (
        {"commission_type": CommissionType.PERCENTAGE, "rate_bp": 7250},
        "",
    )
    assert forms.commission_terms("flat_per_job", "70", "$45.5") == (
        {"commission_type": CommissionType.FLAT_PER_JOB, "flat_fee_cents": 4550},
        "",
    )


@pytest.mark.parametrize(
    ("kind", "rate", "fee", "hint"),
    [
        ("percentage", "72.555", "", "percentage"),
        ("percentage", "", "45", "percentage"),
        ("flat_per_job", "70", "0", "dollars"),
        ("flat_per_job", "70", "forty", "dollars"),
    ],
)
def test_the_commission_form_says_what_to_fix(kind, rate, fee, hint):
    terms, message = forms.commission_terms(kind, rate, fee)
    assert terms == {} and hint in message
