"""Every pricing rule, table by table, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.pricing.rules import (
    PriceBreakdown,
    block_covers,
    format_multiplier,
    format_percent,
    local_hour,
    quote_price,
    scarcity_extra_bp,
    select_blocks,
    validate_coordinates,
    validate_time_block,
)
from tests.pricing.builders import (
    NEW_YORK,
    Contract,
    at_local_hour,
    block,
    demo_blocks,
    policy,
    service,
    towing,
)


def price(**overrides: object) -> PriceBreakdown:
    values: dict[str, object] = {
        "service": service(),
        "blocks": demo_blocks(),
        "policy": policy(),
        "providers_online": 5,
        "tz_name": NEW_YORK,
        "now": at_local_hour(10),
    }
    values.update(overrides)
    return quote_price(**values)  # type: ignore[arg-type]


def lines_of(breakdown: PriceBreakdown) -> list[tuple[str, int]]:
    return [(line.code, line.amount_cents) for line in breakdown.lines]


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        (0, "After-Hours"),
        (5, "After-Hours"),
        (6, "Standard"),
        (12, "Standard"),
        (17, "Standard"),
        (18, "After-Hours"),
        (23, "After-Hours"),
    ],
)
def test_the_overnight_block_wraps_midnight_and_hour_18_is_after_hours_but_6_is_standard(
    hour, expected
):
    # given
    blocks = demo_blocks()

    # when
    regular, storm = select_blocks(blocks, hour)

    # then
    assert regular is not None and regular.name == expected
    assert storm is None


@pytest.mark.parametrize(
    ("start", "end", "hour", "covered"),
    [
        (6, 18, 6, True),
        (6, 18, 18, False),
        (18, 6, 18, True),
        (18, 6, 6, False),
        (0, 24, 0, True),
        (0, 24, 23, True),
        (22, 24, 23, True),
        (22, 24, 0, False),
        (5, 5, 5, False),
    ],
)
def test_a_block_covers_its_start_hour_but_not_its_end_hour(start, end, hour, covered):
    # given / when / then
    assert block_covers(start, end, hour) is covered


@pytest.mark.parametrize(
    ("blocks", "hour", "expected"),
    [
        ([("Standard", 6, 18, 10000, 10), ("Rush", 7, 9, 12000, 20)], 8, "Rush"),
        ([("Standard", 6, 18, 10000, 10), ("Rush", 7, 9, 12000, 20)], 9, "Standard"),
        ([("Standard", 6, 18, 10000, 30), ("Rush", 7, 9, 12000, 20)], 8, "Standard"),
        ([("Dear", 0, 24, 13000, 10), ("Cheap", 0, 24, 11000, 10)], 8, "Cheap"),
        ([("Standard", 6, 18, 10000, 10)], 3, None),
    ],
    ids=["higher-wins", "outside-overlap", "priority-not-order", "tie-lower-multiplier", "none"],
)
def test_the_matching_active_block_with_the_highest_priority_wins(blocks, hour, expected):
    # given
    snapshots = [block(*b) for b in blocks]

    # when
    regular, _ = select_blocks(snapshots, hour)

    # then
    assert (regular.name if regular else None) == expected


def test_an_inactive_block_never_applies_whatever_its_priority():
    # given
    blocks = [*demo_blocks(), block("Old rush", 0, 24, 20000, 50, active=False)]

    # when
    regular, _ = select_blocks(blocks, 12)

    # then
    assert regular is not None and regular.name == "Standard"


def test_without_a_matching_block_the_price_is_standard_times_one_with_no_block_line():
    # given
    blocks = [block("Night", 22, 24, 15000)]

    # when
    result = price(blocks=blocks, now=at_local_hour(10))

    # then
    assert lines_of(result) == [("base", 10000)]
    assert result.multipliers[0].name == "Standard"
    assert result.multipliers[0].multiplier_bp == 10000
    assert result.total_cents == 10000


def test_after_hours_adds_its_own_line_to_the_base_price():
    # given / when
    result = price(now=at_local_hour(18))

    # then
    assert lines_of(result) == [("base", 10000), ("time_block", 2500)]
    assert result.lines[1].label == "After-Hours ×1.25"
    assert result.total_cents == 12500
    assert result.local_hour == 18


def test_an_active_storm_template_multiplies_on_top_of_the_time_block():
    # given
    blocks = demo_blocks(block("Ice Storm", 0, 24, 15000, 100))

    # when
    result = price(service=towing(), blocks=blocks, now=at_local_hour(20))

    # then: 12500 × 1.25 × 1.50 = 23437.5 → 23438
    assert lines_of(result) == [("base", 12500), ("time_block", 3125), ("storm", 7813)]
    assert result.total_cents == 23438
    assert [(m.code, m.name, m.multiplier_bp) for m in result.multipliers] == [
        ("time_block", "After-Hours", 12500),
        ("storm", "Ice Storm", 15000),
    ]


def test_an_inactive_storm_template_changes_nothing():
    # given
    blocks = demo_blocks(block("Ice Storm", 0, 24, 15000, 100, active=False))

    # when
    result = price(blocks=blocks, now=at_local_hour(10))

    # then
    assert result.total_cents == 10000


@pytest.mark.parametrize(
    ("base", "block_bp", "providers", "expected"),
    [
        (3333, 15000, 5, 5000),  # 4999.5 → 5000
        (3333, 14997, 5, 4999),  # 4998.5001 → 4999
        (101, 12500, 2, 133),  # 101 × 1.25 × 1.05 = 132.5625 → 133 (132 if rounded twice)
        (1, 12500, 5, 1),  # 1.25 → 1
        (1, 15000, 5, 2),  # 1.5 → 2
        (0, 30000, 0, 0),
    ],
    ids=["half-up", "just-above-half", "rounded-once", "below-half", "exact-half", "free"],
)
def test_the_service_charge_is_rounded_once_half_up(base, block_bp, providers, expected):
    # given
    blocks = [block("Surge", 0, 24, block_bp)]

    # when
    result = price(service=service(base), blocks=blocks, providers_online=providers)

    # then
    assert result.total_cents == expected
    assert sum(line.amount_cents for line in result.lines) == expected


@pytest.mark.parametrize(
    ("online", "enabled", "min_providers", "step", "maximum", "extra"),
    [
        (3, True, 3, 500, 1500, 0),
        (2, True, 3, 500, 1500, 500),
        (1, True, 3, 500, 1500, 1000),
        (0, True, 3, 500, 1500, 1500),
        (0, True, 5, 500, 1500, 1500),
        (10, True, 3, 500, 1500, 0),
        (0, False, 3, 500, 1500, 0),
        (1, True, 4, 250, 2000, 750),
    ],
)
def test_scarcity_adds_a_step_per_missing_provider_up_to_the_maximum(
    online, enabled, min_providers, step, maximum, extra
):
    # given
    rules_of_tenant = policy(
        scarcity_enabled=enabled,
        scarcity_min_providers=min_providers,
        scarcity_step_bp=step,
        scarcity_max_bp=maximum,
    )

    # when / then
    assert scarcity_extra_bp(rules_of_tenant, online) == extra


def test_scarcity_is_its_own_line_and_says_how_many_providers_are_online():
    # given / when
    result = price(providers_online=1)

    # then
    assert lines_of(result) == [("base", 10000), ("scarcity", 1000)]
    assert result.lines[1].label == "Few providers online (1 of 3) +10%"
    assert result.total_cents == 11000


@pytest.mark.parametrize(
    ("cap_bp", "expected_total", "cap_line"),
    [(30000, 30000, -1250), (20000, 20000, -11250), (40000, 31250, None)],
)
def test_the_price_is_capped_at_the_configured_multiple_of_base_as_its_own_line(
    cap_bp, expected_total, cap_line
):
    # given: 10000 × 1.25 (after hours) × 2.50 (storm) = 31250
    blocks = demo_blocks(block("Hurricane", 0, 24, 25000, 100))

    # when
    result = price(blocks=blocks, policy=policy(price_cap_bp=cap_bp), now=at_local_hour(22))

    # then
    assert result.total_cents == expected_total
    cap_lines = [line for line in result.lines if line.code == "price_cap"]
    if cap_line is None:
        assert not cap_lines and not result.capped
    else:
        assert [line.amount_cents for line in cap_lines] == [cap_line]
        assert result.capped
        assert cap_lines[0].label.startswith(f"Capped at ×{format_multiplier(cap_bp)} base")


@pytest.mark.parametrize(
    ("miles", "mileage_line"),
    [(25, 4500), (11, 300), (10, None), (0, None), (None, None)],
)
def test_towing_charges_per_mile_beyond_the_included_miles(miles, mileage_line):
    # given / when
    result = price(service=towing(), towing_miles=miles)

    # then
    mileage = [line for line in result.lines if line.code == "mileage"]
    assert [line.amount_cents for line in mileage] == ([mileage_line] if mileage_line else [])
    assert result.total_cents == 12500 + (mileage_line or 0)


def test_twenty_five_towing_miles_are_fifteen_miles_at_three_dollars():
    # given / when
    result = price(service=towing(), towing_miles=25)

    # then
    assert result.lines[-1].label == "15 mi beyond 10 included × $3.00"
    assert result.total_cents == 17000


def test_mileage_is_not_multiplied_by_surcharges_or_capped():
    # given
    blocks = demo_blocks(block("Hurricane", 0, 24, 30000, 100))

    # when
    result = price(service=towing(), blocks=blocks, towing_miles=25, now=at_local_hour(22))

    # then: charge capped at 3 × 12500, mileage on top
    assert result.total_cents == 37500 + 4500


def test_miles_on_a_service_without_per_mile_pricing_are_ignored():
    # given / when
    result = price(service=service(10000), towing_miles=40)

    # then
    assert lines_of(result) == [("base", 10000)]


@pytest.mark.parametrize("miles", [-1, -25])
def test_negative_miles_are_refused_with_a_typed_error(miles):
    # given / when
    with pytest.raises(ValidationFailed) as error:
        price(service=towing(), towing_miles=miles)

    # then
    assert error.value.code == "invalid_miles"
    assert error.value.field == "towing_miles"


@pytest.mark.parametrize(
    ("contract_kwargs", "hour", "expected_lines", "total"),
    [
        (
            {"fixed": 11000},
            10,
            [("base", 12500), ("mileage", 4500), ("b2b_contract_price", -1500)],
            15500,
        ),
        (
            {"fixed": 11000},
            20,
            [
                ("base", 12500),
                ("time_block", 3125),
                ("mileage", 4500),
                ("b2b_contract_price", -4625),
            ],
            15500,
        ),
        (
            {"fixed": 11000, "discount_bp": 1000},
            10,
            [("base", 12500), ("mileage", 4500), ("b2b_contract_price", -1500)],
            15500,
        ),
        (
            {"discount_bp": 1000},
            10,
            [("base", 12500), ("mileage", 4500), ("b2b_discount", -1700)],
            15300,
        ),
        ({"discount_bp": 0}, 10, [("base", 12500), ("mileage", 4500)], 17000),
        (
            {"discount_bp": 10000},
            10,
            [("base", 12500), ("mileage", 4500), ("b2b_discount", -17000)],
            0,
        ),
    ],
    ids=[
        "fixed-price",
        "fixed-price-replaces-surcharges",
        "fixed-price-wins-over-discount",
        "discount-on-charge-and-mileage",
        "no-terms",
        "free",
    ],
)
def test_a_b2b_contract_sets_a_fixed_service_price_or_a_discount(
    contract_kwargs, hour, expected_lines, total
):
    # given
    tow = towing()
    fixed = contract_kwargs.get("fixed")
    contract = Contract(
        discount_bp=contract_kwargs.get("discount_bp", 0),
        service_prices={str(tow.id): fixed} if fixed is not None else {},
    )

    # when
    result = price(service=tow, towing_miles=25, contract=contract, now=at_local_hour(hour))

    # then
    assert lines_of(result) == expected_lines
    assert result.total_cents == total


def test_a_fixed_price_for_another_service_does_not_apply():
    # given
    contract = Contract(discount_bp=500, service_prices={"some-other-service": 1})

    # when
    result = price(contract=contract)

    # then
    assert lines_of(result) == [("base", 10000), ("b2b_discount", -500)]


@pytest.mark.parametrize(
    ("credit", "credit_line", "total"),
    [
        (500, -500, 9500),
        (10000, -10000, 0),
        (25000, -10000, 0),
        (0, None, 10000),
        (-300, None, 10000),
    ],
)
def test_referral_credit_is_a_separate_line_and_never_takes_the_price_below_zero(
    credit, credit_line, total
):
    # given / when
    result = price(referral_credit_cents=credit)

    # then
    credit_lines = [line.amount_cents for line in result.lines if line.code == "referral_credit"]
    assert credit_lines == ([credit_line] if credit_line else [])
    assert result.referral_credit_cents == -(credit_line or 0)
    assert result.total_cents == total


def test_referral_credit_comes_after_the_b2b_discount():
    # given
    contract = Contract(discount_bp=5000)

    # when
    result = price(contract=contract, referral_credit_cents=8000)

    # then
    assert lines_of(result) == [
        ("base", 10000),
        ("b2b_discount", -5000),
        ("referral_credit", -5000),
    ]
    assert result.total_cents == 0


@pytest.mark.parametrize(
    ("utc", "hour", "block_name"),
    [
        # Spring forward, 8 March 2026: 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
        (datetime(2026, 3, 8, 6, 30, tzinfo=UTC), 1, "After-Hours"),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), 3, "After-Hours"),
        (datetime(2026, 3, 7, 10, 30, tzinfo=UTC), 5, "After-Hours"),  # EST, UTC−5
        (datetime(2026, 3, 8, 10, 30, tzinfo=UTC), 6, "Standard"),  # EDT, UTC−4
        # Fall back, 1 November 2026: 02:00 EDT goes back to 01:00 EST at 06:00 UTC.
        (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), 1, "After-Hours"),  # first 01:30 (EDT)
        (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), 1, "After-Hours"),  # second 01:30 (EST)
        (datetime(2026, 10, 31, 22, 30, tzinfo=UTC), 18, "After-Hours"),  # EDT
        (datetime(2026, 11, 1, 22, 30, tzinfo=UTC), 17, "Standard"),  # EST
    ],
)
def test_the_hour_is_the_tenants_wall_clock_hour_across_dst_changes(utc, hour, block_name):
    # given / when
    result = price(now=utc)

    # then
    assert result.local_hour == hour
    assert result.multipliers[0].name == block_name


def test_a_scheduled_booking_is_priced_at_its_scheduled_hour_not_now():
    # given
    now = at_local_hour(10)
    scheduled = at_local_hour(19)

    # when
    result = price(now=now, scheduled_at=scheduled)

    # then
    assert result.local_hour == 19
    assert result.total_cents == 12500


def test_the_same_instant_falls_in_different_blocks_for_tenants_in_different_zones():
    # given: 23:30 UTC is 18:30 in New York and 17:30 in Chicago (January)
    instant = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)

    # when
    new_york = price(now=instant, tz_name="America/New_York")
    chicago = price(now=instant, tz_name="America/Chicago")

    # then
    assert (new_york.total_cents, chicago.total_cents) == (12500, 10000)


def test_a_naive_time_is_refused_because_the_hour_would_be_a_guess():
    # given / when / then
    with pytest.raises(ValueError, match="timezone-aware"):
        local_hour(datetime(2026, 1, 14, 10, 0), NEW_YORK)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": "  "}, "name_required", "name"),
        ({"name": "x" * 81}, "name_too_long", "name"),
        ({"start_hour": -1}, "invalid_start_hour", "start_hour"),
        ({"start_hour": 24}, "invalid_start_hour", "start_hour"),
        ({"end_hour": 0}, "invalid_end_hour", "end_hour"),
        ({"end_hour": 25}, "invalid_end_hour", "end_hour"),
        ({"start_hour": 8, "end_hour": 8}, "empty_time_block", "end_hour"),
        ({"multiplier_bp": 0}, "invalid_multiplier", "multiplier_bp"),
        ({"multiplier_bp": -5000}, "invalid_multiplier", "multiplier_bp"),
        ({"multiplier_bp": 100001}, "invalid_multiplier", "multiplier_bp"),
        ({"priority": -1}, "invalid_priority", "priority"),
    ],
)
def test_time_block_fields_are_validated_with_a_code_and_the_field(fields, code, field):
    # given
    values = {
        "name": "Rush",
        "start_hour": 7,
        "end_hour": 9,
        "multiplier_bp": 12000,
        "priority": 20,
    }
    values.update(fields)

    # when
    with pytest.raises(ValidationFailed) as error:
        validate_time_block(**values)

    # then
    assert (error.value.code, error.value.field) == (code, field)


@pytest.mark.parametrize(("start", "end"), [(0, 24), (18, 6), (23, 24), (0, 1), (22, 2)])
def test_valid_time_blocks_pass_and_their_name_is_trimmed(start, end):
    # given / when
    name = validate_time_block(
        name="  Night  ", start_hour=start, end_hour=end, multiplier_bp=1, priority=0
    )

    # then
    assert name == "Night"


@pytest.mark.parametrize(
    ("lat", "lng", "field"),
    [
        (91.0, 0.0, "lat"),
        (-90.5, 0.0, "lat"),
        (0.0, 180.1, "lng"),
        (0.0, -181.0, "lng"),
        (float("nan"), 0.0, "lat"),
        (0.0, float("inf"), "lng"),
        (33.7, None, "lng"),
        (None, -84.4, "lat"),
    ],
)
def test_coordinates_out_of_range_are_refused(lat, lng, field):
    # given / when
    with pytest.raises(ValidationFailed) as error:
        validate_coordinates(lat, lng)

    # then
    assert (error.value.code, error.value.field) == ("invalid_coordinates", field)


@pytest.mark.parametrize(
    ("lat", "lng"), [(None, None), (90.0, 180.0), (-90.0, -180.0), (33.7, -84.4)]
)
def test_coordinates_in_range_or_absent_pass(lat, lng):
    # given / when / then
    validate_coordinates(lat, lng)


@pytest.mark.parametrize(
    ("bp", "multiplier", "percent"),
    [
        (10000, "1.00", "100%"),
        (12500, "1.25", "125%"),
        (12345, "1.2345", "123.45%"),
        (500, "0.05", "5%"),
        (750, "0.075", "7.5%"),
        (30000, "3.00", "300%"),
    ],
)
def test_multipliers_and_percentages_render_exactly(bp, multiplier, percent):
    # given / when / then
    assert format_multiplier(bp) == multiplier
    assert format_percent(bp) == percent
