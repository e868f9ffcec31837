"""The console's state-free pieces: what the phone form accepts, and how decisions are shown."""

import uuid
from datetime import UTC, datetime

import pytest

from roadside_console.domain.dispatch.schemas import CandidateView, DispatchLogView
from roadside_console.ui.bookings import phone_form
from roadside_console.ui.bookings.detail import candidate_row, dispatch_row
from roadside_console.ui.components.formatting import (
    event_title,
    local_time,
    parse_coordinate,
    parse_dollars,
    vehicle_label,
)
from roadside_console.ui.provider_portal.pages import maps_link

TZ = "America/New_York"
SERVICE = str(uuid.uuid4())


def _form(**overrides):
    values = {
        "phone": "(404) 555-0177",
        "name": "Renee Alvarez",
        "service_id": SERVICE,
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": "33.7628",
        "lng": "-84.3927",
    }
    values.update(overrides)
    return phone_form.PhoneBookingForm(**values)


@pytest.mark.parametrize(
    ("text", "cents"),
    [("125", 12500), ("125.5", 12550), ("$125.50", 12550), ("1,250.00", 125000), (" 0.99 ", 99)],
)
def test_amounts_are_read_as_dollars_and_cents(text, cents):
    assert parse_dollars(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "12.345", "-5", "1e3"])
def test_anything_else_is_not_an_amount(text):
    assert parse_dollars(text) is None


def test_coordinates_outside_the_globe_are_refused():
    assert parse_coordinate("33.76", limit=90) == 33.76
    assert parse_coordinate("91", limit=90) is None
    assert parse_coordinate("north", limit=90) is None


def test_a_complete_form_has_no_errors_and_books_as_a_guest_immediately():
    form = _form(make="Honda", model="Civic", year="2019", plate="abc123")
    assert phone_form.check(form, TZ) == {}
    data = phone_form.booking_create(form, TZ)
    assert (data.lat, data.lng, data.scheduled_at, data.customer_id) == (
        33.7628,
        -84.3927,
        None,
        None,
    )
    assert data.vehicle == {"make": "Honda", "model": "Civic", "year": 2019, "plate": "ABC123"}


def test_an_empty_form_names_every_missing_field():
    errors = phone_form.check(phone_form.PhoneBookingForm(), TZ)
    assert set(errors) == {"phone", "name", "service", "address", "coordinates"}
    assert errors["coordinates"].startswith("Enter latitude and longitude")


def test_towing_needs_whole_miles_and_a_schedule_needs_a_time():
    form = _form(per_mile=True, towing_miles="12.5", when=phone_form.SCHEDULED)
    assert set(phone_form.check(form, TZ)) == {"towing_miles", "scheduled"}


def test_a_scheduled_time_is_read_on_the_tenants_wall_clock():
    form = _form(when=phone_form.SCHEDULED, scheduled_local="2026-03-10T14:30")
    data = phone_form.booking_create(form, TZ)
    assert data.scheduled_at == datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def test_the_preview_waits_for_a_service_and_ignores_miles_where_they_do_not_count():
    assert phone_form.quote_request(_form(service_id=""), TZ) is None
    request = phone_form.quote_request(_form(towing_miles="14"), TZ)
    assert request is not None
    assert request.towing_miles is None
    assert phone_form.quote_request(_form(per_mile=True, towing_miles="14"), TZ).towing_miles == 14


def test_a_known_caller_books_on_their_account():
    customer = uuid.uuid4()
    data = phone_form.booking_create(_form(customer_id=str(customer)), TZ)
    assert data.customer_id == customer


def test_the_navigation_link_goes_to_the_coordinates():
    assert maps_link(33.7628, -84.3927) == (
        "https://www.google.com/maps/dir/?api=1&destination=33.762800,-84.392700"
    )


def test_events_and_vehicles_read_as_sentences():
    assert event_title("status_changed", "pending", "confirmed") == "Pending → Confirmed"
    assert event_title("offer_accepted", "dispatched", "in_progress") == "Provider accepted"
    assert vehicle_label({"year": 2019, "make": "Honda", "model": "Civic", "color": "Blue"}) == (
        "2019 Honda Civic (Blue)"
    )
    assert local_time(datetime(2026, 3, 10, 18, 30, tzinfo=UTC), TZ) == "Mar 10, 2:30 PM"


def test_a_dispatch_decision_shows_who_won_why_and_every_score():
    candidate = CandidateView(
        rank=1,
        provider_id=str(uuid.uuid4()),
        name="Tyrone Hughes",
        distance_miles=6.27,
        eta_minutes=11,
        location="home",
        active_jobs=0,
        weekly_earnings_cents=0,
        rating=4.5,
        subscores={"eta": 90.8, "rating": 90.0},
        score=79.89,
    )
    log = DispatchLogView(
        log_id=uuid.uuid4(),
        created_at=datetime(2026, 3, 10, 18, 30, tzinfo=UTC),
        algorithm="auto",
        attempt=1,
        provider_id=uuid.uuid4(),
        provider_name="Tyrone Hughes",
        actor_name="System",
        reason="Tyrone Hughes scored 79.89, best of 3",
        eligibility_overridden=False,
        offer_status="pending",
        candidates=[candidate],
    )
    row = dispatch_row(log, TZ)
    assert (row.title, row.outcome) == (
        "Attempt 1 · Automatic",
        "Offered to Tyrone Hughes · offer pending",
    )
    assert candidate_row(candidate).why == "ETA 91 · rating 90"
    assert (row.candidates[0].distance, row.candidates[0].score) == ("6.3 mi", "79.9")
