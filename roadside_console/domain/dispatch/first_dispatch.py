"""Start dispatch for bookings that are ready: immediate ones now, scheduled ones shortly before.

Booking creation only confirms; the worker offers the job within seconds. Keeping the first
offer out of the booking transaction keeps booking fast and lets a dispatch failure never lose
a booking (it is simply picked up on the next pass).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, or_

from roadside_console.domain.bookings.models import Booking, BookingMode, BookingStatus
from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.service import dispatch_booking

log = logging.getLogger(__name__)

# A scheduled job is offered this long before its time, so the technician can get there.
SCHEDULED_DISPATCH_LEAD = timedelta(minutes=45)
BATCH = 200


@dataclass(frozen=True, slots=True)
class FirstDispatchReport:
    """What one pass did."""

    offered: int
    to_manual_queue: int
    skipped: int


def bookings_ready_for_first_dispatch(
    session: Session, *, now: datetime, limit: int = BATCH
) -> list[uuid.UUID]:
    """Confirmed bookings never offered yet whose time has come, oldest first (all tenants)."""
    return list(
        session.execute(
            sa.select(Booking.id)
            .where(
                col(Booking.status) == BookingStatus.CONFIRMED,
                col(Booking.provider_id).is_(None),
                col(Booking.needs_manual_dispatch).is_(False),
                col(Booking.dispatch_attempts) == 0,
                or_(
                    col(Booking.mode) == BookingMode.IMMEDIATE,
                    col(Booking.scheduled_at) <= now + SCHEDULED_DISPATCH_LEAD,
                ),
            )
            .order_by(col(Booking.created_at))
            .limit(limit)
        ).scalars()
    )


def run_first_dispatch(uow_factory: Callable[[], UnitOfWork], now: datetime) -> FirstDispatchReport:
    """The worker job: offer each ready booking to its best provider, one transaction each."""
    with uow_factory() as uow:
        ready = bookings_ready_for_first_dispatch(uow.session, now=now)
    offered = manual = skipped = 0
    for booking_id in ready:
        try:
            with uow_factory() as uow:
                outcome = dispatch_booking(uow, actor=None, booking_id=booking_id, now=now)
        except DomainError as error:  # a dispatcher or another worker got there first
            skipped += 1
            log.info("first dispatch of %s skipped: %s", booking_id, error.code)
            continue
        if outcome.offered:
            offered += 1
        else:
            manual += 1
    return FirstDispatchReport(offered=offered, to_manual_queue=manual, skipped=skipped)
