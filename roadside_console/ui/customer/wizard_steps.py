"""The booking wizard as plain data: what each step asks, its messages, the request it builds.

No state and no I/O, so every message a step can show is unit-tested without a browser. The
domain checks again when pricing and booking (phone format, what a service allows, lead time).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from roadside_console.domain.bookings.creation import BookingCreate
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.ui.bookings import phone_form
from roadside_console.ui.components.formatting import parse_coordinate, vehicle_label

ASAP = phone_form.ASAP
SCHEDULED = phone_form.SCHEDULED
PLACES = phone_form.PLACES
SERVICE, WHERE, WHEN, REVIEW = 1, 2, 3, 4
STEP_TITLES = ("Service", "Location and vehicle", "When", "Review and pay")
MAX_TOWING_MILES = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

METHOD_LABELS: dict[str, str] = {
    PaymentMethod.CASH.value: "Cash to the technician",
    PaymentMethod.CASHAPP.value: "CashApp",
    PaymentMethod.ZELLE.value: "Zelle",
    PaymentMethod.STRIPE.value: "Card, on a secure checkout page",
}


@dataclass(frozen=True, slots=True)
class WizardForm:
    """Everything the booker typed or picked, as text."""

    service_id: str = ""
    per_mile: bool = False
    scheduling: str = "both"  # the chosen service's mode: immediate, scheduled or both
    address: str = ""
    lat: str = ""
    lng: str = ""
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
    when: str = ASAP
    scheduled_local: str = ""  # "2026-03-10T14:30" on the operator's wall clock
    notes: str = ""
    method: str = ""


def _phone_form(form: WizardForm) -> phone_form.PhoneBookingForm:
    return phone_form.PhoneBookingForm(
        phone=form.phone,
        name=form.name,
        email=form.email,
        service_id=form.service_id,
        per_mile=form.per_mile,
        address=form.address,
        lat=form.lat,
        lng=form.lng,
        when=form.when,
        scheduled_local=form.scheduled_local,
        towing_miles=form.towing_miles,
        year=form.year,
        make=form.make,
        model=form.model,
        color=form.color,
        plate=form.plate,
        location_notes=form.location_notes,
        notes=form.notes,
    )


def lead_text(minutes: int) -> str:
    """Say a scheduling lead the way people do: "2 hours", "1 hour", "90 minutes"."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


def scheduled_at(form: WizardForm, tz: str) -> datetime | None:
    """Return the chosen appointment as an aware instant, or None when ASAP or unreadable."""
    if form.when != SCHEDULED:
        return None
    try:
        local = datetime.fromisoformat(form.scheduled_local.strip())
    except ValueError:
        return None
    return local.replace(tzinfo=ZoneInfo(tz)) if local.tzinfo is None else local


def check_service(form: WizardForm) -> dict[str, str]:
    """Step 1: a service must be chosen."""
    try:
        uuid.UUID(form.service_id)
    except ValueError:
        return {"service": "Choose the help you need."}
    return {}


def check_where(form: WizardForm) -> dict[str, str]:
    """Step 2: where the vehicle is, what it is, how far to tow it, and who to call."""
    errors: dict[str, str] = {}
    if not form.address.strip():
        errors["address"] = "Enter where the vehicle is, or pick a place from the list."
    if (
        parse_coordinate(form.lat, limit=90) is None
        or parse_coordinate(form.lng, limit=180) is None
    ):
        errors["coordinates"] = "Enter latitude and longitude, e.g. 33.7628 and -84.3927."
    year = form.year.strip()
    if year and not (year.isdigit() and 1950 <= int(year) <= 2100):
        errors["year"] = "Enter the year as four digits, e.g. 2019, or leave it empty."
    if not (form.make.strip() or form.model.strip()):
        errors["vehicle"] = "Tell us the make or model, so the technician finds the right car."
    if form.per_mile:
        miles = form.towing_miles.strip()
        if not (miles.isdigit() and 1 <= int(miles) <= MAX_TOWING_MILES):
            errors["towing_miles"] = (
                f"Enter the towing distance in whole miles (1 to {MAX_TOWING_MILES})."
            )
    if not form.name.strip():
        errors["name"] = "Enter your name."
    if len(re.sub(r"\D", "", form.phone)) < 10:
        errors["phone"] = "Enter a phone number we can text, e.g. (404) 555-0101."
    if form.email.strip() and not _EMAIL.match(form.email.strip()):
        errors["email"] = "Enter an email address like name@example.com, or leave it empty."
    return errors


def check_when(form: WizardForm, *, tz: str, now: datetime, lead_minutes: int) -> dict[str, str]:
    """Step 3: as soon as possible, or a time at least the operator's lead from now."""
    if form.when != SCHEDULED:
        if form.scheduling == "scheduled":
            return {"when": "This service is booked ahead: choose a date and time."}
        return {}
    if form.scheduling == "immediate":
        return {"when": "This service is only available right away."}
    at = scheduled_at(form, tz)
    if at is None:
        return {"scheduled": "Choose the date and time of the appointment."}
    if at <= now:
        return {"scheduled": "That time has passed. Choose a time in the future."}
    if at < now + timedelta(minutes=lead_minutes):
        return {
            "scheduled": f"Choose a time at least {lead_text(lead_minutes)} from now, "
            "or book for as soon as possible."
        }
    return {}


def check_review(form: WizardForm, allowed: list[str]) -> dict[str, str]:
    """Step 4: a payment method the booker may use."""
    if form.method not in allowed:
        return {"method": "Choose how you will pay."}
    return {}


def check_step(
    step: int,
    form: WizardForm,
    *,
    tz: str,
    now: datetime,
    lead_minutes: int,
    allowed_methods: list[str],
) -> dict[str, str]:
    """Return a message per field of `step` that needs attention (empty: go on)."""
    if step == SERVICE:
        return check_service(form)
    if step == WHERE:
        return check_where(form)
    if step == WHEN:
        return check_when(form, tz=tz, now=now, lead_minutes=lead_minutes)
    return check_review(form, allowed_methods)


def first_invalid_step(
    form: WizardForm, *, tz: str, now: datetime, lead_minutes: int, allowed_methods: list[str]
) -> int | None:
    """Return the first step whose answers no longer hold (e.g. the time slipped past the lead)."""
    for step in (SERVICE, WHERE, WHEN, REVIEW):
        if check_step(
            step, form, tz=tz, now=now, lead_minutes=lead_minutes, allowed_methods=allowed_methods
        ):
            return step
    return None


def quote_request(form: WizardForm, tz: str) -> QuoteRequest | None:
    """Return what to price for the live preview, or None until a service (and time) is known."""
    request = phone_form.quote_request(_phone_form(form), tz)
    if request is None:
        return None
    lat, lng = parse_coordinate(form.lat, limit=90), parse_coordinate(form.lng, limit=180)
    # Half-typed coordinates would make the preview fail; price without them until both read.
    return request if lat is not None and lng is not None else replace(request, lat=None, lng=None)


def booking_create(form: WizardForm, tz: str, *, quote_id: str) -> BookingCreate:
    """Build the booking request (with the price-locking quote) from a form that passed."""
    data = phone_form.booking_create(_phone_form(form), tz)
    return replace(data, quote_id=uuid.UUID(quote_id) if quote_id else None)


def when_text(form: WizardForm, tz: str) -> str:
    """Say when help comes, e.g. "As soon as possible" or "Wed Jun 10, 4:30 PM"."""
    at = scheduled_at(form, tz)
    return at.strftime("%a %b %d, %-I:%M %p") if at else "As soon as possible"


def vehicle_text(form: WizardForm) -> str:
    """Describe the vehicle typed in step 2."""
    vehicle: dict[str, object] = {
        "year": form.year.strip(),
        "make": form.make.strip(),
        "model": form.model.strip(),
        "color": form.color.strip(),
        "plate": form.plate.strip().upper(),
    }
    return vehicle_label(vehicle)


def vehicle_fields(vehicle: dict[str, object]) -> dict[str, str]:
    """Turn a known vehicle into the text of the step-2 fields."""
    return {k: str(vehicle.get(k) or "") for k in ("year", "make", "model", "color", "plate")}


def method_label(method: str) -> str:
    """Name a payment method for the booker."""
    return METHOD_LABELS.get(method, method)


def tracking_path(token: str) -> str:
    """Return the public tracking page of a booking (the link texted to the booker)."""
    return f"/track/{token}"
