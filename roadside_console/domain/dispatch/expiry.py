"""Offer expiry: the worker's sweep of lapsed offers and the re-dispatch of what it frees.

The sweep is set-based (thousands of offers in well under a second) and the one status change
in dispatch that does not go through `apply_transition`: it writes the same guarded updates and
booking events for a whole batch at once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from roadside_console.domain.bookings import rules as booking_rules
from roadside_console.domain.bookings.models import Booking, BookingEvent, BookingStatus
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.core.tables import new_id
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import queries
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from roadside_console.domain.dispatch.schemas import ExpiryReport, ExpiryRunReport
from roadside_console.domain.dispatch.service import dispatch_booking

log = logging.getLogger(__name__)
S = BookingStatus
EXPIRY_BATCH = 1000
REDISPATCH_BATCH = 100

EXPIRED_REASON = "The provider did not answer in time."

# PostgreSQL does a whole batch in one round trip: claim (SKIP LOCKED), expire, return the
# bookings still dispatched to those providers, and append their events.
_EXPIRE_BATCH_SQL = sa.text(
    """
    WITH claimed AS (
        SELECT id FROM dispatch_offers
        WHERE status = 'pending' AND expires_at <= :now
        ORDER BY expires_at
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    ), expired AS (
        UPDATE dispatch_offers o
        SET status = 'expired', responded_at = :now
        FROM claimed
        WHERE o.id = claimed.id AND o.status = 'pending'
        RETURNING o.id, o.tenant_id, o.booking_id, o.provider_id, o.attempt
    ), returned AS (
        UPDATE bookings b
        SET status = 'confirmed', provider_id = NULL, updated_at = :now
        FROM expired
        WHERE b.id = expired.booking_id
          AND b.provider_id = expired.provider_id
          AND b.status = 'dispatched'
        RETURNING b.id, b.tenant_id, expired.id AS offer_id, expired.provider_id, expired.attempt
    ), logged AS (
        INSERT INTO booking_events
            (id, tenant_id, booking_id, kind, from_status, to_status, reason, payload, created_at)
        SELECT gen_random_uuid(), tenant_id, id, 'offer_expired', 'dispatched', 'confirmed',
               :reason,
               jsonb_build_object(
                   'offer_id', offer_id::text,
                   'provider_id', provider_id::text,
                   'attempt', attempt
               ),
               :now
        FROM returned
        RETURNING booking_id
    )
    SELECT (SELECT count(*) FROM expired) AS expired,
           coalesce((SELECT array_agg(booking_id) FROM logged), '{}') AS returned
    """
).bindparams(
    sa.bindparam("now", type_=DispatchOffer.__table__.c.expires_at.type),  # type: ignore[attr-defined]
    sa.bindparam("limit", type_=sa.Integer),
    sa.bindparam("reason", type_=sa.String),
)


def expire_offers(
    uow: UnitOfWork, *, now: datetime | None = None, limit: int = EXPIRY_BATCH
) -> ExpiryReport:
    """Expire up to `limit` lapsed offers and put their bookings back in the queue.

    Set-based so a backlog of thousands clears in well under a second. Offers are claimed with
    a guarded update (on PostgreSQL `FOR UPDATE SKIP LOCKED`: several workers sweep side by
    side, and an acceptance holding an offer's row lock wins over the sweep); the bookings still
    dispatched to those providers go back to `confirmed` (guarded on status and provider) and
    get an `offer_expired` event. Customers are not texted: nothing changed for them, and the
    next assignment texts them. `run_offer_expiry` then re-dispatches the returned bookings.
    """
    now = now or utc_now()
    session = uow.session
    booking_rules.check_transition(
        role=None, from_status=S.DISPATCHED, to_status=S.CONFIRMED, is_own=False, reason=None
    )
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(
            _EXPIRE_BATCH_SQL, {"now": now, "limit": limit, "reason": EXPIRED_REASON}
        ).one()
        expired, returned = int(row.expired), list(row.returned)
    else:
        expired, returned = _expire_batch_portable(session, now=now, limit=limit)
    uow.commit()
    return ExpiryReport(
        expired=expired, returned_booking_ids=tuple(returned), has_more=expired == limit
    )


def _expire_batch_portable(
    session: Session, *, now: datetime, limit: int
) -> tuple[int, list[uuid.UUID]]:
    """The same batch in three statements any database runs (SQLite: the embedded default)."""
    claim = (
        select(DispatchOffer.id)
        .where(
            DispatchOffer.status == OfferStatus.PENDING,
            DispatchOffer.expires_at <= now,  # type: ignore[arg-type]
        )
        .order_by(DispatchOffer.expires_at)  # type: ignore[arg-type]
        .limit(limit)
    )
    offers = session.execute(
        sa.update(DispatchOffer)
        .where(
            DispatchOffer.id.in_(claim),  # type: ignore[attr-defined]
            DispatchOffer.status == OfferStatus.PENDING,  # type: ignore[arg-type]
        )
        .values(status=OfferStatus.EXPIRED, responded_at=now)
        .returning(
            DispatchOffer.id,
            DispatchOffer.tenant_id,
            DispatchOffer.booking_id,
            DispatchOffer.provider_id,
            DispatchOffer.attempt,
        )
        .execution_options(synchronize_session=False)
    ).all()
    if not offers:
        return 0, []
    by_booking = {row.booking_id: row for row in offers}
    returned = list(
        session.execute(
            sa.update(Booking)
            .where(
                Booking.id == DispatchOffer.booking_id,  # type: ignore[arg-type]
                Booking.provider_id == DispatchOffer.provider_id,  # type: ignore[arg-type]
                DispatchOffer.id.in_([row.id for row in offers]),  # type: ignore[attr-defined]
                Booking.status == S.DISPATCHED,  # type: ignore[arg-type]
            )
            .values(status=S.CONFIRMED, provider_id=None, updated_at=now)
            .returning(Booking.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    if returned:
        session.execute(
            sa.insert(BookingEvent),
            [
                {
                    "id": new_id(),
                    "tenant_id": by_booking[booking_id].tenant_id,
                    "booking_id": booking_id,
                    "kind": "offer_expired",
                    "from_status": S.DISPATCHED,
                    "to_status": S.CONFIRMED,
                    "actor_id": None,
                    "actor_role": None,
                    "reason": EXPIRED_REASON,
                    "payload": {
                        "offer_id": str(by_booking[booking_id].id),
                        "provider_id": str(by_booking[booking_id].provider_id),
                        "attempt": by_booking[booking_id].attempt,
                    },
                    "created_at": now,
                }
                for booking_id in returned
            ],
        )
    return len(offers), returned


def run_offer_expiry(
    uow_factory: Callable[[], UnitOfWork],
    now: datetime,
    *,
    expiry_batch: int = EXPIRY_BATCH,
    redispatch_batch: int = REDISPATCH_BATCH,
) -> ExpiryRunReport:
    """The worker job: sweep lapsed offers, then offer each freed booking to the next provider.

    Each re-dispatch is its own transaction (one slow or failing booking holds up no other);
    the bookings to re-dispatch are read from the database, so a crash in between only delays
    them to the next run. Bookings out of attempts go to the manual queue with an alert.
    """
    with uow_factory() as uow:
        swept = expire_offers(uow, now=now, limit=expiry_batch)
    with uow_factory() as uow:
        waiting = queries.bookings_awaiting_redispatch(uow.session, limit=redispatch_batch)
    redispatched = manual = skipped = 0
    for booking_id in waiting:
        try:
            with uow_factory() as uow:
                outcome = dispatch_booking(uow, actor=None, booking_id=booking_id, now=now)
        except DomainError as error:  # another worker got there first, or the booking moved on
            skipped += 1
            log.info("re-dispatch of %s skipped: %s", booking_id, error.code)
            continue
        if outcome.offered:
            redispatched += 1
        else:
            manual += 1
    report = ExpiryRunReport(
        expired=swept.expired,
        redispatched=redispatched,
        sent_to_manual=manual,
        skipped=skipped,
        has_more=swept.has_more or redispatched + manual == redispatch_batch,
    )
    if report.expired or report.redispatched or report.sent_to_manual:
        # The sweep runs every few seconds and its empty runs log at DEBUG only; this is news.
        log.info(
            "offers expired",
            extra={
                "expired": report.expired,
                "redispatched": report.redispatched,
                "sent_to_manual": report.sent_to_manual,
            },
        )
    return report
