import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadside_console.domain.core.money import allocate, apply_bp, div_half_up, format_cents


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(49995, 10, 5000), (49994, 10, 4999), (5, 10, 1), (4, 10, 0), (-5, 10, -1), (-4, 10, 0)],
)
def test_division_rounds_halves_away_from_zero(numerator, denominator, expected):
    assert div_half_up(numerator, denominator) == expected


def test_after_hours_towing_base_is_exact():
    assert apply_bp(12500, 12500) == 15625


def test_a_rate_that_lands_on_half_a_cent_rounds_up():
    assert apply_bp(3333, 15000) == 5000  # 4999.5 cents


@given(
    total=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20).filter(
        lambda w: sum(w) > 0
    ),
)
def test_allocation_never_loses_or_invents_a_cent(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(part - exact) < 1


def test_money_is_shown_with_dollars_and_cents():
    assert format_cents(179175) == "$1,791.75"
    assert format_cents(-250) == "-$2.50"
    assert format_cents(5) == "$0.05"
