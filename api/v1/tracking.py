"""The tracking link: anyone holding its unguessable token sees how the job is going."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import Uow
from api.errors import problem_responses
from api.v1.booking_schemas import LocationOut, StatusStepOut, TrackingOut
from roadside_console.domain.bookings.views import track_booking

router = APIRouter(tags=["tracking"])


@router.get(
    "/tracking/{token}",
    response_model=TrackingOut,
    responses=problem_responses(404, 422),
    summary="Follow a booking by its tracking link (no sign-in)",
)
def track(
    token: Annotated[str, Path(min_length=1, max_length=128)], uow: Uow, response: Response
) -> TrackingOut:
    """Status and timeline always; the technician's location only while they are out."""
    view = track_booking(uow, token=token)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return TrackingOut(
        reference=view.reference,
        status=view.status,
        service_name=view.service_name,
        scheduled_at=view.scheduled_at,
        timeline=[StatusStepOut(status=s.status, at=s.at) for s in view.timeline],
        provider_first_name=view.provider_first_name,
        vehicle=view.vehicle,
        eta_minutes=view.eta_minutes,
        last_location=LocationOut(
            lat=view.last_location.lat,
            lng=view.last_location.lng,
            recorded_at=view.last_location.recorded_at,
        )
        if view.last_location
        else None,
    )
