"""Request (`XIn`) and response (`XOut`) bodies of the catalog, estimate, booking and tracking routes.

Like `api.v1.schemas`, they are the public contract, apart from the tables; limits here only
reject obviously bad input early (422 naming the field), the rules stay in the domain. Field
names match the domain's, so a domain error's `field` is the body field at fault.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from roadside_console.domain.bookings.models import BookingMode, BookingStatus
from roadside_console.domain.catalog.models import SchedulingMode, ServiceCategory

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Latitude = Annotated[float, Field(ge=-90, le=90, examples=[33.7628])]
Longitude = Annotated[float, Field(ge=-180, le=180, examples=[-84.3927])]
TowingMiles = Annotated[int, Field(ge=0, le=1000, examples=[25])]

_SERVICE_ID = "3f6c1a2b-8d4e-4f5a-9b6c-7d8e9f0a1b2c"
_QUOTE_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
_BOOKING_ID = "6e5d4c3b-2a19-4f08-8e7d-6c5b4a392817"
_BREAKDOWN = [
    {"code": "base", "label": "Towing", "amount_cents": 12500},
    {"code": "mileage", "label": "15 mi × $3.00", "amount_cents": 4500},
]


# --- catalog ---


class ServiceOut(BaseModel):
    """A bookable service with its list prices (an estimate gives the price right now)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _SERVICE_ID,
                    "name": "Towing",
                    "slug": "towing",
                    "description": "Flatbed tow to a shop of your choice.",
                    "category": "roadside",
                    "base_price_cents": 12500,
                    "per_mile_cents": 300,
                    "included_miles": 10,
                    "scheduling_mode": "both",
                }
            ]
        }
    )

    id: uuid.UUID
    name: str
    slug: str
    description: str
    category: ServiceCategory
    base_price_cents: int
    per_mile_cents: int
    included_miles: int
    scheduling_mode: SchedulingMode


class ServiceListOut(BaseModel):
    """The workspace's active services in catalog order."""

    items: list[ServiceOut]


# --- estimates ---


class EstimateIn(BaseModel):
    """What to price; `scheduled_at` empty means now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service_id": _SERVICE_ID,
                    "towing_miles": 25,
                    "lat": 33.7628,
                    "lng": -84.3927,
                }
            ]
        }
    )

    service_id: uuid.UUID
    towing_miles: TowingMiles | None = None
    scheduled_at: AwareDatetime | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    b2b_account_id: uuid.UUID | None = Field(
        default=None, description="Staff only: price on a business account's contract."
    )
    use_referral_credit: bool = True


class PriceLineOut(BaseModel):
    """One line of a price; the lines add up to the total."""

    code: str = Field(examples=["mileage"])
    label: str = Field(examples=["15 mi × $3.00"])
    amount_cents: int = Field(examples=[4500])


class MultiplierOut(BaseModel):
    """A multiplier that went into the service charge (time block, storm, scarcity)."""

    code: str = Field(examples=["time_block"])
    name: str = Field(examples=["Standard"])
    multiplier_bp: int = Field(examples=[10000])


class EstimateOut(BaseModel):
    """A price lock: book with `id` before `expires_at` to pay exactly `total_cents`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _QUOTE_ID,
                    "service_id": _SERVICE_ID,
                    "service_name": "Towing",
                    "breakdown": _BREAKDOWN,
                    "multipliers": [
                        {"code": "time_block", "name": "Standard", "multiplier_bp": 10000}
                    ],
                    "referral_credit_cents": 0,
                    "total_cents": 17000,
                    "created_at": "2026-06-10T18:00:00Z",
                    "expires_at": "2026-06-10T18:15:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    breakdown: list[PriceLineOut]
    multipliers: list[MultiplierOut]
    referral_credit_cents: int
    total_cents: int
    created_at: datetime
    expires_at: datetime


# --- bookings ---


class VehicleIn(BaseModel):
    """The vehicle that needs help (all optional, but it helps the technician find you)."""

    year: int | None = Field(default=None, ge=1900, le=2100, examples=[2018])
    make: ShortText | None = Field(default=None, max_length=60, examples=["Honda"])
    model: ShortText | None = Field(default=None, max_length=60, examples=["Accord"])
    color: ShortText | None = Field(default=None, max_length=40, examples=["silver"])
    plate: ShortText | None = Field(default=None, max_length=20, examples=["ABC1234"])


class BookingIn(BaseModel):
    """A booking; with `quote_id` it pays the estimate's total, otherwise it is priced now.

    Guests (no token) must send `X-Workspace`; everyone gives a name and phone to reach at the
    roadside. The other fields must match the estimate when `quote_id` is given.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service_id": _SERVICE_ID,
                    "quote_id": _QUOTE_ID,
                    "towing_miles": 25,
                    "address": "265 Park Ave W NW, Atlanta, GA 30313",
                    "lat": 33.7628,
                    "lng": -84.3927,
                    "contact_name": "Jordan Miles",
                    "contact_phone": "(404) 555-0101",
                    "contact_email": "jordan@example.com",
                    "vehicle": {"year": 2018, "make": "Honda", "model": "Accord"},
                }
            ]
        }
    )

    service_id: uuid.UUID
    quote_id: uuid.UUID | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    lat: Latitude
    lng: Longitude
    location_notes: ShortText | None = None
    contact_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    contact_phone: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)
    ]
    contact_email: Annotated[
        str | None, StringConstraints(strip_whitespace=True, max_length=254)
    ] = None
    vehicle: VehicleIn = Field(default_factory=VehicleIn)
    scheduled_at: AwareDatetime | None = None
    towing_miles: TowingMiles | None = None
    destination_address: ShortText | None = None
    destination_lat: Latitude | None = None
    destination_lng: Longitude | None = None
    notes: Annotated[str | None, StringConstraints(max_length=2000)] = None
    use_referral_credit: bool = True
    customer_id: uuid.UUID | None = Field(
        default=None, description="Staff only: book for a saved customer."
    )
    b2b_account_id: uuid.UUID | None = Field(
        default=None, description="Staff only: book on a business account."
    )

    def vehicle_dict(self) -> dict[str, Any]:
        """Return the vehicle without empty fields, as bookings store it."""
        return self.vehicle.model_dump(exclude_none=True)


class BookingCreatedOut(BaseModel):
    """The new booking; `tracking_token` is shown only in this response (and the text we send)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _BOOKING_ID,
                    "reference": "RS-KQ7M2P",
                    "status": "confirmed",
                    "mode": "immediate",
                    "total_cents": 17000,
                    "breakdown": _BREAKDOWN,
                    "tracking_token": "b3JkZXItdHJhY2tpbmctdG9rZW4…",
                    "tracking_url": "/api/v1/tracking/b3JkZXItdHJhY2tpbmctdG9rZW4…",
                }
            ]
        }
    )

    id: uuid.UUID
    reference: str
    status: BookingStatus
    mode: BookingMode
    total_cents: int
    breakdown: list[PriceLineOut]
    tracking_token: str
    tracking_url: str


class BookingOut(BaseModel):
    """One booking as its customer, its provider or the operator's staff see it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _BOOKING_ID,
                    "reference": "RS-KQ7M2P",
                    "status": "dispatched",
                    "mode": "immediate",
                    "service_id": _SERVICE_ID,
                    "service_name": "Towing",
                    "scheduled_at": None,
                    "address": "265 Park Ave W NW, Atlanta, GA 30313",
                    "lat": 33.7628,
                    "lng": -84.3927,
                    "destination_address": None,
                    "location_notes": "Level 2 of the parking deck",
                    "contact_name": "Jordan Miles",
                    "contact_phone": "+14045550101",
                    "contact_email": None,
                    "vehicle": {"year": 2018, "make": "Honda", "model": "Accord"},
                    "towing_miles": 25,
                    "total_cents": 17000,
                    "breakdown": _BREAKDOWN,
                    "referral_credit_cents": 0,
                    "cancellation_fee_cents": 0,
                    "provider_first_name": "Sam",
                    "created_at": "2026-06-10T18:00:00Z",
                    "updated_at": "2026-06-10T18:04:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    reference: str
    status: BookingStatus
    mode: BookingMode
    service_id: uuid.UUID
    service_name: str
    scheduled_at: datetime | None
    address: str
    lat: float
    lng: float
    destination_address: str | None
    location_notes: str | None
    contact_name: str
    contact_phone: str
    contact_email: str | None
    vehicle: dict[str, Any]
    towing_miles: int | None
    total_cents: int
    breakdown: list[PriceLineOut]
    referral_credit_cents: int
    cancellation_fee_cents: int
    provider_first_name: str | None
    created_at: datetime
    updated_at: datetime


class BookingRowOut(BaseModel):
    """One booking in the customer's history."""

    id: uuid.UUID
    reference: str = Field(examples=["RS-KQ7M2P"])
    status: BookingStatus
    service_name: str = Field(examples=["Towing"])
    scheduled_at: datetime | None
    address: str
    total_cents: int = Field(examples=[17000])
    created_at: datetime


class BookingListOut(BaseModel):
    """A page of your bookings, newest first; pass `next_cursor` as `cursor` for the next."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": _BOOKING_ID,
                            "reference": "RS-KQ7M2P",
                            "status": "completed",
                            "service_name": "Towing",
                            "scheduled_at": None,
                            "address": "265 Park Ave W NW, Atlanta, GA 30313",
                            "total_cents": 17000,
                            "created_at": "2026-06-10T18:00:00Z",
                        }
                    ],
                    "next_cursor": "WyIyMDI2LTA2LTEwVDE4OjAwOjAwKzAwOjAwIiwgIjZlNWQ0YzNiIl0",
                }
            ]
        }
    )

    items: list[BookingRowOut]
    next_cursor: str | None


class CancellationTermsOut(BaseModel):
    """Whether you may cancel now and what it costs; send `fee_cents` back to cancel."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "booking_id": _BOOKING_ID,
                    "allowed": True,
                    "fee_cents": 2500,
                    "fee_label": "Cancelling now costs $25.00.",
                }
            ]
        }
    )

    booking_id: uuid.UUID
    allowed: bool
    fee_cents: int
    fee_label: str


class CancelIn(BaseModel):
    """The fee you were shown by the cancellation terms, and why you cancel (staff: required)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"expected_fee_cents": 2500, "reason": "Car started"}]}
    )

    expected_fee_cents: int = Field(ge=0)
    reason: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=500)] = None
    refund_reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
        | None
    ) = Field(
        default=None,
        description="Staff cancelling a booking paid by cash, CashApp or Zelle: the reference "
        "of the money handed back (card payments are refunded automatically).",
    )
    refund_method: Literal["cash", "cashapp", "zelle"] | None = Field(
        default=None, description="How the money went back, if not the way it was paid."
    )


class CancelOut(BaseModel):
    """The booking is cancelled; `fee_cents` is what cancelling cost."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"booking_id": _BOOKING_ID, "status": "cancelled", "fee_cents": 2500}]
        }
    )

    booking_id: uuid.UUID
    status: BookingStatus
    fee_cents: int


class RescheduleIn(BaseModel):
    """The new time (with its offset) and, for staff, why it moves."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"scheduled_at": "2026-06-13T14:30:00-04:00", "reason": None}]
        }
    )

    scheduled_at: AwareDatetime
    reason: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=500)] = None


class RescheduleOut(BaseModel):
    """The booking's new time; the price is the one agreed when booking."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "booking_id": _BOOKING_ID,
                    "previous_scheduled_at": "2026-06-12T18:30:00Z",
                    "scheduled_at": "2026-06-13T18:30:00Z",
                    "total_cents": 17000,
                }
            ]
        }
    )

    booking_id: uuid.UUID
    previous_scheduled_at: datetime
    scheduled_at: datetime
    total_cents: int


# --- tracking ---


class StatusStepOut(BaseModel):
    """When the booking reached a status."""

    status: BookingStatus
    at: datetime


class LocationOut(BaseModel):
    """Where the technician's phone last was."""

    lat: float
    lng: float
    recorded_at: datetime


class TrackingOut(BaseModel):
    """What the tracking link shows; `last_location` only while a technician is out."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference": "RS-KQ7M2P",
                    "status": "dispatched",
                    "service_name": "Towing",
                    "scheduled_at": None,
                    "timeline": [
                        {"status": "confirmed", "at": "2026-06-10T18:00:00Z"},
                        {"status": "dispatched", "at": "2026-06-10T18:02:00Z"},
                    ],
                    "provider_first_name": "Sam",
                    "vehicle": "2018 Honda Accord (silver)",
                    "eta_minutes": 12,
                    "last_location": {
                        "lat": 33.8628,
                        "lng": -84.3927,
                        "recorded_at": "2026-06-10T18:03:30Z",
                    },
                }
            ]
        }
    )

    reference: str
    status: BookingStatus
    service_name: str
    scheduled_at: datetime | None
    timeline: list[StatusStepOut]
    provider_first_name: str | None
    vehicle: str
    eta_minutes: int | None
    last_location: LocationOut | None
