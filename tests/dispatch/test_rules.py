import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.dispatch import rules
from roadside_console.domain.dispatch.rules import (
    Candidate,
    DispatchConfig,
    JobFacts,
    Position,
    ProviderFacts,
)

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
TOWING = JobFacts(lat=33.7628, lng=-84.3927, service_slug="towing", service_category="roadside")
B2B_TOWING = replace(TOWING, is_b2b=True)
CONFIG = DispatchConfig()


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def _candidate(n, *, miles, eta, **facts) -> Candidate:
    provider = ProviderFacts(provider_id=_id(n), name=f"P{n}", **facts)
    return Candidate(provider, Position(0.0, 0.0, "home"), miles, eta)


# --- subscores: the product's formulas, by hand ------------------------------------------


@pytest.mark.parametrize(
    ("miles", "eta"),
    [(0.0, 1), (0.1, 1), (10.0, 17), (35.0, 60), (70.0, 120), (100.0, 171)],
)
def test_eta_is_miles_at_35_mph_rounded_and_at_least_one_minute(miles, eta):
    assert rules.eta_minutes(miles) == eta


@pytest.mark.parametrize(
    ("eta", "expected"),
    [(1, 99.1667), (17, 85.8333), (60, 50.0), (120, 0.0), (171, 0.0)],
)
def test_the_eta_subscore_falls_linearly_to_zero_at_two_hours(eta, expected):
    assert rules.eta_subscore(eta) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [(0, 0, 60.0), (45, 10, 90.0), (5, 1, 100.0), (7, 2, 70.0), (1, 1, 20.0)],
)
def test_the_rating_subscore_is_the_average_of_five_with_3_0_before_any_review(
    total, count, expected
):
    assert rules.rating_subscore(total, count) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("specialties", "expected"),
    [(("roadside", "towing"), 100.0), (("towing",), 100.0), (("roadside",), 50.0), ((), 0.0)],
)
def test_a_specialist_in_the_service_scores_100_and_a_generalist_of_its_category_50(
    specialties, expected
):
    assert rules.specialty_subscore(specialties, slug="towing", category="roadside") == expected


@pytest.mark.parametrize(
    ("jobs", "expected"), [(0, 100.0), (1, 66.6667), (2, 33.3333), (3, 0.0), (4, 0.0)]
)
def test_the_workload_subscore_falls_to_zero_at_three_jobs(jobs, expected):
    assert rules.workload_subscore(jobs, 3) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    ("earnings", "median", "expected"),
    [
        (30_000, 60_000, 75.0),
        (60_000, 60_000, 50.0),
        (0, 60_000, 100.0),
        (150_000, 60_000, 0.0),
        (500, 0, 50.0),
        (0, 0, 50.0),
    ],
)
def test_fairness_favours_earnings_below_the_median_and_is_50_when_the_median_is_zero(
    earnings, median, expected
):
    assert rules.fairness_subscore(earnings, median) == pytest.approx(expected)


# --- scores: two candidates computed by hand -----------------------------------------------

# A: 10 mi (ETA 17), 4.5 stars, towing specialist, 1 job, earned $300 this week.
# B: 5 mi (ETA 9), no reviews, roadside generalist, idle, earned $900. Median earnings $600.
A = _candidate(
    1,
    miles=10.0,
    eta=17,
    rating_total=45,
    review_count=10,
    specialties=("roadside", "towing"),
    active_jobs=1,
    weekly_earnings_cents=30_000,
)
B = _candidate(
    2,
    miles=5.0,
    eta=9,
    specialties=("roadside",),
    weekly_earnings_cents=90_000,
)


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        # consumer: .4×85.83 + .2×90 + .2×100 + .1×66.67 + .1×75 = 86.50
        #           .4×92.50 + .2×60 + .2×50  + .1×100   + .1×25 = 71.50
        (TOWING, [(A, 86.5), (B, 71.5)]),
        # B2B: specialty .4, ETA .2 → A 89.33, B 63.00
        (B2B_TOWING, [(A, 89.33), (B, 63.0)]),
    ],
)
def test_scores_match_the_hand_computed_figures(job, expected):
    ranked = rules.score_candidates([B, A], job, CONFIG)
    assert [(r.candidate, r.score, r.rank) for r in ranked] == [
        (candidate, score, rank) for rank, (candidate, score) in enumerate(expected, start=1)
    ]


def test_the_subscores_of_the_winner_are_kept_for_the_log():
    ranked = rules.score_candidates([A, B], TOWING, CONFIG)
    entry = ranked[0].as_log()
    assert entry["subscores"] == {
        "eta": 85.83,
        "rating": 90.0,
        "specialty": 100.0,
        "workload": 66.67,
        "fairness": 75.0,
    }
    assert (entry["distance_miles"], entry["eta_minutes"], entry["score"]) == (10.0, 17, 86.5)


def test_equal_scores_go_to_the_nearer_provider_then_the_lower_id():
    # given three providers with identical facts and the same ETA, two at the same distance
    far = _candidate(1, miles=10.2, eta=17)
    near_high_id = _candidate(3, miles=10.0, eta=17)
    near_low_id = _candidate(2, miles=10.0, eta=17)
    # when
    ranked = rules.score_candidates([far, near_high_id, near_low_id], TOWING, CONFIG)
    # then
    assert [r.provider_id for r in ranked] == [_id(2), _id(3), _id(1)]
    assert len({r.score for r in ranked}) == 1


@given(
    st.lists(
        st.tuples(
            st.floats(0, 100),
            st.integers(0, 10_000),
            st.integers(0, 3),
            st.integers(0, 2_000_000),
        ),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_every_score_is_between_0_and_100_and_the_ranking_is_deterministic(rows, b2b):
    candidates = [
        _candidate(
            n,
            miles=miles,
            eta=rules.eta_minutes(miles),
            rating_total=min(stars, 5 * 2000),
            review_count=2000 if stars else 0,
            active_jobs=jobs,
            weekly_earnings_cents=earned,
            specialties=("roadside",),
        )
        for n, (miles, stars, jobs, earned) in enumerate(rows)
    ]
    job = replace(TOWING, is_b2b=b2b)
    ranked = rules.score_candidates(candidates, job, CONFIG)
    assert all(0 <= r.score <= 100 for r in ranked)
    assert ranked == rules.score_candidates(list(reversed(candidates)), job, CONFIG)


# --- eligibility ----------------------------------------------------------------------------

NEAR = ProviderFacts(
    provider_id=_id(9),
    name="Near",
    specialties=("roadside",),
    home_lat=33.75,
    home_lng=-84.39,
)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"is_available": False}, "not available"),
        ({"is_active": False}, "not an active provider"),
        ({"active_jobs": 3}, "already has 3 active jobs (limit 3)"),
        (
            {"credential_expiry": {"insurance": date(2026, 3, 9)}},
            "insurance expired on 2026-03-09",
        ),
        (
            {"credential_expiry": {"drivers_licence": date(2026, 1, 31)}},
            "drivers licence expired on 2026-01-31",
        ),
        ({"specialties": ("diagnostics",)}, "does not offer roadside work"),
        ({"home_lat": None, "home_lng": None}, "no known location"),
        ({"home_lat": 34.6, "home_lng": -84.39}, "57.8 mi away (limit 50 mi)"),
    ],
)
def test_an_ineligible_provider_is_told_why(changes, reason):
    facts = replace(NEAR, **changes)
    assert rules.ineligibility_reasons(
        facts, TOWING, CONFIG, now=NOW, today=TODAY, radius_miles=50
    ) == [reason]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"active_jobs": 2},
        {"credential_expiry": {"insurance": TODAY}},  # valid through its last day
        {"credential_expiry": {"certification": date(2020, 1, 1)}},  # not a dispatch gate
        {"specialties": ("towing",)},  # the service itself rather than its category
    ],
)
def test_an_eligible_provider_has_no_reasons(changes):
    facts = replace(NEAR, **changes)
    assert (
        rules.ineligibility_reasons(facts, TOWING, CONFIG, now=NOW, today=TODAY, radius_miles=50)
        == []
    )


def test_a_fresh_live_location_wins_over_home_and_a_stale_one_does_not():
    moving = replace(
        NEAR,
        current_lat=33.95,
        current_lng=-84.55,
        location_updated_at=NOW - timedelta(seconds=299),
    )
    stale = replace(moving, location_updated_at=NOW - timedelta(seconds=301))
    assert rules.position_of(moving, now=NOW, fresh_seconds=300) == Position(
        33.95, -84.55, "current"
    )
    assert rules.position_of(stale, now=NOW, fresh_seconds=300) == Position(33.75, -84.39, "home")


def test_distances_are_great_circle_miles_on_a_3958_8_mile_earth():
    # one degree of latitude is 3958.8 × π / 180 miles
    facts = replace(NEAR, home_lat=34.7628, home_lng=-84.3927)
    candidate = rules.to_candidate(facts, TOWING, now=NOW, fresh_seconds=300)
    assert candidate is not None
    assert candidate.distance_miles == pytest.approx(69.0940, abs=1e-4)
    assert candidate.eta_minutes == 118


def test_the_bounding_box_contains_the_whole_radius():
    min_lat, max_lat, min_lng, max_lng = rules.bounding_box(33.7628, -84.3927, 50)
    north = 33.7628 + 50 / rules.MILES_PER_DEGREE_LAT
    assert min_lat < 33.7628 - 50 / rules.MILES_PER_DEGREE_LAT and max_lat > north
    # due east at the radius is inside the box
    from roadside_console.domain.core.geo import great_circle_miles

    assert great_circle_miles(33.7628, -84.3927, 33.7628, max_lng) > 50
    assert great_circle_miles(33.7628, -84.3927, 33.7628, min_lng) > 50


# --- settings validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"radius_miles": 0}, "radius_miles", "invalid_radius_miles"),
        ({"radius_miles": -5}, "radius_miles", "invalid_radius_miles"),
        ({"expanded_radius_miles": 0}, "expanded_radius_miles", "invalid_expanded_radius_miles"),
        ({"expanded_radius_miles": 40}, "expanded_radius_miles", "invalid_expanded_radius_miles"),
        ({"offer_timeout_seconds": 0}, "offer_timeout_seconds", "invalid_offer_timeout_seconds"),
        ({"max_attempts": 0}, "max_attempts", "invalid_max_attempts"),
        ({"max_attempts": -1}, "max_attempts", "invalid_max_attempts"),
        ({"max_concurrent_jobs": 0}, "max_concurrent_jobs", "invalid_max_concurrent_jobs"),
        (
            {"location_fresh_seconds": 0},
            "location_fresh_seconds",
            "invalid_location_fresh_seconds",
        ),
        (
            {
                "weights": {
                    "eta": 0,
                    "rating": 4000,
                    "specialty": 4000,
                    "workload": 1000,
                    "fairness": 1000,
                }
            },
            "weights.eta",
            "invalid_dispatch_weight",
        ),
        (
            {
                "weights": {
                    "eta": -1000,
                    "rating": 5000,
                    "specialty": 4000,
                    "workload": 1000,
                    "fairness": 1000,
                }
            },
            "weights.eta",
            "invalid_dispatch_weight",
        ),
        (
            {
                "b2b_weights": {
                    "eta": 4000,
                    "rating": 2000,
                    "specialty": 2000,
                    "workload": 1000,
                    "fairness": 999,
                }
            },
            "b2b_weights",
            "dispatch_weights_total",
        ),
        ({"weights": {"eta": 10_000}}, "weights", "invalid_dispatch_weights"),
    ],
)
def test_zero_negative_or_inconsistent_settings_are_refused_with_the_field(changes, field, code):
    with pytest.raises(ValidationFailed) as caught:
        rules.validate_config(replace(CONFIG, **changes))
    assert (caught.value.field, caught.value.code) == (field, code)
    assert caught.value.message


def test_the_default_settings_are_valid():
    assert rules.validate_config(DispatchConfig()) == DispatchConfig()
