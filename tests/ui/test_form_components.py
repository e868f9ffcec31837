"""The shared form pieces keep labels, errors and ids the same on every page that uses them."""

from __future__ import annotations

import reflex as rx

from roadside_console.ui.bookings.new import PhoneBookingState, phone_booking_page
from roadside_console.ui.components.booking_fields import state_text
from roadside_console.ui.components.forms import confirm_buttons, labelled
from roadside_console.ui.customer.wizard import BookingWizardState, guest_book_page


def test_a_labelled_control_names_its_input_and_shows_the_hint():
    rendered = str(labelled("Reason", rx.input(id="reason"), for_id="reason", hint="Why").render())
    assert 'htmlFor:"reason"' in rendered
    assert "Why" in rendered


def test_a_bound_text_field_has_the_same_ids_and_announced_error_on_both_booking_forms():
    for state in (PhoneBookingState, BookingWizardState):
        rendered = str(state_text(state, "address", "Address", "address").render())
        assert 'id:"f-address"' in rendered
        assert 'htmlFor:"f-address"' in rendered
        assert 'id:"error-address"' in rendered and 'role:"alert"' in rendered


def test_both_booking_forms_offer_the_known_places_and_the_vehicle_fields():
    for page in (phone_booking_page, guest_book_page):
        rendered = str(page().render())
        for element in ("f-place", "f-lat", "f-lng", "f-make", "f-plate"):
            assert f'id:"{element}"' in rendered


def test_a_confirm_dialog_offers_the_safe_way_out_first():
    rendered = str(confirm_buttons("Keep it", rx.button("Delete"), keep_id="keep").render())
    assert rendered.index("Keep it") < rendered.index("Delete")
    assert 'id:"keep"' in rendered
