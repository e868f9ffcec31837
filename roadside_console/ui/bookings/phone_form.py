"""The phone-booking form as plain data: check what the dispatcher typed, build the request.

No state and no I/O, so every message the form can show is unit-tested without a browser.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from roadside_console.domain.bookings.creation import BookingCreate
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.seed.catalog import ADDRESSES
from roadside_console.ui.components.formatting import parse_coordinate

ASAP = "asap"
SCHEDULED = "scheduled"
CUSTOM_PLACE = "custom"
# A few real Atlanta places with coordinates: there is no geocoding offline.
PLACES: list[tuple[str, float, float]] = [(a, lat, lng) for a, lat, lng in ADDRESSES[:10]]


@dataclass(frozen=True, slots=True)
class PhoneBookingForm:
    """Everything the dispatcher typed, as text."""

    phone: str = ""
    name: str = ""
    email: str = ""
    service_id: str = ""
    per_mile: bool = False
    address: str = ""
    lat: str = ""
    lng: str = ""
    when: str = ASAP
    scheduled_local: str = ""  # "2026-03-10T14:30", the tenant's wall clock
    towing_miles: str = ""
    year: str = ""
    make: str = ""
    model: str = ""
    color: str = ""
    plate: str = ""
    location_notes: str = ""
    notes: str = ""
    customer_id: str = ""


def _service(form: PhoneBookingForm) -> uuid.UUID | None:
    try:
        return uuid.UUID(form.service_id)
    except ValueError:
        return None


def _scheduled_at(form: PhoneBookingForm, tz: str) -> datetime | None:
    try:
        local = datetime.fromisoformat(form.scheduled_local.strip())
    except ValueError:
        return None
    return local.replace(tzinfo=ZoneInfo(tz)) if local.tzinfo is None else local


def _miles(form: PhoneBookingForm) -> int | None:
    text = form.towing_miles.strip()
    return int(text) if text.isdigit() else None


def check(form: PhoneBookingForm, tz: str) -> dict[str, str]:
    """Return a message per field that is missing or malformed (empty when the form is fine).

    The domain checks the rest (phone format, schedule lead time, what a service allows).
    """
    errors: dict[str, str] = {}
    if not form.phone.strip():
        errors["phone"] = "Enter the caller's phone number."
    if not form.name.strip():
        errors["name"] = "Enter the name of the person we help."
    if _service(form) is None:
        errors["service"] = "Choose a service."
    if not form.address.strip():
        errors["address"] = "Enter where the vehicle is."
    if (
        parse_coordinate(form.lat, limit=90) is None
        or parse_coordinate(form.lng, limit=180) is None
    ):
        errors["coordinates"] = "Enter latitude and longitude, e.g. 33.7628 and -84.3927."
    if form.when == SCHEDULED and _scheduled_at(form, tz) is None:
        errors["scheduled"] = "Choose the date and time of the appointment."
    if form.per_mile and _miles(form) is None:
        errors["towing_miles"] = "Enter the towing distance in whole miles."
    if form.email.strip() and "@" not in form.email:
        errors["email"] = "Enter an email address like name@example.com, or leave it empty."
    return errors


def quote_request(form: PhoneBookingForm, tz: str) -> QuoteRequest | None:
    """Return what to price for the live preview, or None until a service is chosen."""
    service_id = _service(form)
    if service_id is None:
        return None
    scheduled = _scheduled_at(form, tz) if form.when == SCHEDULED else None
    if form.when == SCHEDULED and scheduled is None:
        return None
    return QuoteRequest(
        service_id=service_id,
        towing_miles=_miles(form) if form.per_mile else None,
        scheduled_at=scheduled,
        lat=parse_coordinate(form.lat, limit=90),
        lng=parse_coordinate(form.lng, limit=180),
    )


def booking_create(form: PhoneBookingForm, tz: str) -> BookingCreate:
    """Build the booking request from a form that passed `check`."""
    service_id = _service(form)
    lat = parse_coordinate(form.lat, limit=90)
    lng = parse_coordinate(form.lng, limit=180)
    if service_id is None or lat is None or lng is None:
        raise ValueError("check the form first")
    vehicle: dict[str, object] = {
        key: value.strip()
        for key, value in (
            ("make", form.make),
            ("model", form.model),
            ("color", form.color),
            ("plate", form.plate.upper()),
        )
        if value.strip()
    }
    if form.year.strip().isdigit():
        vehicle["year"] = int(form.year.strip())
    return BookingCreate(
        service_id=service_id,
        address=form.address.strip(),
        lat=lat,
        lng=lng,
        contact_name=form.name.strip(),
        contact_phone=form.phone.strip(),
        contact_email=form.email.strip() or None,
        vehicle=vehicle,
        scheduled_at=_scheduled_at(form, tz) if form.when == SCHEDULED else None,
        towing_miles=_miles(form) if form.per_mile else None,
        location_notes=form.location_notes.strip() or None,
        notes=form.notes.strip() or None,
        customer_id=uuid.UUID(form.customer_id) if form.customer_id else None,
    )
