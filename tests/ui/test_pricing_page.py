"""The pricing page builds, parses what admins type exactly, and reads its setup in one go."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.ui.pricing import forms
from roadside_console.ui.pricing.page import pricing_page, pricing_setup
from tests.factories import actor_of, make_user
from tests.pricing.conftest import add_pricing_world


def test_the_pricing_page_builds_its_component_tree():
    page = pricing_page()
    rendered = str(page.render())
    for section in ("catalog", "time-blocks", "storm-mode", "calculator"):
        assert section in rendered


@pytest.mark.parametrize(
    ("typed", "bp"),
    [("1.25", 12500), ("×1.5", 15000), ("x2", 20000), (" 1.0001 ", 10001), ("10", 100000)],
)
def test_a_multiplier_is_read_exactly_in_basis_points(typed, bp):
    assert forms.parse_multiplier(typed) == bp


@pytest.mark.parametrize("typed", ["", "1.23456", "-1", "1,25", "abc", "1.2.3", "100"])
def test_anything_else_is_not_a_multiplier(typed):
    assert forms.parse_multiplier(typed) is None


def test_multipliers_and_prices_round_trip_through_their_fields():
    assert forms.parse_multiplier(forms.multiplier_text(12750)) == 12750
    assert forms.dollars_text(13005) == "130.05"
    assert forms.dollars_text(5) == "0.05"


@pytest.mark.parametrize(("typed", "value"), [("0", 0), ("23", 23), ("24", None), ("1.5", None)])
def test_hours_are_whole_numbers_in_range(typed, value):
    assert forms.parse_whole(typed, low=0, high=23) == value


def test_the_calculator_time_is_read_on_the_business_clock():
    at = forms.parse_local_datetime("2026-01-14T20:00", "America/New_York")
    assert at.astimezone(UTC) == datetime(2026, 1, 15, 1, 0, tzinfo=UTC)
    assert forms.parse_local_datetime("tonight", "America/New_York") is None


def test_an_overnight_block_says_so():
    assert forms.hours_label(18, 6) == "18:00–06:00 (overnight)"
    assert forms.hours_label(0, 24) == "00:00–24:00"


def test_the_setup_lists_catalog_and_blocks_for_admins_only(session, uow_factory):
    # given
    world = add_pricing_world(session)

    # when
    with uow_factory() as uow:
        setup = pricing_setup(uow, actor=world.admin)

    # then
    assert sorted(s.name for s in setup.catalog) == ["Jump Start", "Towing"]
    assert [b.name for b in setup.blocks][-2:] == ["Game Day", "Ice Storm"]
    assert setup.timezone == "America/New_York"
    finance = actor_of(make_user(session, world.tenant, role=Role.FINANCE))
    with uow_factory() as uow, pytest.raises(Forbidden):
        pricing_setup(uow, actor=finance)
