"""Reviews: the customer rates the provider once per completed job, 1 to 5 stars.

The provider's `rating_total` and `review_count` move in the same transaction as the review,
by an increment computed in SQL (never read, add, write back), so concurrent reviews of one
provider all count. The unique constraint on the booking is the backstop for a double submit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.bookings.service import get_booking
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, NotFound, ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.reviews.models import Review

MIN_STARS, MAX_STARS = 1, 5
MAX_COMMENT = 2000


@dataclass(frozen=True, slots=True)
class ReviewView:
    """A review as its author sees it."""

    review_id: uuid.UUID
    booking_id: uuid.UUID
    provider_id: uuid.UUID
    stars: int
    comment: str | None
    created_at: datetime


def validate_review(stars: int, comment: str | None) -> str | None:
    """Check the stars and the comment; return the comment trimmed (None when blank)."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not MIN_STARS <= stars <= MAX_STARS:
        raise ValidationFailed(
            "invalid_stars",
            f"Give between {MIN_STARS} and {MAX_STARS} stars (whole stars).",
            field="stars",
        )
    cleaned = (comment or "").strip()
    if len(cleaned) > MAX_COMMENT:
        raise ValidationFailed(
            "comment_too_long",
            f"Keep the comment under {MAX_COMMENT:,} characters.",
            field="comment",
        )
    return cleaned or None


def leave_review(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    stars: int,
    comment: str | None = None,
    now: datetime | None = None,
) -> ReviewView:
    """The booking's customer rates the completed job; a second review is a conflict."""
    require(actor, Permission.BOOK_SERVICES)
    cleaned = validate_review(stars, comment)
    now = now or utc_now()
    session = uow.session
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    if booking.customer_id != actor.user_id:
        raise NotFound("booking_not_found", "No such booking.")
    if booking.status is not BookingStatus.COMPLETED or booking.provider_id is None:
        raise Conflict(
            "booking_not_completed",
            f"You can review a job once it is completed; this one is {booking.status.value}.",
            field="booking_id",
        )
    already = session.execute(
        sa.select(Review.id).where(Review.booking_id == booking.id)  # type: ignore[arg-type]
    ).first()
    if already is not None:
        raise _already_reviewed()
    review = Review(
        tenant_id=actor.tenant_id,
        booking_id=booking.id,
        provider_id=booking.provider_id,
        customer_id=actor.user_id,
        rating=stars,
        comment=cleaned,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError:  # another submit of the same review committed first
        raise _already_reviewed() from None
    counted = session.execute(
        sa.update(Provider)
        .where(
            Provider.id == booking.provider_id,  # type: ignore[arg-type]
            Provider.tenant_id == actor.tenant_id,  # type: ignore[arg-type]
        )
        .values(
            rating_total=Provider.rating_total + stars,
            review_count=Provider.review_count + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if counted != 1:
        raise NotFound("provider_not_found", "The provider of this job no longer exists.")
    uow.commit()
    return ReviewView(
        review_id=review.id,
        booking_id=booking.id,
        provider_id=booking.provider_id,
        stars=stars,
        comment=cleaned,
        created_at=now,
    )


def _already_reviewed() -> Conflict:
    return Conflict("review_exists", "You have already reviewed this job.", field="booking_id")
