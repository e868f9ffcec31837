"""Phone booking: a dispatcher books for a caller, sees the price as they type, then dispatches.

The caller's number finds their customer account when there is one. Creating the booking goes
to its detail page, where the worker's first offer shows up within seconds (or "Dispatch now").
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from roadside_console.domain.bookings.creation import BookingCreate, BookingCreated, create_booking
from roadside_console.domain.catalog.queries import booking_form_options
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.customers.queries import find_customer_by_phone
from roadside_console.domain.pricing.rules import PriceBreakdown
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.pricing.service import price_request
from roadside_console.ui.bookings import phone_form
from roadside_console.ui.components.booking_fields import (
    coordinates,
    place_picker,
    state_labelled,
    state_text,
    vehicle_fields,
)
from roadside_console.ui.components.formatting import vehicle_label
from roadside_console.ui.components.forms import error_callout
from roadside_console.ui.shell.layout import admin_page
from roadside_console.ui.shell.routes import booking_path
from roadside_console.ui.shell.session import SessionState

FORM_FIELDS = frozenset(f.name for f in dataclasses.fields(phone_form.PhoneBookingForm)) - {
    "per_mile",
    "customer_id",
}
FORM_INCOMPLETE = "Some fields need attention."
PRICE_FIELDS = frozenset({"service_id", "lat", "lng", "when", "scheduled_local", "towing_miles"})


def preview_price(uow: UnitOfWork, *, actor: Actor, request: QuoteRequest) -> PriceBreakdown:
    """Price the request as the booking would be priced now, storing nothing."""
    return price_request(uow.session, tenant_id=actor.tenant_id, actor=actor, request=request)


def book_for_caller(uow: UnitOfWork, *, actor: Actor, data: BookingCreate) -> BookingCreated:
    """Create the booking in the dispatcher's own tenant."""
    return create_booking(uow, tenant_id=actor.tenant_id, actor=actor, data=data)


@dataclasses.dataclass(frozen=True)
class ServiceChoice:
    """A service in the picker."""

    service_id: str
    label: str
    per_mile: bool
    scheduling: str


@dataclasses.dataclass(frozen=True)
class PreviewLine:
    """A line of the live price."""

    label: str
    amount: str


class PhoneBookingState(SessionState):
    """The form's fields (as typed), field errors and the live price."""

    phone: str = ""
    name: str = ""
    email: str = ""
    service_id: str = ""
    address: str = ""
    lat: str = ""
    lng: str = ""
    place: str = phone_form.CUSTOM_PLACE
    when: str = phone_form.ASAP
    scheduled_local: str = ""
    towing_miles: str = ""
    year: str = ""
    make: str = ""
    model: str = ""
    color: str = ""
    plate: str = ""
    location_notes: str = ""
    notes: str = ""

    services: list[ServiceChoice] = []
    timezone: str = "America/New_York"
    caller: str = ""
    errors: dict[str, str] = {}
    error: str = ""
    preview: list[PreviewLine] = []
    preview_total: str = ""
    preview_note: str = ""
    preview_error: str = ""
    busy: bool = False
    _customer_id: str = ""

    @rx.var
    def per_mile(self) -> bool:
        """Whether the chosen service charges by the mile (then ask for towing miles)."""
        return any(s.per_mile for s in self.services if s.service_id == self.service_id)

    @rx.var
    def scheduling(self) -> str:
        """How the chosen service may be booked: immediate, scheduled or both."""
        for s in self.services:
            if s.service_id == self.service_id:
                return s.scheduling
        return "both"

    @rx.event
    async def load(self) -> None:
        """Start a blank form with the tenant's services."""
        for name in FORM_FIELDS:
            setattr(self, name, "")
        self.when, self.place = phone_form.ASAP, phone_form.CUSTOM_PLACE
        self.caller = self.error = self.preview_error = self.preview_total = ""
        self._customer_id, self.errors, self.preview = "", {}, []
        self.preview_note = "Choose a service to see the price."
        options, self.error = await self.run_as_user(booking_form_options)
        if options is None:
            return
        self.timezone = options.timezone
        self.services = [
            ServiceChoice(
                service_id=str(s.service_id),
                label=f"{s.name} · from {format_cents(s.base_price_cents)}",
                per_mile=s.per_mile_cents > 0,
                scheduling=s.scheduling_mode,
            )
            for s in options.services
        ]

    def _form(self) -> phone_form.PhoneBookingForm:
        values = {name: getattr(self, name) for name in FORM_FIELDS}
        return phone_form.PhoneBookingForm(
            **values, per_mile=self.per_mile, customer_id=self._customer_id
        )

    @rx.event
    async def update(self, field: str, value: str) -> None:
        """Keep a typed value; re-price when it changes the price."""
        if field not in FORM_FIELDS:
            return
        setattr(self, field, value)
        self._clear_errors(*_error_keys(field))
        if field == "service_id":
            if self.scheduling == "scheduled":
                self.when = phone_form.SCHEDULED
            elif self.scheduling == "immediate":
                self.when = phone_form.ASAP
        if field in PRICE_FIELDS:
            await self._reprice()

    def _clear_errors(self, *keys: str) -> None:
        self.errors = {k: v for k, v in self.errors.items() if k not in keys}
        if not self.errors and self.error == FORM_INCOMPLETE:
            self.error = ""

    @rx.event
    async def choose_place(self, value: str) -> None:
        """Fill address and coordinates from the pick list."""
        self.place = value
        for index, (address, lat, lng) in enumerate(phone_form.PLACES):
            if str(index) == value:
                self.address, self.lat, self.lng = address, f"{lat:.4f}", f"{lng:.4f}"
                self._clear_errors("address", "coordinates")
                await self._reprice()

    @rx.event
    async def lookup_caller(self, value: str = "") -> None:
        """Find the caller's customer account by phone and fill what we know."""
        match, _ = await self.run_as_user(find_customer_by_phone, phone=self.phone)
        if match is None:
            self._customer_id = ""
            self.caller = "new" if self.phone.strip() else ""
            return
        self._customer_id = str(match.customer_id)
        self.caller = f"Existing customer: {match.name} · {match.bookings} earlier bookings"
        self.name = self.name or match.name
        self.email = self.email or match.email
        vehicle = match.last_vehicle
        if vehicle and not (self.make or self.model):
            self.year = str(vehicle.get("year", "") or "")
            self.make = str(vehicle.get("make", "") or "")
            self.model = str(vehicle.get("model", "") or "")
            self.color = str(vehicle.get("color", "") or "")
            self.plate = str(vehicle.get("plate", "") or "")
            self.caller += f" · last vehicle {vehicle_label(vehicle)}"

    async def _reprice(self) -> None:
        request = phone_form.quote_request(self._form(), self.timezone)
        if request is None:
            self.preview, self.preview_total, self.preview_error = [], "", ""
            self.preview_note = "Choose a service (and the time, if scheduled) to see the price."
            return
        priced, error = await self.run_as_user(preview_price, request=request)
        if priced is None:
            self.preview, self.preview_total, self.preview_error = [], "", error
            return
        self.preview_error = ""
        self.preview = [
            PreviewLine(line.label, format_cents(line.amount_cents)) for line in priced.lines
        ]
        self.preview_total = format_cents(priced.total_cents)
        self.preview_note = "Priced now; the booking pays this if created now."

    @rx.event
    async def submit(self) -> rx.event.EventSpec | None:
        """Check the form, create the booking and open it."""
        form = self._form()
        self.errors = phone_form.check(form, self.timezone)
        if self.errors:
            self.error = FORM_INCOMPLETE
            return None
        self.busy = True
        try:
            created, self.error = await self.run_as_user(
                book_for_caller, data=phone_form.booking_create(form, self.timezone)
            )
        finally:
            self.busy = False
        if created is None:
            return None
        return rx.redirect(booking_path(str(created.booking_id)))


def _error_keys(field: str) -> tuple[str, ...]:
    return {
        "lat": ("coordinates",),
        "lng": ("coordinates",),
        "scheduled_local": ("scheduled",),
        "service_id": ("service", "towing_miles"),
    }.get(field, (field,))


S = PhoneBookingState


def _caller() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Caller", size="4"),
            rx.grid(
                state_labelled(
                    S,
                    "Phone",
                    rx.input(
                        id="f-phone",
                        value=S.phone,
                        on_change=lambda v: S.update("phone", v),
                        on_blur=S.lookup_caller,
                        placeholder="(404) 555-0101",
                        input_mode="tel",
                        width="100%",
                    ),
                    "phone",
                    for_id="f-phone",
                ),
                state_text(S, "name", "Name", "name", placeholder="Who we are helping"),
                state_text(S, "email", "Email (optional)", "email", placeholder="name@example.com"),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                S.caller != "",
                rx.callout(
                    rx.cond(
                        S.caller == "new",
                        "No customer account with this number: booking as a guest.",
                        S.caller,
                    ),
                    icon=rx.cond(S.caller == "new", "user-plus", "user-check"),
                    color_scheme=rx.cond(S.caller == "new", "gray", "green"),
                    size="1",
                    id="caller-match",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _job() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Job", size="4"),
            state_labelled(
                S,
                "Service",
                rx.select.root(
                    rx.select.trigger(placeholder="Choose a service", id="f-service", width="100%"),
                    rx.select.content(
                        rx.foreach(
                            S.services, lambda s: rx.select.item(s.label, value=s.service_id)
                        )
                    ),
                    value=S.service_id,
                    on_change=lambda v: S.update("service_id", v),
                ),
                "service",
                for_id="f-service",
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
            state_labelled(
                S,
                "When",
                rx.radio_group.root(
                    rx.hstack(
                        rx.radio_group.item(
                            value=phone_form.ASAP, disabled=S.scheduling == "scheduled"
                        ),
                        rx.text("As soon as possible", size="2"),
                        rx.radio_group.item(
                            value=phone_form.SCHEDULED, disabled=S.scheduling == "immediate"
                        ),
                        rx.text("Scheduled", size="2"),
                        spacing="2",
                        align="center",
                    ),
                    value=S.when,
                    on_change=lambda v: S.update("when", v),
                    id="f-when",
                ),
            ),
            rx.cond(
                S.when == phone_form.SCHEDULED,
                state_text(
                    S,
                    "scheduled_local",
                    "Appointment (" + S.timezone + " time)",
                    "scheduled",
                    type="datetime-local",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _where() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Where", size="4"),
            place_picker(
                S,
                phone_form.PLACES,
                "Type the address and coordinates",
                "Picks an Atlanta address with its coordinates; there is no map lookup.",
            ),
            state_text(S, "address", "Address", "address", placeholder="Street, city"),
            coordinates(S),
            state_text(
                S, "location_notes", "Where exactly (optional)", placeholder="e.g. Level 3, row F"
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _vehicle() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Vehicle", size="4"),
            vehicle_fields(S),
            state_text(S, "notes", "Notes for the technician (optional)"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _preview() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Price", size="4"),
            rx.foreach(
                S.preview,
                lambda line: rx.hstack(
                    rx.text(line.label, size="2"),
                    rx.spacer(),
                    rx.text(line.amount, size="2"),
                    width="100%",
                ),
            ),
            rx.cond(
                S.preview_total != "",
                rx.fragment(
                    rx.separator(),
                    rx.hstack(
                        rx.text("Total", weight="bold"),
                        rx.spacer(),
                        rx.text(S.preview_total, weight="bold", id="preview-total"),
                        width="100%",
                    ),
                ),
            ),
            rx.cond(
                S.preview_error != "",
                rx.text(S.preview_error, color_scheme="red", size="2", id="preview-error"),
                rx.text(S.preview_note, size="1", color_scheme="gray"),
            ),
            error_callout(S.error, id_="form-error", width="100%"),
            rx.button(
                rx.icon("phone-call"),
                "Create booking",
                size="3",
                width="100%",
                on_click=S.submit,
                loading=S.busy,
                id="create-booking",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        position="sticky",
        top="1em",
        id="price-preview",
    )


@admin_page("New phone booking")
def phone_booking_page() -> rx.Component:
    """The form on the left, the live price and the create button on the right."""
    return rx.grid(
        rx.vstack(_caller(), _job(), _where(), _vehicle(), spacing="4", width="100%"),
        rx.box(_preview(), width="100%"),
        columns=rx.breakpoints(initial="1", lg="3fr 1.2fr"),
        spacing="4",
        width="100%",
    )
