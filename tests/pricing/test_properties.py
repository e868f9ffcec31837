"""Properties of every price, whatever the configuration (hypothesis)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from roadside_console.domain.core.money import BASIS_POINTS
from roadside_console.domain.pricing.rules import PriceBreakdown, quote_price
from tests.pricing.builders import Contract, block, policy, service

ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "UTC"]

blocks = st.lists(
    st.builds(
        block,
        name=st.sampled_from(["Standard", "After-Hours", "Rush", "Storm", "Game Day"]),
        start=st.integers(0, 23),
        end=st.integers(1, 24),
        bp=st.integers(1, 100_000),
        priority=st.integers(0, 200),
        active=st.booleans(),
    ),
    max_size=6,
)
policies = st.builds(
    policy,
    price_cap_bp=st.integers(10_000, 50_000),
    scarcity_enabled=st.booleans(),
    scarcity_min_providers=st.integers(0, 10),
    scarcity_step_bp=st.integers(0, 2_000),
    scarcity_max_bp=st.integers(0, 5_000),
)
services = st.builds(
    service,
    base=st.integers(0, 1_000_000),
    per_mile=st.integers(0, 1_000),
    included=st.integers(0, 50),
)
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


@st.composite
def priced(draw: st.DrawFn) -> tuple[PriceBreakdown, dict]:
    svc = draw(services)
    contract = draw(
        st.none()
        | st.builds(
            Contract,
            discount_bp=st.integers(0, 10_000),
            service_prices=st.one_of(
                st.just({}), st.integers(0, 1_000_000).map(lambda cents: {str(svc.id): cents})
            ),
        )
    )
    inputs = {
        "service": svc,
        "blocks": draw(blocks),
        "policy": draw(policies),
        "providers_online": draw(st.integers(0, 20)),
        "tz_name": draw(st.sampled_from(ZONES)),
        "now": draw(instants),
        "towing_miles": draw(st.none() | st.integers(0, 1_000)),
        "contract": contract,
        "referral_credit_cents": draw(st.integers(-1_000, 2_000_000)),
    }
    return quote_price(**inputs), inputs


@settings(max_examples=300, deadline=None)
@given(priced())
def test_breakdown_lines_always_sum_to_the_total_and_the_total_is_never_negative(case):
    # given / when
    result, _ = case

    # then
    assert sum(line.amount_cents for line in result.lines) == result.total_cents
    assert result.total_cents >= 0
    assert all(isinstance(line.amount_cents, int) for line in result.lines)
    assert result.lines[0].code == "base"
    assert max(Counter(line.code for line in result.lines).values()) == 1


@settings(max_examples=300, deadline=None)
@given(priced())
def test_the_service_charge_is_the_exact_product_rounded_once_and_capped(case):
    # given
    result, inputs = case
    base = inputs["service"].base_price_cents

    # when
    charge = sum(
        line.amount_cents
        for line in result.lines
        if line.code in {"base", "time_block", "storm", "scarcity", "price_cap"}
    )

    # then
    exact = Fraction(base)
    for multiplier in result.multipliers:
        exact *= Fraction(multiplier.multiplier_bp, BASIS_POINTS)
    half_up = int(exact + Fraction(1, 2))
    cap = int(Fraction(base * inputs["policy"].price_cap_bp, BASIS_POINTS) + Fraction(1, 2))
    assert charge == min(half_up, cap)
    assert result.capped is (half_up > cap)


@settings(max_examples=150, deadline=None)
@given(priced())
def test_referral_credit_never_exceeds_what_was_available_or_what_was_owed(case):
    # given / when
    result, inputs = case

    # then
    assert 0 <= result.referral_credit_cents <= max(0, inputs["referral_credit_cents"])
    if result.referral_credit_cents < max(0, inputs["referral_credit_cents"]):
        assert result.total_cents == 0
