"""Dispatch use cases: score and offer, accept, reject and cascade, assign by hand.

Every booking status change here goes through `bookings.service.apply_transition` (a guarded
update plus event, audit and customer SMS). Settings live in `settings`, the expiry sweep in
`expiry`, the read models in `queries`.

Offers: the booking is `dispatched` to the offered provider while the offer is pending; the
provider accepts (booking `in_progress`) or rejects (booking back to `confirmed` and offered to
the next candidate in the same transaction), or the offer expires after `offer_timeout_seconds`
and the worker's sweep does the same. Every offer, automatic or manual, counts as an attempt;
after `max_attempts` the booking is flagged `needs_manual_dispatch` and the tenant's dispatchers
(admins when there are none) get an email alert through the outbox. The provider hears of each
offer by a push message (recipient: their user id).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from roadside_console.domain.bookings.models import Booking, BookingEvent, BookingStatus
from roadside_console.domain.bookings.service import apply_transition, get_booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from roadside_console.domain.core.geo import METRES_PER_MILE
from roadside_console.domain.core.tables import new_id
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import queries, rules
from roadside_console.domain.dispatch.models import (
    DispatchAlgorithm,
    DispatchLog,
    DispatchOffer,
    OfferStatus,
)
from roadside_console.domain.dispatch.queries import explain_dispatch, manual_dispatch_queue
from roadside_console.domain.dispatch.schemas import DispatchOutcome, OfferResponse
from roadside_console.domain.dispatch.settings import config_from_settings
from roadside_console.domain.identity.models import User
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.outbox import queue_message
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.tenants.models import Tenant
from roadside_console.domain.tenants.service import get_tenant_settings

__all__ = [
    "accept_offer",
    "assign_provider",
    "dispatch_booking",
    "explain_dispatch",
    "manual_dispatch_queue",
    "reject_offer",
]

S = BookingStatus


# --- automatic dispatch ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """What one dispatch decision reads once."""

    config: rules.DispatchConfig
    job: rules.JobFacts
    today: date


def _context(session: Session, booking: Booking, now: datetime) -> _Context:
    service = session.get(Service, booking.service_id)
    if service is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFound("service_not_found", "The booking's service no longer exists.")
    tenant = session.get(Tenant, booking.tenant_id)
    tz = ZoneInfo(tenant.timezone if tenant else "UTC")
    return _Context(
        config=config_from_settings(get_tenant_settings(session, booking.tenant_id)),
        job=rules.JobFacts(
            lat=booking.lat,
            lng=booking.lng,
            service_slug=service.slug,
            service_category=service.category.value,
            is_b2b=booking.b2b_account_id is not None,
        ),
        today=now.astimezone(tz).date(),
    )


def dispatch_booking(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    booking_id: uuid.UUID,
    now: datetime | None = None,
) -> DispatchOutcome:
    """Offer a confirmed booking to the best eligible provider, or queue it for a dispatcher.

    `actor=None` is the system (worker, cascades): it respects `max_attempts` and skips a booking
    another worker is dispatching. Staff may re-run automatic dispatch on a booking in the manual
    queue; it then ignores the attempt limit (they asked for it) but still never re-offers a
    provider who already had this booking.
    """
    now = now or utc_now()
    session = uow.session
    if actor is None:
        booking = session.execute(
            select(Booking)
            .where(Booking.id == booking_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if booking is None:
            raise Conflict("booking_busy", "This booking is being dispatched by another worker.")
        if booking.needs_manual_dispatch:
            raise Conflict("booking_needs_manual_dispatch", "This booking waits for a dispatcher.")
    else:
        require(actor, Permission.DISPATCH)
        booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    _require_confirmed(booking)
    outcome = _auto_dispatch(session, actor=actor, booking=booking, now=now)
    uow.commit()
    return outcome


def _require_confirmed(booking: Booking) -> None:
    if booking.status is not S.CONFIRMED:
        raise InvalidTransition(
            "booking_not_dispatchable",
            f"Only a confirmed booking can be dispatched; this one is {booking.status.value}.",
            field="status",
        )


def _auto_dispatch(
    session: Session, *, actor: Actor | None, booking: Booking, now: datetime
) -> DispatchOutcome:
    ctx = _context(session, booking, now)
    config = ctx.config
    attempt = booking.dispatch_attempts + 1
    if actor is None and booking.dispatch_attempts >= config.max_attempts:
        return _send_to_manual(
            session,
            actor=actor,
            booking=booking,
            attempt=attempt,
            reason=(
                f"{booking.dispatch_attempts} offers were declined or expired (limit "
                f"{config.max_attempts}); a dispatcher needs to assign this booking."
            ),
            now=now,
        )
    radius, expanded_from = config.radius_miles, None
    ranked = _rank(session, booking=booking, ctx=ctx, radius_miles=radius, now=now)
    if not ranked and config.expanded_radius_miles > radius:
        expanded_from, radius = radius, config.expanded_radius_miles
        ranked = _rank(session, booking=booking, ctx=ctx, radius_miles=radius, now=now)
    if not ranked:
        searched = (
            f"{radius} mi (expanded from {expanded_from} mi)" if expanded_from else f"{radius} mi"
        )
        return _send_to_manual(
            session,
            actor=actor,
            booking=booking,
            attempt=attempt,
            reason=f"No eligible provider within {searched} who was not already offered it.",
            now=now,
        )
    best = _first_with_capacity(session, ranked, config.max_concurrent_jobs)
    if best is None:
        return _send_to_manual(
            session,
            actor=actor,
            booking=booking,
            attempt=attempt,
            reason="Every eligible provider took other jobs up to the limit a moment ago.",
            now=now,
        )
    return _make_offer(
        session,
        actor=actor,
        booking=booking,
        provider_id=best.provider_id,
        algorithm=DispatchAlgorithm.AUTO,
        attempt=attempt,
        candidates=[c.as_log() for c in ranked],
        reason=rules.decision_reason(
            ranked,
            winner=best,
            attempt=attempt,
            radius_miles=radius,
            expanded_from=expanded_from,
        ),
        distance_miles=best.candidate.distance_miles,
        overridden=False,
        timeout_seconds=config.offer_timeout_seconds,
        now=now,
    )


def _first_with_capacity(
    session: Session, ranked: list[rules.ScoredCandidate], max_jobs: int
) -> rules.ScoredCandidate | None:
    """Return the best candidate still under the job limit, holding their row lock.

    Two bookings dispatched at once may pick the same provider; locking the provider and
    counting again makes the second one move on instead of exceeding the limit.
    """
    for scored in ranked:
        if queries.lock_provider_and_count_jobs(session, scored.provider_id) < max_jobs:
            return scored
    return None


def _rank(
    session: Session, *, booking: Booking, ctx: _Context, radius_miles: int, now: datetime
) -> list[rules.ScoredCandidate]:
    facts = queries.find_candidates(
        session,
        tenant_id=booking.tenant_id,
        booking_id=booking.id,
        job=ctx.job,
        config=ctx.config,
        radius_miles=radius_miles,
        now=now,
        today=ctx.today,
    )
    candidates = []
    for provider in facts:
        if rules.ineligibility_reasons(
            provider, ctx.job, ctx.config, now=now, today=ctx.today, radius_miles=radius_miles
        ):
            continue
        candidate = rules.to_candidate(
            provider, ctx.job, now=now, fresh_seconds=ctx.config.location_fresh_seconds
        )
        if candidate is not None:
            candidates.append(candidate)
    return rules.score_candidates(candidates, ctx.job, ctx.config)


def _make_offer(
    session: Session,
    *,
    actor: Actor | None,
    booking: Booking,
    provider_id: uuid.UUID,
    algorithm: DispatchAlgorithm,
    attempt: int,
    candidates: list[dict[str, Any]],
    reason: str,
    distance_miles: float | None,
    overridden: bool,
    timeout_seconds: int,
    now: datetime,
) -> DispatchOutcome:
    """Move the booking to `dispatched` for the provider (guarded), then log and offer."""
    log_id = new_id()
    expires_at = now + timedelta(seconds=timeout_seconds)
    manual = algorithm is DispatchAlgorithm.MANUAL
    existing = (
        session.execute(
            select(DispatchOffer).where(
                DispatchOffer.booking_id == booking.id, DispatchOffer.provider_id == provider_id
            )
        ).scalar_one_or_none()
        if manual
        else None
    )
    offer_id = existing.id if existing is not None else new_id()
    apply_transition(
        session,
        actor=actor,
        booking=booking,
        to_status=S.DISPATCHED,
        reason=reason if manual else None,
        changes={
            "provider_id": provider_id,
            "dispatch_attempts": attempt,
            "needs_manual_dispatch": False,
        },
        event_kind="provider_assigned" if manual else "offer_made",
        payload={
            "provider_id": str(provider_id),
            "offer_id": str(offer_id),
            "dispatch_log_id": str(log_id),
            "attempt": attempt,
            "algorithm": algorithm.value,
            "expires_at": expires_at.isoformat(),
        },
        now=now,
    )
    session.add(
        DispatchLog(
            id=log_id,
            tenant_id=booking.tenant_id,
            booking_id=booking.id,
            algorithm=algorithm,
            attempt=attempt,
            assigned_provider_id=provider_id,
            distance_m=round(distance_miles * METRES_PER_MILE)
            if distance_miles is not None
            else None,
            candidates=candidates,
            reason=reason[:500],
            eligibility_overridden=overridden,
            actor_id=actor.user_id if actor else None,
            created_at=now,
        )
    )
    if existing is not None:  # a provider offered this booking before, chosen again by hand
        existing.status = OfferStatus.PENDING
        existing.expires_at = expires_at
        existing.responded_at = None
        existing.attempt = attempt
        existing.dispatch_log_id = log_id
        session.add(existing)
    else:
        session.add(
            DispatchOffer(
                id=offer_id,
                tenant_id=booking.tenant_id,
                booking_id=booking.id,
                provider_id=provider_id,
                dispatch_log_id=log_id,
                attempt=attempt,
                status=OfferStatus.PENDING,
                expires_at=expires_at,
                created_at=now,
            )
        )
    provider = session.get(Provider, provider_id)
    if provider is not None and provider.user_id is not None:
        queue_message(
            session,
            tenant_id=booking.tenant_id,
            channel=Channel.PUSH,
            topic="dispatch.offer",
            recipient=str(provider.user_id),
            body=(
                f"New job {booking.reference} at {booking.address}. "
                f"Accept within {timeout_seconds} seconds."
            ),
            payload={"offer_id": str(offer_id), "booking_id": str(booking.id)},
            now=now,
        )
    return DispatchOutcome(
        booking_id=booking.id,
        offered=True,
        dispatch_log_id=log_id,
        attempt=attempt,
        reason=reason,
        provider_id=provider_id,
        offer_id=offer_id,
        expires_at=expires_at,
    )


def _send_to_manual(
    session: Session,
    *,
    actor: Actor | None,
    booking: Booking,
    attempt: int,
    reason: str,
    now: datetime,
) -> DispatchOutcome:
    """Flag the booking for a dispatcher (guarded), log why, and alert the dispatchers once."""
    log_id = new_id()
    session.add(
        DispatchLog(
            id=log_id,
            tenant_id=booking.tenant_id,
            booking_id=booking.id,
            algorithm=DispatchAlgorithm.AUTO,
            attempt=attempt,
            candidates=[],
            reason=reason[:500],
            actor_id=actor.user_id if actor else None,
            created_at=now,
        )
    )
    if not booking.needs_manual_dispatch:
        flagged = session.execute(
            sa.update(Booking)
            .where(
                Booking.id == booking.id,  # type: ignore[arg-type]
                Booking.status == S.CONFIRMED,  # type: ignore[arg-type]
                Booking.needs_manual_dispatch.is_(False),  # type: ignore[union-attr]
            )
            .values(needs_manual_dispatch=True, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if flagged != 1:
            raise Conflict(
                "booking_changed",
                "Someone else changed this booking a moment ago. Reload it and try again.",
            )
        booking.needs_manual_dispatch = True
        session.add(
            BookingEvent(
                tenant_id=booking.tenant_id,
                booking_id=booking.id,
                kind="manual_dispatch_needed",
                actor_id=actor.user_id if actor else None,
                actor_role=actor.role if actor else None,
                reason=reason[:500],
                payload={"dispatch_log_id": str(log_id), "attempts": booking.dispatch_attempts},
                created_at=now,
            )
        )
        _alert_dispatchers(session, booking=booking, reason=reason, now=now)
    return DispatchOutcome(
        booking_id=booking.id,
        offered=False,
        dispatch_log_id=log_id,
        attempt=attempt,
        reason=reason,
        needs_manual_dispatch=True,
    )


def _alert_dispatchers(session: Session, *, booking: Booking, reason: str, now: datetime) -> None:
    """Email every active dispatcher of the tenant (its admins when it has no dispatcher)."""
    staff = session.execute(
        select(User.email, User.role).where(
            User.tenant_id == booking.tenant_id,
            User.is_active.is_(True),  # type: ignore[attr-defined]
            User.role.in_([Role.DISPATCHER, Role.ADMIN]),  # type: ignore[attr-defined]
        )
    ).all()
    dispatchers = [email for email, role in staff if role is Role.DISPATCHER]
    recipients = dispatchers or [email for email, role in staff if role is Role.ADMIN]
    for email in sorted(recipients):
        queue_message(
            session,
            tenant_id=booking.tenant_id,
            channel=Channel.EMAIL,
            topic="dispatch.manual_needed",
            recipient=email,
            subject=f"Booking {booking.reference} needs manual dispatch",
            body=f"{booking.reference} at {booking.address}: {reason}",
            payload={"booking_id": str(booking.id)},
            now=now,
        )


# --- provider answers -----------------------------------------------------------------------


def _offer_of(session: Session, actor: Actor, offer_id: uuid.UUID) -> DispatchOffer:
    """Load an offer made to the acting provider (others' offers are simply not found)."""
    row = session.execute(
        select(DispatchOffer, Provider.user_id)
        .join(Provider, Provider.id == DispatchOffer.provider_id)  # type: ignore[arg-type]
        .where(DispatchOffer.id == offer_id, DispatchOffer.tenant_id == actor.tenant_id)
    ).first()
    if row is None or row[1] != actor.user_id:
        raise NotFound("offer_not_found", "No such offer.")
    return row[0]


def _closed_offer_error(session: Session, offer_id: uuid.UUID, now: datetime) -> Conflict:
    status, expires_at = session.execute(
        select(DispatchOffer.status, DispatchOffer.expires_at).where(DispatchOffer.id == offer_id)
    ).one()
    if status is OfferStatus.EXPIRED or (
        status is OfferStatus.PENDING and queries.as_utc(expires_at) <= now
    ):
        return Conflict("offer_expired", "This offer has expired; the job went to someone else.")
    return Conflict("offer_closed", f"This offer is no longer open (it was {status.value}).")


def _answer_offer(
    session: Session,
    offer: DispatchOffer,
    *,
    to_status: OfferStatus,
    now: datetime,
    must_be_unexpired: bool,
) -> None:
    """Guarded update: only a pending (and, to accept, unexpired) offer can be answered."""
    conditions = [
        DispatchOffer.id == offer.id,
        DispatchOffer.status == OfferStatus.PENDING,
    ]
    if must_be_unexpired:
        conditions.append(DispatchOffer.expires_at > now)  # type: ignore[arg-type]
    changed = session.execute(
        sa.update(DispatchOffer)
        .where(*conditions)  # type: ignore[arg-type]
        .values(status=to_status, responded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise _closed_offer_error(session, offer.id, now)
    offer.status = to_status
    offer.responded_at = now


def accept_offer(
    uow: UnitOfWork, *, actor: Actor, offer_id: uuid.UUID, now: datetime | None = None
) -> OfferResponse:
    """The provider takes the job: the offer is accepted and the job starts (in progress)."""
    now = now or utc_now()
    require(actor, Permission.PROVIDER_PORTAL)
    session = uow.session
    offer = _offer_of(session, actor, offer_id)
    _answer_offer(session, offer, to_status=OfferStatus.ACCEPTED, now=now, must_be_unexpired=True)
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=offer.booking_id)
    apply_transition(
        session,
        actor=actor,
        booking=booking,
        to_status=S.IN_PROGRESS,
        event_kind="offer_accepted",
        payload={"offer_id": str(offer.id), "provider_id": str(offer.provider_id)},
        now=now,
    )
    uow.commit()
    return OfferResponse(offer_id=offer.id, booking_id=booking.id, status=OfferStatus.ACCEPTED)


def reject_offer(
    uow: UnitOfWork,
    *,
    actor: Actor,
    offer_id: uuid.UUID,
    reason: str | None = None,
    now: datetime | None = None,
) -> OfferResponse:
    """The provider declines: the booking goes back and is offered to the next candidate.

    Everything happens in one transaction, so the job is never left unoffered in between.
    """
    now = now or utc_now()
    require(actor, Permission.PROVIDER_PORTAL)
    session = uow.session
    offer = _offer_of(session, actor, offer_id)
    _answer_offer(session, offer, to_status=OfferStatus.REJECTED, now=now, must_be_unexpired=False)
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=offer.booking_id)
    apply_transition(
        session,
        actor=actor,
        booking=booking,
        to_status=S.CONFIRMED,
        reason=reason,
        event_kind="offer_rejected",
        payload={"offer_id": str(offer.id), "provider_id": str(offer.provider_id)},
        now=now,
    )
    next_dispatch = _auto_dispatch(session, actor=None, booking=booking, now=now)
    uow.commit()
    return OfferResponse(
        offer_id=offer.id,
        booking_id=booking.id,
        status=OfferStatus.REJECTED,
        next_dispatch=next_dispatch,
    )


# --- manual assignment ----------------------------------------------------------------------


def assign_provider(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    provider_id: uuid.UUID,
    reason: str,
    override_eligibility: bool = False,
    now: datetime | None = None,
) -> DispatchOutcome:
    """A dispatcher offers the job to a chosen provider, or moves it from another one.

    The provider must pass the same eligibility check as automatic dispatch (within the
    expanded radius); an ineligible one needs `override_eligibility=True`. A reason is always
    required and logged. Reassigning withdraws the previous provider's pending offer.
    """
    now = now or utc_now()
    require(actor, Permission.DISPATCH)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "reason_required", "Give a reason for assigning by hand.", field="reason"
        )
    session = uow.session
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    if booking.status not in (S.CONFIRMED, S.DISPATCHED):
        raise InvalidTransition(
            "booking_not_assignable",
            f"A {booking.status.value} booking cannot be assigned.",
            field="status",
        )
    if booking.status is S.DISPATCHED and booking.provider_id == provider_id:
        raise Conflict("already_assigned", "This provider already has the job.")
    queries.lock_provider_and_count_jobs(session, provider_id)  # job count stays true till commit
    facts = queries.provider_facts(
        session, tenant_id=actor.tenant_id, provider_id=provider_id, now=now
    )
    if facts is None:
        raise NotFound("provider_not_found", "No such provider.")
    ctx = _context(session, booking, now)
    problems = rules.ineligibility_reasons(
        facts,
        ctx.job,
        ctx.config,
        now=now,
        today=ctx.today,
        radius_miles=ctx.config.expanded_radius_miles,
    )
    if problems and not override_eligibility:
        raise ValidationFailed(
            "provider_ineligible",
            f"{facts.name} cannot take this job: {'; '.join(problems)}. "
            "Override eligibility to assign anyway.",
            field="provider_id",
        )
    candidate = rules.to_candidate(
        facts, ctx.job, now=now, fresh_seconds=ctx.config.location_fresh_seconds
    )
    entries: list[dict[str, Any]] = []
    if candidate is not None:
        scored = rules.score_candidates([candidate], ctx.job, ctx.config)[0]
        entries.append(scored.as_log() | {"eligible": not problems, "ineligible_reasons": problems})
    if booking.status is S.DISPATCHED:
        _unassign(session, actor=actor, booking=booking, reason=reason, now=now)
    text = f"Assigned by {actor.name or actor.role.value}: {reason}"
    if problems:
        text += f" (eligibility overridden: {'; '.join(problems)})"
    outcome = _make_offer(
        session,
        actor=actor,
        booking=booking,
        provider_id=provider_id,
        algorithm=DispatchAlgorithm.MANUAL,
        attempt=booking.dispatch_attempts + 1,
        candidates=entries,
        reason=text,
        distance_miles=candidate.distance_miles if candidate else None,
        overridden=bool(problems),
        timeout_seconds=ctx.config.offer_timeout_seconds,
        now=now,
    )
    uow.commit()
    return outcome


def _unassign(
    session: Session, *, actor: Actor, booking: Booking, reason: str, now: datetime
) -> None:
    """Take the job back from its current provider: withdraw the offer, booking to confirmed.

    The booking row is claimed first with a guard on the provider we read, so a second
    dispatcher reassigning at the same moment gets a conflict instead of overwriting the first.
    """
    previous = booking.provider_id
    claimed = session.execute(
        sa.update(Booking)
        .where(
            Booking.id == booking.id,  # type: ignore[arg-type]
            Booking.status == S.DISPATCHED,  # type: ignore[arg-type]
            Booking.provider_id == previous,  # type: ignore[arg-type]
        )
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        raise Conflict(
            "booking_changed",
            "Someone else changed this booking a moment ago. Reload it and try again.",
        )
    session.execute(
        sa.update(DispatchOffer)
        .where(
            DispatchOffer.booking_id == booking.id,  # type: ignore[arg-type]
            DispatchOffer.status == OfferStatus.PENDING,  # type: ignore[arg-type]
        )
        .values(status=OfferStatus.WITHDRAWN, responded_at=now)
        .execution_options(synchronize_session=False)
    )
    apply_transition(
        session,
        actor=actor,
        booking=booking,
        to_status=S.CONFIRMED,
        reason=reason,
        event_kind="provider_unassigned",
        payload={"provider_id": str(previous) if previous else None},
        now=now,
    )
