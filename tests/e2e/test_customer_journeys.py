"""Booking for tomorrow through the four-step wizard on a phone, as a guest and as a customer.

The bookings go to the demo's second workspace (Gulf Coast Tow), so the RoadSide ATL numbers
the other journeys check stay as seeded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from roadside_console.domain.bookings.models import Booking, BookingMode, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.service import actor_for
from roadside_console.domain.pricing.service import price_request
from roadside_console.domain.seed.demo import SECOND_TENANT_SLUG
from roadside_console.domain.tenants.models import Tenant
from roadside_console.ui.customer import wizard_steps as steps
from tests.e2e.conftest import DEMO_PASSWORD, assert_no_sideways_scroll, screenshot

PHONE = {"width": 390, "height": 844}
ADDRESS, LAT, LNG = "1 Government St, Mobile, AL 36602", "30.6909", "-88.0413"
DESKTOP = {"width": 1280, "height": 800}
DEMO_CUSTOMER = "jordan.miles@example.com"  # the first workspace's: one done job, one pending
CUSTOMER = "jules.martin@example.com"  # the second workspace's demo customer, trust tier 1
NEW_CUSTOMER_METHODS = (
    ("cash", "Cash to the technician"),
    ("cashapp", "CashApp"),
    ("zelle", "Zelle"),
)


@dataclass(frozen=True)
class Booked:
    """What the wizard said once booked, and what it was asked."""

    reference: str
    total: str
    day: date
    scheduled_local: str
    tz: str
    tracking_path: str


@pytest.fixture()
def phone(browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def _workspace(database_url: str) -> tuple[str, str]:
    """Return (time zone, Jump Start's service id) of the second demo workspace."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == SECOND_TENANT_SLUG)).one()
        jump = session.exec(
            select(Service).where(Service.tenant_id == tenant.id, Service.slug == "jump-start")
        ).one()
    engine.dispose()
    return tenant.timezone, str(jump.id)


def _expected_price(
    database_url: str, form: steps.WizardForm, tz: str, customer: str | None
) -> str:
    """What the pricing rules charge this booker for the request now (the wizard must agree)."""
    request = steps.quote_request(form, tz)
    assert request is not None
    engine = create_engine(database_url)
    with Session(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == SECOND_TENANT_SLUG)).one()
        actor = None
        if customer:
            actor = actor_for(session.exec(select(User).where(User.email == customer)).one())
        priced = price_request(session, tenant_id=tenant.id, actor=actor, request=request)
    engine.dispose()
    return format_cents(priced.total_cents)


def _on_step(page: Page, number: int) -> None:
    expect(page.locator(f"#wizard-step-{number}")).to_have_attribute("aria-current", "step")


def _book_jump_start_tomorrow(
    page: Page, database_url: str, *, customer: str | None = None, picture: str = ""
) -> Booked:
    """Walk the open wizard: Jump Start, the car in Mobile, tomorrow 10:30, cash; book it."""
    tz, service_id = _workspace(database_url)
    tomorrow = datetime.now(ZoneInfo(tz)).date() + timedelta(days=1)
    scheduled_local = f"{tomorrow.isoformat()}T10:30"
    form = steps.WizardForm(
        service_id=service_id,
        address=ADDRESS,
        lat=LAT,
        lng=LNG,
        when=steps.SCHEDULED,
        scheduled_local=scheduled_local,
    )
    when_text = steps.when_text(form, tz)  # e.g. "Wed Jun 10, 10:30 AM"

    # step 1: picking a service shows the live price at once
    _on_step(page, 1)
    page.locator(f"#service-{service_id}").click()
    expect(page.locator("#preview-total")).to_have_text(re.compile(r"^\$\d+\.\d\d$"))
    expect(page.locator("#price-preview")).to_contain_text("Jump Start")
    page.click("#wizard-next")

    # step 2: where the car is, what it is and (for a guest) how to reach them
    _on_step(page, 2)
    page.fill("#f-address", ADDRESS)
    page.fill("#f-lat", LAT)
    page.fill("#f-lng", LNG)
    page.fill("#f-make", "Ford")
    page.fill("#f-model", "Focus")
    page.fill("#f-color", "Blue")
    if customer is None:
        page.fill("#f-name", "Renee Alvarez")
        page.fill("#f-phone", "(251) 555-0177")
    else:  # a customer's own contact details are filled in for them
        expect(page.locator("#f-name")).not_to_have_value("")
        expect(page.locator("#f-phone")).not_to_have_value("")
    page.click("#wizard-next")

    # step 3: a time tomorrow morning instead of right away, priced live for that time
    _on_step(page, 3)
    page.click("#when-scheduled")
    expect(page.locator("#f-scheduled-local")).to_be_visible()
    page.fill("#f-scheduled-local", scheduled_local)
    expected = _expected_price(database_url, form, tz, customer)
    expect(page.locator("#preview-total")).to_have_text(expected)
    expect(page.locator("#wizard-error")).to_have_count(0)
    if picture:
        page.locator("#page-title").click()  # no focus ring on the date field in the picture
        screenshot(page, picture)
    page.click("#wizard-next")

    # step 4: every answer again, the held price, and a tier-1 booker's payment methods
    _on_step(page, 4)
    summary = page.locator("#review-summary")
    expect(summary).to_contain_text("Jump Start")
    expect(summary).to_contain_text(ADDRESS)
    expect(summary).to_contain_text("Ford Focus (Blue)")
    expect(summary).to_contain_text(when_text)
    expect(page.locator("#review-total")).to_have_text(expected)
    expect(page.locator("#quote-hold")).to_contain_text("held for you until")
    methods = page.get_by_role("radiogroup", name="Payment method")
    expect(methods.get_by_role("radio")).to_have_count(len(NEW_CUSTOMER_METHODS))
    for method_id, label in NEW_CUSTOMER_METHODS:
        expect(page.locator(f"#pay-{method_id}")).to_be_visible()
        expect(methods).to_contain_text(label)
    expect(page.locator("#pay-stripe")).to_have_count(0)  # cards only from trust tier 2
    page.click("#pay-cash")
    page.click("#wizard-book")

    # booked: the reference, the time, the price and the tracking link
    confirmed = page.locator("#booking-confirmed")
    expect(confirmed).to_contain_text("You're booked")
    reference = page.locator("#booking-reference")
    expect(reference).to_have_text(re.compile(r"^RS-[A-Z0-9]{6}$"))
    expect(confirmed).to_contain_text(f"{when_text} · {expected}")
    link = page.locator("#tracking-link")
    expect(link).to_have_attribute("href", re.compile(r"^/track/[\w-]{20,}$"))
    # the long link wraps inside the card instead of running off a 390 px screen
    card_box, link_box = confirmed.bounding_box(), link.bounding_box()
    assert card_box and link_box
    assert link_box["x"] + link_box["width"] <= card_box["x"] + card_box["width"]
    assert_no_sideways_scroll(page, PHONE["width"])
    return Booked(
        reference.inner_text(),
        expected,
        tomorrow,
        scheduled_local,
        tz,
        link.get_attribute("href") or "",
    )


def _assert_stored(database_url: str, booked: Booked) -> None:
    """The booking is a scheduled, pending job at the chosen time and the quoted price."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        booking = session.exec(select(Booking).where(Booking.reference == booked.reference)).one()
    engine.dispose()
    assert booking.mode is BookingMode.SCHEDULED
    assert booking.status is BookingStatus.PENDING
    assert booking.scheduled_at is not None
    at = booking.scheduled_at.replace(tzinfo=booking.scheduled_at.tzinfo or ZoneInfo("UTC"))
    assert at.astimezone(ZoneInfo(booked.tz)).strftime("%Y-%m-%dT%H:%M") == booked.scheduled_local
    assert format_cents(booking.estimated_price_cents) == booked.total


def _assert_tracking(page: Page, booked: Booked) -> None:
    expect(page).to_have_url(re.compile(r"/track/[\w-]{20,}$"))
    expect(page.locator("#tracking-headline")).to_have_text("We have your request")
    expect(page.get_by_text("Pending", exact=True).first).to_be_visible()
    expect(page.get_by_text(f"Jump Start · {booked.reference}")).to_be_visible()
    scheduled = f"Scheduled for {booked.day.strftime('%b %d')}, 10:30 AM"
    expect(page.get_by_text(scheduled)).to_be_visible()
    expect(page.locator("#tracking-steps")).to_contain_text("Pending")


def test_a_guest_books_for_tomorrow_on_a_phone_and_follows_the_tracking_link(
    phone: Page, base_url, app_env
):
    # given a guest on a 390×844 phone, with no account, at the operator's booking page
    phone.goto(f"{base_url}/book?workspace={SECOND_TENANT_SLUG}")
    expect(phone.locator("#page-title")).to_have_text("Book roadside help")
    expect(phone.get_by_text("with Gulf Coast Tow")).to_be_visible()
    # when they book a jump start for tomorrow morning, paying cash
    booked = _book_jump_start_tomorrow(phone, app_env["DATABASE_URL"], picture="customer-wizard")
    # then it is stored as they chose it
    _assert_stored(app_env["DATABASE_URL"], booked)
    # and the link from the confirmation (no sign-in needed) says where the booking stands
    phone.click("#tracking-link")
    _assert_tracking(phone, booked)
    screenshot(phone, "customer-tracking")


def test_a_signed_in_customer_books_for_tomorrow_and_finds_it_in_their_bookings(
    phone: Page, base_url, app_env
):
    # given Jules, a customer of the second workspace, signed in on a phone
    phone.goto(f"{base_url}/login")
    phone.fill("#workspace", SECOND_TENANT_SLUG)
    phone.fill("#email", CUSTOMER)
    phone.fill("#password", DEMO_PASSWORD)
    phone.click("#sign-in")
    expect(phone.locator("#page-title")).to_have_text("My bookings")
    phone.get_by_role("link", name="Book", exact=True).click()
    expect(phone.locator("#page-title")).to_have_text("Book a service")
    # when he books a jump start for tomorrow morning, paying cash
    booked = _book_jump_start_tomorrow(phone, app_env["DATABASE_URL"], customer=CUSTOMER)
    _assert_stored(app_env["DATABASE_URL"], booked)
    # then his bookings list it, with its own tracking
    phone.click("#to-my-bookings")
    expect(phone.locator("#page-title")).to_have_text("My bookings")
    card = phone.locator(f"#booking-card-{booked.reference}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Jump Start")
    # and the texted link works for him too
    phone.goto(f"{base_url}{booked.tracking_path}")
    _assert_tracking(phone, booked)


def _sign_in_customer(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#page-title")).to_have_text("My bookings")


def _pending_reference(database_url: str, email: str) -> str:
    engine = create_engine(database_url)
    with Session(engine) as session:
        customer = session.exec(select(User).where(User.email == email)).one()
        booking = session.exec(
            select(Booking).where(
                Booking.customer_id == customer.id, Booking.status == BookingStatus.PENDING
            )
        ).first()
    engine.dispose()
    assert booking is not None
    return booking.reference


def test_a_customer_reads_their_bookings_as_cards_on_a_phone_and_as_a_table_on_a_desk(
    browser, base_url, app_env
):
    # given Jordan, with a finished job and a pending one, signed in on a phone
    reference = _pending_reference(app_env["DATABASE_URL"], DEMO_CUSTOMER)
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    _sign_in_customer(page, base_url, DEMO_CUSTOMER)
    # then each booking is a card that fits the screen, and the table is not shown
    card = page.locator(f"#booking-card-{reference}")
    expect(card).to_be_visible()
    expect(card).to_contain_text(re.compile(r"\$\d+\.\d\d"))
    expect(page.locator("#my-bookings")).to_be_hidden()
    assert_no_sideways_scroll(page, PHONE["width"])
    for action in ("view", "track", "cancel"):
        expect(page.locator(f"#card-{action}-{reference}")).to_be_visible()
    screenshot(page, "customer-bookings-mobile")
    # when he opens the details, he sees where the car is
    page.click(f"#card-view-{reference}")
    expect(page.locator("#booking-view")).to_contain_text(reference)
    expect(page.locator("#view-address")).not_to_have_text("")
    page.keyboard.press("Escape")
    expect(page.locator("#booking-view")).to_have_count(0)
    # and cancelling says what it costs before anything happens; he keeps the booking
    page.click(f"#card-cancel-{reference}")
    expect(page.locator("#cancel-terms")).not_to_have_text("")
    expect(page.locator("#cancel-confirm")).to_be_visible()
    page.click("#cancel-keep")
    expect(page.locator("#cancel-terms")).to_have_count(0)
    expect(card).to_be_visible()
    phone.close()
    # given the same customer at a desk, in dark mode
    desk = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    page = desk.new_page()
    _sign_in_customer(page, base_url, DEMO_CUSTOMER)
    # then the bookings are a table with the actions in the last column, and no cards
    row = page.locator(f"#booking-{reference}")
    expect(row).to_be_visible()
    expect(row.locator(f"#cancel-{reference}")).to_be_visible()
    expect(page.locator(".booking-card").first).to_be_hidden()
    assert_no_sideways_scroll(page, DESKTOP["width"])
    screenshot(page, "customer-bookings-dark")
    desk.close()
