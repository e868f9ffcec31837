"""The four-step booking wizard, for signed-in customers (/account/book) and guests (/book).

Service → location and vehicle → when → review and payment. The price is previewed as the
booker types (nothing stored); opening the review stores a quote, so the price shown there is
the price the booking pays while the quote holds. A quote that ran out is renewed and its new
total shown before anything is booked.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import reflex as rx

from roadside_console.domain.bookings.creation import BookingCreate
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.customers.self_service import (
    BookingSetup,
    OnlineBooking,
    book_online,
    customer_booking_setup,
    guest_booking_setup,
)
from roadside_console.domain.payments.checkout import CheckoutView, start_card_checkout
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.pricing.rules import PriceBreakdown
from roadside_console.domain.pricing.schemas import QuoteRequest, QuoteView
from roadside_console.domain.pricing.service import create_quote, price_request
from roadside_console.integrations.stripe_checkout import gateway_from_settings
from roadside_console.ui.components.booking_fields import (
    coordinates,
    place_picker,
    state_error,
    state_labelled,
    state_text,
    vehicle_fields,
)
from roadside_console.ui.components.common import price_lines
from roadside_console.ui.components.formatting import local_time, vehicle_label
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.customer import wizard_steps as steps
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.layout import customer_page
from roadside_console.ui.shell.run import run_use_case
from roadside_console.ui.shell.session import SessionState

T = TypeVar("T")
DONE = 5
FORM_FIELDS = frozenset(f.name for f in dataclasses.fields(steps.WizardForm)) - {
    "per_mile",
    "scheduling",
}
PRICE_FIELDS = frozenset({"service_id", "lat", "lng", "when", "scheduled_local", "towing_miles"})
QUOTE_CODES = frozenset({"quote_expired", "quote_used", "quote_credit_unavailable"})


def preview_price(
    uow: UnitOfWork, *, actor: Actor | None, tenant_id: uuid.UUID, request: QuoteRequest
) -> PriceBreakdown:
    """Price the request as it would be booked now, storing nothing (the live preview)."""
    return price_request(uow.session, tenant_id=tenant_id, actor=actor, request=request)


def hold_price(
    uow: UnitOfWork, *, actor: Actor | None, tenant_id: uuid.UUID, request: QuoteRequest
) -> QuoteView:
    """Store a quote: the price the booking pays if made before it expires."""
    return create_quote(uow, tenant_id=tenant_id, actor_or_none=actor, request=request)


def book(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    tenant_id: uuid.UUID,
    data: BookingCreate,
    method: PaymentMethod,
) -> OnlineBooking:
    """Create the booking with its quote and note the payment choice."""
    return book_online(uow, tenant_id=tenant_id, actor=actor, data=data, method=method)


def pay_by_card(uow: UnitOfWork, *, actor: Actor | None, booking_id: uuid.UUID) -> CheckoutView:
    """Open the card checkout for a booking just made (tier-2 customers only)."""
    if actor is None:
        raise DomainError("forbidden", "Sign in to pay by card.")
    base = get_settings().public_base_url.rstrip("/")
    return start_card_checkout(
        uow,
        actor=actor,
        booking_id=booking_id,
        gateway=gateway_from_settings(),
        success_url=f"{base}{routes.CUSTOMER_HOME}?paid=1",
        cancel_url=f"{base}{routes.CUSTOMER_HOME}",
    )


@dataclasses.dataclass(frozen=True)
class ServiceCard:
    """A service as a card of step 1."""

    service_id: str
    name: str
    description: str
    price: str
    per_mile: bool
    scheduling: str


@dataclasses.dataclass(frozen=True)
class Choice:
    """A value and its label (payment methods, known vehicles)."""

    value: str
    label: str


@dataclasses.dataclass(frozen=True)
class PriceRow:
    """A line of a price breakdown."""

    label: str
    amount: str


@dataclasses.dataclass(frozen=True)
class Confirmation:
    """What the booker sees once booked."""

    reference: str
    total: str
    when: str
    tracking_path: str
    tracking_url: str
    payment_note: str


def service_cards(setup: BookingSetup) -> list[ServiceCard]:
    """Turn the catalog into step-1 cards with their starting prices."""
    cards = []
    for s in setup.services:
        price = f"From {format_cents(s.base_price_cents)}"
        if s.per_mile_cents:
            price += f" + {format_cents(s.per_mile_cents)}/mile after {s.included_miles} miles"
        cards.append(
            ServiceCard(
                service_id=str(s.id),
                name=s.name,
                description=s.description,
                price=price,
                per_mile=s.per_mile_cents > 0,
                scheduling=s.scheduling_mode.value,
            )
        )
    return cards


def price_rows(lines: Any) -> list[PriceRow]:
    """Turn price lines into display rows."""
    return [PriceRow(line.label, format_cents(line.amount_cents)) for line in lines]


class BookingWizardState(SessionState):
    """The wizard's answers (as typed), the step, the live price and the held quote."""

    step: int = steps.SERVICE
    guest: bool = False
    service_id: str = ""
    address: str = ""
    lat: str = ""
    lng: str = ""
    place: str = "custom"
    location_notes: str = ""
    year: str = ""
    make: str = ""
    model: str = ""
    color: str = ""
    plate: str = ""
    towing_miles: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    when: str = steps.ASAP
    scheduled_local: str = ""
    notes: str = ""
    method: str = ""
    known_vehicle: str = ""

    services: list[ServiceCard] = []
    methods: list[Choice] = []
    vehicles: list[Choice] = []
    workspace_name: str = ""
    timezone: str = "America/New_York"
    lead_minutes: int = 120
    credit: str = ""
    setup_error: str = ""
    errors: dict[str, str] = {}
    error: str = ""
    preview: list[PriceRow] = []
    preview_total: str = ""
    preview_error: str = ""
    quote_lines: list[PriceRow] = []
    quote_total: str = ""
    quote_until: str = ""
    quote_notice: str = ""
    busy: bool = False
    confirmation: Confirmation | None = None
    _tenant_id: str = ""
    _quote_id: str = ""
    _quote_expires: str = ""
    _known: list[dict[str, str]] = []

    @rx.var
    def per_mile(self) -> bool:
        """Whether the chosen service charges by the mile (then ask the towing distance)."""
        return any(s.per_mile for s in self.services if s.service_id == self.service_id)

    @rx.var
    def scheduling(self) -> str:
        """How the chosen service may be booked: immediate, scheduled or both."""
        return next(
            (s.scheduling for s in self.services if s.service_id == self.service_id), "both"
        )

    @rx.var
    def service_name(self) -> str:
        """The chosen service's name, for the review."""
        return next((s.name for s in self.services if s.service_id == self.service_id), "")

    @rx.var
    def when_label(self) -> str:
        """When help comes, for the review."""
        chosen = steps.WizardForm(when=self.when, scheduled_local=self.scheduled_local)
        return steps.when_text(chosen, self.timezone)

    @rx.var
    def vehicle_summary(self) -> str:
        """The vehicle, for the review."""
        return steps.vehicle_text(
            steps.WizardForm(
                year=self.year, make=self.make, model=self.model, color=self.color, plate=self.plate
            )
        )

    @rx.var
    def lead_label(self) -> str:
        """The scheduling lead in words."""
        return steps.lead_text(self.lead_minutes)

    def _form(self) -> steps.WizardForm:
        return steps.WizardForm(
            **{name: getattr(self, name) for name in FORM_FIELDS},
            per_mile=self.per_mile,
            scheduling=self.scheduling,
        )

    def _reset(self, *, guest: bool) -> None:
        for name in FORM_FIELDS:
            setattr(self, name, "")
        self.when, self.place, self.known_vehicle = steps.ASAP, "custom", ""
        self.step, self.guest, self.busy, self.confirmation = steps.SERVICE, guest, False, None
        self.errors, self.preview, self.quote_lines, self.vehicles, self._known = {}, [], [], [], []
        self.error = self.setup_error = self.preview_error = self.preview_total = ""
        self.quote_total = self.quote_until = self.quote_notice = self.credit = ""
        self._quote_id = self._quote_expires = ""

    def _apply_setup(self, setup: BookingSetup) -> None:
        self._tenant_id = str(setup.tenant_id)
        self.workspace_name, self.timezone = setup.tenant_name, setup.timezone
        self.lead_minutes = setup.min_schedule_lead_minutes
        self.services = service_cards(setup)
        self.methods = [Choice(m.value, steps.method_label(m.value)) for m in setup.payment_methods]
        self.credit = format_cents(setup.credit_cents) if setup.credit_cents else ""
        self.name, self.phone, self.email = (
            setup.contact_name,
            setup.contact_phone,
            setup.contact_email,
        )
        self._known = [steps.vehicle_fields(v) for v in setup.vehicles or []]
        self.vehicles = [
            Choice(str(i), vehicle_label(dict(v))) for i, v in enumerate(setup.vehicles or [])
        ]
        if len(self.methods) == 1:
            self.method = self.methods[0].value

    @rx.event
    async def load_guest(self) -> None:
        """Start a blank wizard for a guest in the named (or the default) workspace."""
        self._reset(guest=True)
        workspace = self.router.url.query_parameters.get("workspace") or (
            get_settings().default_tenant
        )
        try:
            setup = await run_use_case(guest_booking_setup, workspace=workspace)
        except DomainError as error:
            self.setup_error = error.message
            return
        self._apply_setup(setup)

    @rx.event
    async def load_customer(self) -> None:
        """Start a blank wizard for the signed-in customer, with what we know about them."""
        self._reset(guest=False)
        setup, self.setup_error = await self.run_as_user(customer_booking_setup)
        if setup is not None:
            self._apply_setup(setup)

    async def _call(self, fn: Callable[..., T], /, **kwargs: Any) -> tuple[T | None, str, str]:
        """Run a use case as the guest or the signed-in customer; (result, message, code)."""
        actor = None
        if not self.guest:
            actor = await self.current_actor()
            if actor is None:
                return None, "Your session has ended. Sign in again.", "session_ended"
        try:
            return await run_use_case(fn, actor=actor, **kwargs), "", ""
        except DomainError as error:
            return None, error.message, error.code

    @rx.event
    async def update(self, field: str, value: str) -> None:
        """Keep a typed value; re-price the preview when it changes the price."""
        if field not in FORM_FIELDS:
            return
        setattr(self, field, value)
        self.errors = {k: v for k, v in self.errors.items() if k not in _error_keys(field)}
        if field == "service_id":
            if self.scheduling == "scheduled":
                self.when = steps.SCHEDULED
            elif self.scheduling == "immediate":
                self.when = steps.ASAP
        if field in PRICE_FIELDS:
            await self._reprice()

    @rx.event
    async def choose_place(self, value: str) -> None:
        """Fill address and coordinates from the pick list of well-known places."""
        self.place = value
        for index, (address, lat, lng) in enumerate(steps.PLACES):
            if str(index) == value:
                self.address, self.lat, self.lng = address, f"{lat:.4f}", f"{lng:.4f}"
                self.errors = {
                    k: v for k, v in self.errors.items() if k not in ("address", "coordinates")
                }
                await self._reprice()

    @rx.event
    def choose_vehicle(self, value: str) -> None:
        """Fill the vehicle fields from one of the customer's known vehicles."""
        self.known_vehicle = value
        if value.isdigit() and int(value) < len(self._known):
            for key, text in self._known[int(value)].items():
                setattr(self, key, text)
            self.errors = {k: v for k, v in self.errors.items() if k not in ("vehicle", "year")}

    async def _reprice(self) -> None:
        request = steps.quote_request(self._form(), self.timezone)
        if request is None or not self._tenant_id:
            self.preview, self.preview_total, self.preview_error = [], "", ""
            return
        priced, self.preview_error, _ = await self._call(
            preview_price, tenant_id=uuid.UUID(self._tenant_id), request=request
        )
        if priced is None:
            self.preview, self.preview_total = [], ""
            return
        self.preview = price_rows(priced.lines)
        self.preview_total = format_cents(priced.total_cents)

    def _check(self, step: int) -> dict[str, str]:
        return steps.check_step(
            step,
            self._form(),
            tz=self.timezone,
            now=utc_now(),
            lead_minutes=self.lead_minutes,
            allowed_methods=[m.value for m in self.methods],
        )

    @rx.event
    async def next_step(self) -> None:
        """Check this step's answers; go on (opening the review holds the price)."""
        self.errors, self.error = self._check(self.step), ""
        if self.errors:
            self.error = "Some answers need attention."
            return
        if self.step == steps.WHEN and not await self._hold_price():
            return
        self.step = min(self.step + 1, steps.REVIEW)

    @rx.event
    def previous_step(self) -> None:
        """Go back one step, keeping every answer."""
        self.errors, self.error, self.quote_notice = {}, "", ""
        self.step = max(self.step - 1, steps.SERVICE)

    async def _hold_price(self) -> bool:
        request = steps.quote_request(self._form(), self.timezone)
        if request is None:
            self.error = "Choose a service first."
            return False
        quote, self.error, _ = await self._call(
            hold_price, tenant_id=uuid.UUID(self._tenant_id), request=request
        )
        if quote is None:
            return False
        self._quote_id, self._quote_expires = str(quote.id), quote.expires_at.isoformat()
        self.quote_lines = price_rows(quote.lines)
        self.quote_total = format_cents(quote.total_cents)
        self.quote_until = local_time(quote.expires_at, self.timezone, "%-I:%M %p")
        return True

    async def _renew_quote(self, reason: str) -> None:
        before = self.quote_total
        if await self._hold_price():
            self.quote_notice = (
                f"{reason} The price now is {self.quote_total}"
                + (f" (it was {before})." if before and before != self.quote_total else ".")
                + " Check it and press Book again."
            )

    @rx.event
    async def submit(self) -> rx.event.EventSpec | None:
        """Book at the held price, or renew an expired hold and show the new total first."""
        form = self._form()
        invalid = steps.first_invalid_step(
            form,
            tz=self.timezone,
            now=utc_now(),
            lead_minutes=self.lead_minutes,
            allowed_methods=[m.value for m in self.methods],
        )
        if invalid is not None:
            self.step, self.errors = invalid, self._check(invalid)
            self.error = "Some answers need attention."
            return None
        if not self._quote_id or datetime.fromisoformat(self._quote_expires) <= utc_now():
            await self._renew_quote("The price hold ran out.")
            return None
        self.busy, self.quote_notice, self.error = True, "", ""
        try:
            booked, self.error, code = await self._call(
                book,
                tenant_id=uuid.UUID(self._tenant_id),
                data=steps.booking_create(form, self.timezone, quote_id=self._quote_id),
                method=PaymentMethod(self.method),
            )
        finally:
            self.busy = False
        if booked is None:
            if code in QUOTE_CODES:
                reason, self.error = self.error, ""
                await self._renew_quote(reason)
            return None
        return await self._confirm(booked)

    async def _confirm(self, booked: OnlineBooking) -> rx.event.EventSpec | None:
        created = booked.created
        path = steps.tracking_path(created.tracking_token)
        note = booked.payment_note
        checkout = None
        if self.method == PaymentMethod.STRIPE.value:
            checkout, note, _ = await self._call(pay_by_card, booking_id=created.booking_id)
        self.confirmation = Confirmation(
            reference=created.reference,
            total=format_cents(created.total_cents),
            when=steps.when_text(self._form(), self.timezone),
            tracking_path=path,
            tracking_url=get_settings().public_base_url.rstrip("/") + path,
            payment_note=note,
        )
        self.step, self._quote_id = DONE, ""
        if checkout is not None:
            return rx.redirect(checkout.url, is_external=True)
        return None


def _error_keys(field: str) -> tuple[str, ...]:
    return {
        "lat": ("coordinates",),
        "lng": ("coordinates",),
        "make": ("vehicle",),
        "model": ("vehicle",),
        "scheduled_local": ("scheduled",),
        "when": ("when", "scheduled"),
        "service_id": ("service", "towing_miles", "when"),
    }.get(field, (field,))


S = BookingWizardState


def _step_indicator() -> rx.Component:
    def item(number: int, title: str) -> rx.Component:
        return rx.el.li(
            rx.hstack(
                rx.badge(
                    str(number),
                    variant=rx.cond(S.step == number, "solid", "soft"),
                    color_scheme=rx.cond(S.step >= number, "orange", "gray"),
                    radius="full",
                ),
                rx.text(title, size="2", weight=rx.cond(S.step == number, "bold", "regular")),
                align="center",
                spacing="2",
            ),
            aria_current=rx.cond(S.step == number, "step", "false"),
            id=f"wizard-step-{number}",
            list_style="none",
        )

    return rx.el.nav(
        rx.el.ol(
            rx.hstack(
                *[item(i + 1, title) for i, title in enumerate(steps.STEP_TITLES)],
                spacing="4",
                wrap="wrap",
            ),
            padding="0",
            margin="0",
        ),
        aria_label="Booking steps",
        id="wizard-steps",
    )


def _service_step() -> rx.Component:
    return rx.vstack(
        rx.heading("What do you need?", size="4"),
        rx.radio_cards.root(
            rx.foreach(
                S.services,
                lambda s: rx.radio_cards.item(
                    rx.vstack(
                        rx.text(s.name, weight="bold"),
                        rx.text(s.description, size="1", color_scheme="gray"),
                        rx.text(s.price, size="2"),
                        spacing="1",
                        align="start",
                        width="100%",
                    ),
                    value=s.service_id,
                    id="service-" + s.service_id,
                ),
            ),
            value=S.service_id,
            on_value_change=lambda v: S.update("service_id", v),
            columns=rx.breakpoints(initial="1", sm="2"),
            width="100%",
            aria_label="Service",
            id="service-cards",
        ),
        state_error(S, "service"),
        spacing="3",
        width="100%",
    )


def _where_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Where is the vehicle?", size="4"),
        place_picker(
            S,
            steps.PLACES,
            "I'll type the address and coordinates",
            "Well-known Atlanta spots with their coordinates; there is no map lookup.",
        ),
        state_text(S, "address", "Address", "address", placeholder="Street, city"),
        coordinates(S),
        state_text(
            S, "location_notes", "Where exactly (optional)", placeholder="e.g. Level 3, row F"
        ),
        rx.cond(
            S.per_mile,
            state_text(
                S,
                "towing_miles",
                "Towing distance (miles)",
                "towing_miles",
                input_mode="numeric",
                debounce_timeout=300,
                placeholder="e.g. 14",
            ),
        ),
        rx.heading("Your vehicle", size="4", margin_top="0.5em"),
        rx.cond(
            S.vehicles.length() > 0,
            state_labelled(
                S,
                "One of your vehicles",
                rx.select.root(
                    rx.select.trigger(placeholder="Choose a vehicle", id="f-known-vehicle"),
                    rx.select.content(
                        rx.foreach(S.vehicles, lambda v: rx.select.item(v.label, value=v.value))
                    ),
                    value=S.known_vehicle,
                    on_change=S.choose_vehicle,
                ),
                for_id="f-known-vehicle",
            ),
        ),
        vehicle_fields(S, year_errors=("year",), make_errors=("vehicle",)),
        state_text(S, "notes", "Anything the technician should know (optional)"),
        rx.heading("How we reach you", size="4", margin_top="0.5em"),
        rx.grid(
            state_text(S, "name", "Your name", "name", auto_complete="name"),
            state_text(
                S,
                "phone",
                "Mobile phone (we text the tracking link)",
                "phone",
                input_mode="tel",
                auto_complete="tel",
                placeholder="(404) 555-0101",
            ),
            state_text(S, "email", "Email (optional)", "email", auto_complete="email"),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _when_step() -> rx.Component:
    return rx.vstack(
        rx.heading("When do you need help?", size="4"),
        rx.radio_group.root(
            rx.vstack(
                rx.el.label(
                    rx.hstack(
                        rx.radio_group.item(
                            value=steps.ASAP, disabled=S.scheduling == "scheduled", id="when-asap"
                        ),
                        rx.text("As soon as possible", size="2"),
                        align="center",
                    )
                ),
                rx.el.label(
                    rx.hstack(
                        rx.radio_group.item(
                            value=steps.SCHEDULED,
                            disabled=S.scheduling == "immediate",
                            id="when-scheduled",
                        ),
                        rx.text("At a time I choose", size="2"),
                        align="center",
                    )
                ),
                spacing="2",
            ),
            value=S.when,
            on_change=lambda v: S.update("when", v),
            aria_label="When",
            id="f-when",
        ),
        state_error(S, "when"),
        rx.cond(
            S.when == steps.SCHEDULED,
            state_text(
                S,
                "scheduled_local",
                "Date and time (" + S.timezone + " time)",
                "scheduled",
                type="datetime-local",
            ),
        ),
        rx.cond(
            S.when == steps.SCHEDULED,
            rx.text(
                "Book at least ",
                S.lead_label,
                " ahead so we can plan a technician.",
                size="1",
                color_scheme="gray",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _price_rows(rows: rx.Var, total: rx.Var, total_id: str) -> rx.Component:
    return rx.vstack(*price_lines(rows, total, total_id), spacing="2", width="100%")


def _review_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Check and book", size="4"),
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Service"), rx.data_list.value(S.service_name)),
            rx.data_list.item(rx.data_list.label("Where"), rx.data_list.value(S.address)),
            rx.data_list.item(rx.data_list.label("Vehicle"), rx.data_list.value(S.vehicle_summary)),
            rx.data_list.item(rx.data_list.label("When"), rx.data_list.value(S.when_label)),
            rx.data_list.item(
                rx.data_list.label("Contact"),
                rx.data_list.value(S.name, " · ", rx.el.span(S.phone, white_space="nowrap")),
            ),
            id="review-summary",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Price", size="3"),
                _price_rows(S.quote_lines, S.quote_total, "review-total"),
                rx.text(
                    "This price is held for you until ",
                    S.quote_until,
                    ".",
                    size="1",
                    color_scheme="gray",
                    id="quote-hold",
                ),
                rx.cond(
                    S.credit != "",
                    rx.text(
                        "You have ",
                        S.credit,
                        " of referral credit; it is taken off the price above.",
                        size="1",
                        color_scheme="green",
                        id="credit-note",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(
            S.quote_notice != "",
            rx.callout(S.quote_notice, icon="info", color_scheme="amber", id="quote-notice"),
        ),
        state_labelled(
            S,
            "How will you pay?",
            rx.radio_group.root(
                rx.vstack(
                    rx.foreach(
                        S.methods,
                        lambda m: rx.el.label(
                            rx.hstack(
                                rx.radio_group.item(value=m.value, id="pay-" + m.value),
                                rx.text(m.label, size="2"),
                                align="center",
                            )
                        ),
                    ),
                    spacing="2",
                ),
                value=S.method,
                on_change=lambda v: S.update("method", v),
                aria_label="Payment method",
                id="pay-method",
            ),
            "method",
            for_id="pay-method",
        ),
        spacing="4",
        width="100%",
    )


def _buttons() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.step > steps.SERVICE,
            rx.button(
                rx.icon("arrow-left", size=16),
                "Back",
                variant="soft",
                color_scheme="gray",
                on_click=S.previous_step,
                id="wizard-back",
            ),
        ),
        rx.spacer(),
        rx.cond(
            S.step < steps.REVIEW,
            rx.button(
                "Next", rx.icon("arrow-right", size=16), on_click=S.next_step, id="wizard-next"
            ),
            rx.button(
                rx.icon("check", size=16),
                "Book",
                size="3",
                on_click=S.submit,
                loading=S.busy,
                id="wizard-book",
            ),
        ),
        width="100%",
    )


def _live_price() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Price", size="3"),
            rx.cond(
                S.preview_total != "",
                _price_rows(S.preview, S.preview_total, "preview-total"),
                rx.text(
                    "Choose a service (and a time, if later) to see the price.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                S.preview_error != "",
                rx.text(S.preview_error, color_scheme="red", size="2", id="preview-error"),
                rx.text("Updates as you answer.", size="1", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="price-preview",
        aria_live="polite",
    )


def _confirmed() -> rx.Component:
    c = S.confirmation
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("circle-check", size=28, color=rx.color("green", 9)),
                rx.heading("You're booked", size="5"),
                align="center",
            ),
            rx.text("Reference ", rx.el.strong(c.reference, id="booking-reference")),
            rx.text(c.when, " · ", c.total),
            rx.text(
                "We texted you this link too. Follow your technician here:",
                size="2",
            ),
            rx.link(
                c.tracking_url,
                href=c.tracking_path,
                id="tracking-link",
                weight="bold",
                overflow_wrap="anywhere",
            ),
            rx.cond(
                c.payment_note != "",
                rx.callout(c.payment_note, icon="info", color_scheme="amber", id="payment-note"),
            ),
            rx.cond(
                S.guest,
                rx.link("Book something else", href=routes.GUEST_BOOK),
                rx.link("See my bookings", href=routes.CUSTOMER_HOME, id="to-my-bookings"),
            ),
            spacing="3",
        ),
        width="100%",
        id="booking-confirmed",
        role="status",
    )


def wizard() -> rx.Component:
    """The wizard: step indicator, the current step, Back/Next, the live price alongside."""
    return rx.cond(
        S.setup_error != "",
        rx.callout(S.setup_error, icon="triangle-alert", color_scheme="red", id="setup-error"),
        rx.cond(
            S.step == DONE,
            rx.cond(S.confirmation, _confirmed()),
            rx.vstack(
                _step_indicator(),
                rx.grid(
                    rx.vstack(
                        rx.cond(S.step == steps.SERVICE, _service_step()),
                        rx.cond(S.step == steps.WHERE, _where_step()),
                        rx.cond(S.step == steps.WHEN, _when_step()),
                        rx.cond(S.step == steps.REVIEW, _review_step()),
                        error_callout(S.error, id_="wizard-error", width="100%", role="alert"),
                        _buttons(),
                        spacing="4",
                        width="100%",
                    ),
                    rx.cond(S.step < steps.REVIEW, _live_price()),
                    columns=rx.breakpoints(initial="1", md="2fr 1fr"),
                    spacing="4",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )


@customer_page("Book a service")
def book_page() -> rx.Component:
    """The wizard for a signed-in customer."""
    return wizard()


def guest_book_page() -> rx.Component:
    """The wizard for a guest: no account needed, contact details instead."""
    return rx.box(
        rx.hstack(
            rx.icon("truck", size=22, color=rx.color("orange", 9)),
            rx.heading("RoadSide help", size="4"),
            rx.spacer(),
            rx.link("Sign in", href=f"{routes.LOGIN}?next={routes.CUSTOMER_BOOK}", id="sign-in"),
            align="center",
            padding="1em",
            class_name="topbar",
        ),
        rx.vstack(
            rx.heading("Book roadside help", size="6", id="page-title"),
            rx.cond(
                S.workspace_name != "",
                rx.text("with ", S.workspace_name, color_scheme="gray"),
            ),
            wizard(),
            spacing="4",
            padding="1.5em",
            max_width="56em",
            margin_x="auto",
        ),
    )
