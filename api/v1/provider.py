"""The provider app: offers to answer, jobs to move on, location posts and availability.

Every route needs a provider's token; customers and staff get a 403 problem from the domain.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.deps import CurrentActor, GroupCommit, TokenBearer, Uow
from api.errors import problem_responses
from api.responses import model_response
from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.dispatch import service as dispatch
from roadside_console.domain.dispatch.schemas import OfferResponse
from roadside_console.domain.providers import queries, service
from roadside_console.domain.providers.schemas import JobRow, OpenOfferRow

router = APIRouter(prefix="/provider", tags=["provider app"])

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
_OFFER_ID = "3f2b8c1e-6d4a-4e0b-9a7c-1b2d3e4f5a6b"
_BOOKING_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


class OfferOut(BaseModel):
    """A job offered to the provider: enough to decide, not the street or the customer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "offer_id": _OFFER_ID,
                    "booking_id": _BOOKING_ID,
                    "reference": "RS-7KQ2M9",
                    "service_name": "Jump Start",
                    "pickup_area": "Atlanta, GA 30313",
                    "distance_miles": 2.4,
                    "towing_miles": None,
                    "estimated_earnings_cents": 7000,
                    "expires_at": "2026-03-10T15:01:00Z",
                }
            ]
        }
    )

    offer_id: uuid.UUID
    booking_id: uuid.UUID
    reference: str
    service_name: str
    pickup_area: str
    distance_miles: float | None = Field(description="From the provider's last fix or home base.")
    towing_miles: int | None
    estimated_earnings_cents: int | None = Field(
        description="The provider's share of the current price, when it can be computed."
    )
    expires_at: datetime

    @classmethod
    def of(cls, row: OpenOfferRow) -> OfferOut:
        """Map the domain row."""
        return cls(
            offer_id=row.offer_id,
            booking_id=row.booking_id,
            reference=row.reference,
            service_name=row.service_name,
            pickup_area=row.pickup_area,
            distance_miles=row.distance_miles,
            towing_miles=row.towing_miles,
            estimated_earnings_cents=row.estimated_earnings_cents,
            expires_at=row.expires_at,
        )


class RejectIn(BaseModel):
    """Why the provider declines (optional, shown to dispatchers)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Flat tyre on my truck"}]})

    reason: Reason | None = None


class OfferAnswerOut(BaseModel):
    """The offer's new state; after a rejection, whether the job went to someone else."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "offer_id": _OFFER_ID,
                    "booking_id": _BOOKING_ID,
                    "status": "accepted",
                    "offered_to_next": None,
                }
            ]
        }
    )

    offer_id: uuid.UUID
    booking_id: uuid.UUID
    status: Literal["accepted", "rejected"]
    offered_to_next: bool | None = None

    @classmethod
    def of(cls, answer: OfferResponse) -> OfferAnswerOut:
        """Map the domain answer (never says who the next provider is)."""
        nxt = answer.next_dispatch
        return cls(
            offer_id=answer.offer_id,
            booking_id=answer.booking_id,
            status=answer.status,  # type: ignore[arg-type]
            offered_to_next=nxt.offered if nxt is not None else None,
        )


class JobOut(BaseModel):
    """One of the provider's jobs; the address and contact only while it is in progress."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "booking_id": _BOOKING_ID,
                    "reference": "RS-7KQ2M9",
                    "status": "in_progress",
                    "service_name": "Jump Start",
                    "pickup_area": "Atlanta, GA 30313",
                    "price_cents": 10000,
                    "updated_at": "2026-03-10T15:00:30Z",
                    "address": "265 Park Ave W NW, Atlanta, GA 30313",
                    "lat": 33.7628,
                    "lng": -84.3927,
                    "contact_name": "Jo Driver",
                    "contact_phone": "+14045550199",
                    "next_statuses": ["completed"],
                }
            ]
        }
    )

    booking_id: uuid.UUID
    reference: str
    status: BookingStatus
    service_name: str
    pickup_area: str
    price_cents: int
    updated_at: datetime
    address: str | None
    lat: float | None
    lng: float | None
    contact_name: str | None
    contact_phone: str | None
    next_statuses: list[BookingStatus]

    @classmethod
    def of(cls, row: JobRow) -> JobOut:
        """Map the domain row."""
        return cls(
            booking_id=row.booking_id,
            reference=row.reference,
            status=BookingStatus(row.status),
            service_name=row.service_name,
            pickup_area=row.pickup_area,
            price_cents=row.price_cents,
            updated_at=row.updated_at,
            address=row.address,
            lat=row.lat,
            lng=row.lng,
            contact_name=row.contact_name,
            contact_phone=row.contact_phone,
            next_statuses=[BookingStatus(s) for s in row.next_statuses],
        )


class JobStatusIn(BaseModel):
    """Move a job on: start it, hand it back, or complete it.

    `in_progress` accepts the job's offer, `confirmed` hands it back (the offer is rejected and
    the job goes to the next provider), `completed` finishes it; the booking rules refuse the rest.
    """

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "completed", "reason": None}]}
    )

    status: BookingStatus
    reason: Reason | None = None


class JobStatusOut(BaseModel):
    """The job's status after the change."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"booking_id": _BOOKING_ID, "status": "completed"}]}
    )

    booking_id: uuid.UUID
    status: BookingStatus


class LocationIn(BaseModel):
    """One GPS fix from the provider's phone (range checks are the domain's, with the field)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"lat": 33.7628, "lng": -84.3927, "accuracy_m": 8.5, "heading_deg": 270}]
        }
    )

    lat: float
    lng: float
    accuracy_m: float | None = None
    heading_deg: float | None = None


class LocationOut(BaseModel):
    """The fix was taken; `stored` says whether it also became a trail point (one per 5 s)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "recorded_at": "2026-03-10T15:00:05Z",
                    "stored": True,
                    "booking_id": _BOOKING_ID,
                }
            ]
        }
    )

    recorded_at: datetime
    stored: bool
    booking_id: uuid.UUID | None = Field(description="The job in progress the point belongs to.")


class AvailabilityIn(BaseModel):
    """Go on duty (`true`: receive offers) or off duty."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"available": True}]})

    available: bool


class AvailabilityOut(BaseModel):
    """Whether the provider receives offers now, and their account status."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"available": True, "status": "active"}]}
    )

    available: bool
    status: Literal["pending", "active", "inactive"]


@router.get(
    "/offers",
    response_model=list[OfferOut],
    responses=problem_responses(401, 403, 404),
    summary="List my open offers, soonest to expire first",
)
def list_offers(actor: CurrentActor, uow: Uow) -> list[OfferOut]:
    """Pending, unexpired offers to the calling provider."""
    return [OfferOut.of(row) for row in queries.open_offers(uow, actor=actor)]


@router.post(
    "/offers/{offer_id}/accept",
    response_model=OfferAnswerOut,
    responses=problem_responses(401, 403, 404, 409),
    summary="Accept an offer: the job is mine and starts",
)
def accept(offer_id: uuid.UUID, actor: CurrentActor, uow: Uow) -> OfferAnswerOut:
    """An expired or already answered offer is a 409 (`offer_expired`, `offer_closed`)."""
    return OfferAnswerOut.of(dispatch.accept_offer(uow, actor=actor, offer_id=offer_id))


@router.post(
    "/offers/{offer_id}/reject",
    response_model=OfferAnswerOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Decline an offer: the job goes to the next provider",
)
def reject(
    offer_id: uuid.UUID, actor: CurrentActor, uow: Uow, body: RejectIn | None = None
) -> OfferAnswerOut:
    """The booking is offered to the next candidate in the same transaction."""
    reason = body.reason if body else None
    answer = dispatch.reject_offer(uow, actor=actor, offer_id=offer_id, reason=reason)
    return OfferAnswerOut.of(answer)


@router.get(
    "/jobs",
    response_model=list[JobOut],
    responses=problem_responses(401, 403, 404),
    summary="List my jobs: on the go first, then those finished in the last 30 days",
)
def list_jobs(actor: CurrentActor, uow: Uow) -> list[JobOut]:
    """Address and customer contact are included only while a job is in progress."""
    return [JobOut.of(row) for row in queries.provider_jobs(uow, actor=actor)]


@router.post(
    "/jobs/{booking_id}/status",
    response_model=JobStatusOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Start, hand back or complete one of my jobs",
)
def change_status(
    booking_id: uuid.UUID, body: JobStatusIn, actor: CurrentActor, uow: Uow
) -> JobStatusOut:
    """Goes through the same transition functions as the console and dispatch."""
    new_status = service.change_job_status(
        uow, actor=actor, booking_id=booking_id, to_status=body.status, reason=body.reason
    )
    return JobStatusOut(booking_id=booking_id, status=new_status)


@router.post(
    "/location",
    response_model=LocationOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="Report my position (send as often as every second)",
)
async def post_location(body: LocationIn, caller: TokenBearer, batch: GroupCommit) -> Response:
    """The current position always moves; at most one trail point is kept per 5 seconds."""
    result = await batch.run(
        lambda uow: service.record_location(
            uow,
            actor=caller.resolve(uow),
            lat=body.lat,
            lng=body.lng,
            accuracy_m=body.accuracy_m,
            heading_deg=body.heading_deg,
        )
    )
    return model_response(
        LocationOut(
            recorded_at=result.recorded_at, stored=result.stored, booking_id=result.booking_id
        )
    )


@router.put(
    "/availability",
    response_model=AvailabilityOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Go on or off duty",
)
def put_availability(body: AvailabilityIn, actor: CurrentActor, uow: Uow) -> AvailabilityOut:
    """A pending or inactive provider cannot go available (409 `provider_not_active`)."""
    view = service.set_availability(uow, actor=actor, available=body.available)
    return AvailabilityOut(available=view.available, status=view.status)  # type: ignore[arg-type]
