"""Reviews: the customer rates a completed job once, 1 to 5 stars."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict

from api.deps import CurrentActor, Uow
from api.errors import problem_responses
from roadside_console.domain.reviews import service as reviews

router = APIRouter(tags=["reviews"])


class ReviewIn(BaseModel):
    """Whole stars from 1 to 5 and an optional comment (up to 2,000 characters)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"stars": 5, "comment": "Arrived in 20 minutes."}]}
    )

    stars: int
    comment: str | None = None


class ReviewOut(BaseModel):
    """The review as stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "review_id": "2b3c4d5e-6f70-4a8b-9c0d-1e2f3a4b5c6d",
                    "booking_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                    "stars": 5,
                    "comment": "Arrived in 20 minutes.",
                    "created_at": "2026-03-10T16:00:00Z",
                }
            ]
        }
    )

    review_id: uuid.UUID
    booking_id: uuid.UUID
    stars: int
    comment: str | None
    created_at: datetime


@router.post(
    "/bookings/{booking_id}/review",
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Review my completed booking",
)
def leave_review(booking_id: uuid.UUID, body: ReviewIn, actor: CurrentActor, uow: Uow) -> ReviewOut:
    """A second review of the same booking is a 409 (`review_exists`)."""
    view = reviews.leave_review(
        uow, actor=actor, booking_id=booking_id, stars=body.stars, comment=body.comment
    )
    return ReviewOut(
        review_id=view.review_id,
        booking_id=view.booking_id,
        stars=view.stars,
        comment=view.comment,
        created_at=view.created_at,
    )
