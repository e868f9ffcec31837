"""Moving a scheduled booking to another time, before anyone has been sent.

Who may: the customer who owns the booking, and staff who manage bookings (with a reason,
audited). Until when: the booking is scheduled, still pending or confirmed, no dispatch offer
is out, and, for customers, the booked time is at least the tenant's scheduling lead away
(two hours by default: dispatch offers go out 45 minutes ahead, so a customer can never move a
job a provider is being offered). The new time follows the booking rules (at least the lead
ahead) and lies within `MAX_SCHEDULE_HORIZON` of now.

The price stays what the customer agreed to when booking; see docs/decisions.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.bookings.models import (
    Booking,
    BookingEvent,
    BookingMode,
    BookingStatus,
)
from roadside_console.domain.bookings.service import get_booking, is_own_booking
from roadside_console.domain.core.auth import Actor, Permission, Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.outbox import queue_message
from roadside_console.domain.tenants.service import get_tenant, get_tenant_settings

MAX_SCHEDULE_HORIZON = timedelta(days=90)
RESCHEDULABLE = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED})


@dataclass(frozen=True, slots=True)
class Rescheduled:
    """The booking's old and new time; the price is unchanged."""

    booking_id: uuid.UUID
    previous_scheduled_at: datetime
    scheduled_at: datetime
    total_cents: int


def reschedule_booking(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    scheduled_at: datetime,
    reason: str | None = None,
    now: datetime | None = None,
) -> Rescheduled:
    """Move a scheduled booking that nobody has been sent to yet to a new time.

    Records a `rescheduled` event, audits staff, and texts the contact the new time. Raises
    `NotFound` for bookings the actor may not see, `Forbidden` for roles that may not move
    them, `Conflict` once dispatch has started, and `ValidationFailed` (field `scheduled_at`
    or `reason`) for a time or reason that breaks the rules. Writes nothing when it refuses.
    """
    now = now or utc_now()
    session = uow.session
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    staff = actor.can(Permission.MANAGE_BOOKINGS)
    if not staff and not (actor.role is Role.CUSTOMER and is_own_booking(session, actor, booking)):
        if actor.can(Permission.VIEW_BOOKINGS) or is_own_booking(session, actor, booking):
            raise Forbidden("reschedule_forbidden", "You may not move this booking.")
        raise NotFound("booking_not_found", "No such booking.")
    cleaned_reason = (reason or "").strip() or None
    if staff and cleaned_reason is None:
        raise ValidationFailed(
            "reason_required", "Give a reason for moving this booking.", field="reason"
        )
    if booking.mode is not BookingMode.SCHEDULED or booking.scheduled_at is None:
        raise Conflict(
            "not_scheduled",
            "Only a booking made for a later time can be moved; this one is being handled now.",
        )
    if booking.status not in RESCHEDULABLE:
        raise Conflict(
            "reschedule_closed",
            f"This booking is {booking.status.value.replace('_', ' ')} and can no longer be moved.",
        )
    lead = timedelta(
        minutes=get_tenant_settings(session, actor.tenant_id).min_schedule_lead_minutes
    )
    if not staff and booking.scheduled_at - now < lead:
        raise Conflict(
            "reschedule_closed",
            f"Bookings can be moved until {_hours(lead)} before their time; call us to change "
            "this one.",
        )
    _check_new_time(scheduled_at, previous=booking.scheduled_at, lead=lead, now=now)
    _refuse_if_offered(uow, booking)

    previous = booking.scheduled_at
    result = session.execute(
        update(Booking)
        .where(
            col(Booking.id) == booking.id,
            col(Booking.tenant_id) == booking.tenant_id,
            col(Booking.status) == booking.status,
            col(Booking.scheduled_at) == previous,
        )
        .values(scheduled_at=scheduled_at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "booking_changed",
            "Someone else changed this booking a moment ago. Reload it and try again.",
        )
    set_committed_value(booking, "scheduled_at", scheduled_at)
    set_committed_value(booking, "updated_at", now)
    changes = {"from": previous.isoformat(), "to": scheduled_at.isoformat()}
    session.add(
        BookingEvent(
            tenant_id=booking.tenant_id,
            booking_id=booking.id,
            kind="rescheduled",
            actor_id=actor.user_id,
            actor_role=actor.role,
            reason=cleaned_reason,
            payload=changes,
            created_at=now,
        )
    )
    if actor.is_staff:
        record_audit(
            session,
            actor=actor,
            action="booking.rescheduled",
            target_type="booking",
            target_id=booking.id,
            reason=cleaned_reason,
            changes={"scheduled_at": changes},
        )
    local = scheduled_at.astimezone(ZoneInfo(get_tenant(session, booking.tenant_id).timezone))
    queue_message(
        session,
        tenant_id=booking.tenant_id,
        channel=Channel.SMS,
        topic="booking.rescheduled",
        recipient=booking.contact_phone,
        body=f"Booking {booking.reference} is moved to {local:%a %b %d, %I:%M %p}.",
        payload={"booking_id": str(booking.id)},
        now=now,
    )
    uow.commit()
    return Rescheduled(
        booking_id=booking.id,
        previous_scheduled_at=previous,
        scheduled_at=scheduled_at,
        total_cents=booking.estimated_price_cents,
    )


def _check_new_time(
    scheduled_at: datetime, *, previous: datetime, lead: timedelta, now: datetime
) -> None:
    if scheduled_at.tzinfo is None or scheduled_at.utcoffset() is None:
        raise ValidationFailed(
            "invalid_scheduled_at", "The scheduled time needs a time zone.", field="scheduled_at"
        )
    if scheduled_at < now + lead:
        raise ValidationFailed(
            "schedule_too_soon",
            f"Choose a time at least {_hours(lead)} from now.",
            field="scheduled_at",
        )
    if scheduled_at > now + MAX_SCHEDULE_HORIZON:
        raise ValidationFailed(
            "schedule_too_far",
            f"Choose a time within the next {MAX_SCHEDULE_HORIZON.days} days.",
            field="scheduled_at",
        )
    if scheduled_at == previous:
        raise ValidationFailed(
            "same_scheduled_at", "The booking is already at this time.", field="scheduled_at"
        )


def _refuse_if_offered(uow: UnitOfWork, booking: Booking) -> None:
    offered = uow.session.exec(
        select(DispatchOffer.id).where(
            DispatchOffer.tenant_id == booking.tenant_id,
            DispatchOffer.booking_id == booking.id,
            DispatchOffer.status == OfferStatus.PENDING,
        )
    ).first()
    if offered is not None:
        raise Conflict(
            "reschedule_closed",
            "A technician is being offered this job right now, so it can no longer be moved.",
        )


def _hours(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"
