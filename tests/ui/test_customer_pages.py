"""The customer pages: what each wizard step accepts, how bookings read, and that pages build."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import reflex as rx

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.catalog.models import SchedulingMode, ServiceCategory
from roadside_console.domain.catalog.public import ServiceView
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict
from roadside_console.domain.customers.self_service import (
    BookingHistory,
    BookingSetup,
    HistoryRow,
)
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.ui.customer import wizard_steps as steps
from roadside_console.ui.customer.pages import (
    MyBookingsState,
    booking_lines,
    cancel_own_booking,
    my_bookings_page,
    parse_stars,
)
from roadside_console.ui.customer.referrals import friend_code_error, referrals_page
from roadside_console.ui.customer.tracking import own_tracking_page
from roadside_console.ui.customer.wizard import book_page, guest_book_page, service_cards
from tests.factories import actor_of, make_booking, make_tenant, make_user
from tests.ui.support import run_handler, signed_in_state

TZ = "America/New_York"
NOW = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # 2:00 pm in Atlanta
ALL = ["cash", "cashapp", "zelle"]


def _form(**overrides):
    values = {
        "service_id": str(uuid.uuid4()),
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": "33.7628",
        "lng": "-84.3927",
        "make": "Honda",
        "model": "Civic",
        "name": "Jordan Miles",
        "phone": "(404) 555-0101",
        "method": "zelle",
    }
    values.update(overrides)
    return steps.WizardForm(**values)


def _check(step, form):
    return steps.check_step(step, form, tz=TZ, now=NOW, lead_minutes=120, allowed_methods=ALL)


def test_a_complete_booking_passes_every_step():
    assert (
        steps.first_invalid_step(_form(), tz=TZ, now=NOW, lead_minutes=120, allowed_methods=ALL)
        is None
    )


def test_step_one_asks_for_a_service():
    assert _check(steps.SERVICE, _form(service_id="")) == {"service": "Choose the help you need."}


def test_step_two_names_each_missing_or_malformed_answer():
    errors = _check(
        steps.WHERE,
        _form(
            address=" ", lat="91", make="", model="", name="", phone="555", email="x@", year="19"
        ),
    )
    assert set(errors) == {"address", "coordinates", "vehicle", "name", "phone", "email", "year"}
    assert errors["phone"] == "Enter a phone number we can text, e.g. (404) 555-0101."


@pytest.mark.parametrize("miles", ["", "0", "2.5", "501"])
def test_a_tow_needs_whole_miles_in_range(miles):
    errors = _check(steps.WHERE, _form(per_mile=True, towing_miles=miles))
    assert errors == {"towing_miles": "Enter the towing distance in whole miles (1 to 500)."}


def test_a_tow_with_miles_passes_and_a_jump_start_ignores_miles():
    assert _check(steps.WHERE, _form(per_mile=True, towing_miles="14")) == {}
    assert _check(steps.WHERE, _form(per_mile=False, towing_miles="")) == {}


@pytest.mark.parametrize(
    ("local", "message"),
    [
        ("", "Choose the date and time of the appointment."),
        ("2026-06-10T13:30", "That time has passed. Choose a time in the future."),
        (
            "2026-06-10T15:30",
            "Choose a time at least 2 hours from now, or book for as soon as possible.",
        ),
    ],
)
def test_a_scheduled_time_must_be_in_the_future_and_past_the_lead(local, message):
    form = _form(when=steps.SCHEDULED, scheduled_local=local)
    assert _check(steps.WHEN, form) == {"scheduled": message}


def test_a_time_past_the_lead_on_the_operators_clock_is_accepted():
    form = _form(when=steps.SCHEDULED, scheduled_local="2026-06-10T16:00")  # exactly 2 h ahead
    assert _check(steps.WHEN, form) == {}
    assert steps.scheduled_at(form, TZ) == NOW + timedelta(hours=2)
    assert steps.when_text(form, TZ) == "Wed Jun 10, 4:00 PM"


def test_the_service_decides_whether_asap_or_a_time_is_possible():
    assert "when" in _check(steps.WHEN, _form(scheduling="scheduled"))
    late = _form(scheduling="immediate", when=steps.SCHEDULED, scheduled_local="2026-06-11T10:00")
    assert _check(steps.WHEN, late) == {"when": "This service is only available right away."}


def test_the_review_accepts_only_a_method_the_booker_may_use():
    assert _check(steps.REVIEW, _form(method="stripe")) == {"method": "Choose how you will pay."}
    assert _check(steps.REVIEW, _form(method="cash")) == {}


@pytest.mark.parametrize(
    ("minutes", "text"), [(120, "2 hours"), (60, "1 hour"), (90, "90 minutes")]
)
def test_the_lead_reads_as_people_say_it(minutes, text):
    assert steps.lead_text(minutes) == text


def test_the_booking_carries_the_quote_that_locks_its_price():
    quote_id = uuid.uuid4()
    data = steps.booking_create(
        _form(plate="abc123", year="2019", email="j@example.com"), TZ, quote_id=str(quote_id)
    )
    assert data.quote_id == quote_id
    assert data.vehicle == {"make": "Honda", "model": "Civic", "plate": "ABC123", "year": 2019}
    assert (data.contact_email, data.scheduled_at, data.customer_id) == (
        "j@example.com",
        None,
        None,
    )


def test_the_live_price_waits_for_both_coordinates_but_not_for_the_service_price():
    request = steps.quote_request(_form(lat="33.7", lng="-8"), TZ)
    assert (request.lat, request.lng) == (33.7, -8.0)
    half_typed = steps.quote_request(_form(lat="33.", lng="-"), TZ)
    assert (half_typed.lat, half_typed.lng) == (None, None)
    assert steps.quote_request(_form(service_id=""), TZ) is None


def test_a_known_vehicle_fills_the_fields_and_reads_back_the_same():
    fields = steps.vehicle_fields({"year": 2019, "make": "Honda", "model": "Civic", "plate": "X1"})
    assert fields == {"year": "2019", "make": "Honda", "model": "Civic", "color": "", "plate": "X1"}
    assert steps.vehicle_text(_form(**fields)) == "2019 Honda Civic · plate X1"


def test_the_tracking_link_is_the_public_page_of_the_token():
    assert steps.tracking_path("abc") == "/track/abc"
    assert steps.method_label("cash") == "Cash to the technician"


def test_service_cards_say_the_starting_price_and_the_mileage_rate():
    towing = ServiceView(
        id=uuid.uuid4(),
        name="Towing",
        slug="towing",
        description="Up to 10 miles included",
        category=ServiceCategory.ROADSIDE,
        base_price_cents=12500,
        per_mile_cents=300,
        included_miles=10,
        scheduling_mode=SchedulingMode.BOTH,
    )
    setup = BookingSetup(
        tenant_id=uuid.uuid4(),
        tenant_name="Atlanta",
        timezone=TZ,
        min_schedule_lead_minutes=120,
        services=[towing],
        payment_methods=[PaymentMethod.CASH],
    )
    [card] = service_cards(setup)
    assert card.price == "From $125.00 + $3.00/mile after 10 miles"
    assert (card.per_mile, card.scheduling) == (True, "both")


def test_my_bookings_read_on_the_operators_clock_with_their_actions():
    booking_id = uuid.uuid4()
    history = BookingHistory(
        rows=[
            HistoryRow(
                booking_id=booking_id,
                reference="RS-ABC123",
                service_name="Jump Start",
                status=BookingStatus.CONFIRMED,
                address="265 Park Ave W NW",
                price_cents=10000,
                created_at=datetime(2026, 6, 11, 2, 0, tzinfo=UTC),  # Jun 10, 10 pm locally
                scheduled_at=None,
                can_cancel=True,
                can_review=False,
            )
        ],
        timezone=TZ,
    )
    [line] = booking_lines(history)
    assert (line.date, line.when, line.price) == ("Jun 10, 2026", "As soon as possible", "$100.00")
    assert line.track_path == f"/account/track/{booking_id}"
    assert (line.can_cancel, line.can_review) == (True, False)


def test_my_bookings_render_as_cards_on_a_phone_and_a_table_from_tablet_width():
    rendered = str(my_bookings_page().render())
    # the cards show below 48em and the table from there up: only one is ever displayed
    for element in ("my-booking-cards", "my-bookings", "booking-card-", "card-cancel-"):
        assert element in rendered
    assert rendered.count("@media screen and (min-width: 48em)") >= 2


def test_a_customer_opens_the_details_of_their_own_booking_only(session, uow_factory, monkeypatch):
    # given a customer with one booking, on My bookings
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    booking = make_booking(session, tenant, customer=customer, status=BookingStatus.CONFIRMED)
    state = signed_in_state(MyBookingsState, customer, tenant, uow_factory, monkeypatch)
    run_handler(state.load())
    [line] = state.bookings
    # when they open its details
    state.ask_view(line.booking_id)
    # then the dialog shows that booking, with the address the card leaves out
    assert state.view_open is True
    assert state.viewing == line
    assert line.reference == booking.reference
    # and an id that is not one of theirs opens nothing
    state.set_view_open(False)
    state.ask_view(str(uuid.uuid4()))
    assert (state.view_open, state.viewing) == (False, None)


@pytest.mark.parametrize(("picked", "stars"), [("5", 5), ("1", 1), ("", None), ("6", None)])
def test_stars_are_one_to_five(picked, stars):
    assert parse_stars(picked) == stars


def test_an_empty_friend_code_is_caught_before_asking():
    assert friend_code_error("  ") == "Enter your friend's referral code."
    assert friend_code_error("K7M2P9QX") == ""


def test_a_customer_who_paid_cash_is_asked_to_call_and_the_booking_stays(session, uow_factory):
    # given a confirmed booking paid in cash
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    booking = make_booking(session, tenant, customer=customer, status=BookingStatus.CONFIRMED)
    session.add(
        Payment(
            tenant_id=tenant.id,
            booking_id=booking.id,
            customer_id=customer.id,
            method=PaymentMethod.CASH,
            amount_cents=10000,
            status=PaymentStatus.CONFIRMED,
        )
    )
    session.commit()
    # when they cancel from My bookings at the free fee they were shown
    with uow_factory() as uow, pytest.raises(Conflict) as caught:
        cancel_own_booking(
            uow, actor=actor_of(customer), booking_id=booking.id, expected_fee_cents=0
        )
    # then they are told to call, and the booking is still on
    assert caught.value.message == (
        "This booking was paid by cash. Call us to cancel it and get $100.00 back."
    )
    assert session.get(Booking, booking.id).status is BookingStatus.CONFIRMED


def test_every_customer_page_builds():
    for page in (book_page, guest_book_page, my_bookings_page, referrals_page, own_tracking_page):
        assert isinstance(page(), rx.Component)
    rendered = str(guest_book_page().render())
    for element in ("wizard-steps", "service-cards", "wizard-next", "price-preview"):
        assert element in rendered
