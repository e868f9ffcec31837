"""The customer and trust pages build and show customers the way people read them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from roadside_console.domain.customers.queries import CustomerRow
from roadside_console.ui.customers.detail import customer_detail_page
from roadside_console.ui.customers.page import customer_line, customers_page
from roadside_console.ui.customers.tiers import tier_change_words
from roadside_console.ui.customers.trust import trust_page


def test_the_customers_page_builds_its_component_tree():
    assert "customers-table" in str(customers_page().render())


def test_the_customer_page_builds_with_the_tier_dialog_and_bookings():
    rendered = str(customer_detail_page().render())
    for element in ("tier-reason", "customer-bookings", "credit-balance"):
        assert element in rendered


def test_the_trust_page_builds_with_the_threshold_form_and_the_tier_list():
    rendered = str(trust_page().render())
    for element in ("threshold", "tier-table", "tier-reason"):
        assert element in rendered


@pytest.mark.parametrize(("tier", "change"), [(1, (2, "Promote")), (2, (1, "Demote"))])
def test_a_tier_one_customer_is_promoted_and_a_tier_two_one_demoted(tier, change):
    assert tier_change_words(tier) == change


def test_a_customer_row_links_to_their_page_and_reads_on_the_business_clock():
    customer_id = uuid.uuid4()
    row = CustomerRow(
        customer_id=customer_id,
        name="Rosa Diaz",
        email="rosa@example.com",
        phone="",
        trust_tier=2,
        clean_payments=4,
        bookings=3,
        last_booking_at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
        is_active=True,
    )
    line = customer_line(row, "America/New_York")
    assert line.href == f"/admin/customers/{customer_id}"
    assert (line.phone, line.last_booking, line.tier) == ("—", "Mar 01, 2026", 2)
    never = customer_line(
        CustomerRow(customer_id, "Tom", "t@example.com", "+1404", 1, 0, 0, None, False),
        "America/New_York",
    )
    assert never.last_booking == "Never"
