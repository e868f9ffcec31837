"""The public pages: live tracking from the text message, and joining from an invite email."""

from datetime import UTC, datetime

import reflex as rx

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.bookings.views import LastLocation, StatusStep, TrackingView
from roadside_console.ui.auth.join import join_form_error, join_page
from roadside_console.ui.tracking.page import tracking_card, tracking_page

S = BookingStatus
AT = datetime(2026, 12, 1, 23, 5, tzinfo=UTC)  # 18:05 in Atlanta


def _view(**changes):
    values = {
        "reference": "RS-ABC123",
        "status": S.DISPATCHED,
        "service_name": "Jump Start",
        "scheduled_at": None,
        "timeline": [StatusStep(S.CONFIRMED, AT), StatusStep(S.DISPATCHED, AT)],
        "provider_first_name": "Darius",
        "vehicle": "2018 Honda Accord",
        "eta_minutes": 12,
        "last_location": LastLocation(33.75, -84.39, AT),
        "time_zone": "America/New_York",
    }
    values.update(changes)
    return TrackingView(**values)


def test_a_driver_sees_who_is_coming_when_and_where_on_their_own_clock():
    card = tracking_card(_view())
    assert card.headline == "Your technician is on the way"
    assert card.technician == "Darius"
    assert card.eta == "Arriving in about 12 minutes"
    assert card.location_note == "Last seen at 6:05 PM"
    assert "query=33.75,-84.39" in card.map_url
    assert [s["status"] for s in card.steps] == ["Confirmed", "Dispatched"]
    assert card.steps[0]["at"] == "Dec 01, 6:05 PM"


def test_after_the_job_there_is_no_eta_or_map_link():
    card = tracking_card(_view(status=S.COMPLETED, eta_minutes=None, last_location=None))
    assert card.headline == "Job done"
    assert (card.eta, card.map_url, card.location_note) == ("", "", "")


def test_a_scheduled_booking_says_when():
    card = tracking_card(_view(status=S.CONFIRMED, scheduled_at=AT, provider_first_name=None))
    assert card.when == "Scheduled for Dec 01, 6:05 PM"
    assert card.technician == ""


def test_the_join_form_checks_the_password_before_asking_the_server():
    assert join_form_error("short", "short").startswith("Use at least")
    assert join_form_error("long-enough-1", "long-enough-2") == "The two passwords differ."
    assert join_form_error("long-enough-1", "long-enough-1") == ""


def test_both_pages_build():
    assert isinstance(tracking_page(), rx.Component)
    assert isinstance(join_page(), rx.Component)
