"""Provider use cases: location posts, their bounded trail, availability and job status.

`record_location` is the hot path (every provider's phone posts every few seconds), so it is
at most two fixed statements with bound parameters. The UPDATE of the provider's current
position takes the provider's row lock and, in the same statement, claims the next trail point
when the newest one is `rules.POINT_INTERVAL` old; only the fix that claimed it INSERTs the
point. PostgreSQL re-reads a row it had to wait for before computing the UPDATE (and SQLite has
one writer), so of two concurrent posts only one can claim a point, and no fix reads the trail,
whose size and statistics would otherwise decide the fix's plan. Points are tied to the
provider's job in progress and purged after `location_retention_days`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from roadside_console.domain.bookings import rules as booking_rules
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.bookings.service import complete_booking, get_booking
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, InvalidTransition, NotFound
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.tables import new_id
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.models import DispatchOffer
from roadside_console.domain.dispatch.service import accept_offer, reject_offer
from roadside_console.domain.providers import rules
from roadside_console.domain.providers.availability import switch_availability
from roadside_console.domain.providers.models import Provider, ProviderLocation
from roadside_console.domain.providers.schemas import (
    AvailabilityView,
    LocationPurgeReport,
    LocationRecorded,
)

S = BookingStatus
PURGE_PROVIDERS = 500

_P = Provider.__table__  # type: ignore[attr-defined]
_L = ProviderLocation.__table__  # type: ignore[attr-defined]
_B = Booking.__table__  # type: ignore[attr-defined]


def provider_of(session: Session, actor: Actor) -> Provider:
    """Return the provider profile of the acting user, or raise `NotFound`."""
    provider = session.execute(
        sa.select(Provider).where(
            Provider.tenant_id == actor.tenant_id,  # type: ignore[arg-type]
            Provider.user_id == actor.user_id,  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if provider is None:
        raise NotFound("provider_not_found", "This account has no provider profile.")
    return provider


# --- location ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _move_statement() -> Any:
    """UPDATE the user's provider to the fix, claiming the next trail point if it is due.

    The point is due when the provider's newest one is `rules.POINT_INTERVAL` old (or there is
    none); then the row takes the fix's point id and time. RETURNING gives the row's point id,
    so the fix knows it was the one that claimed the point by comparing it with its own.
    """
    bind = sa.bindparam
    at = bind("fix_now", type_=_P.c.location_updated_at.type)
    point_id = bind("fix_point_id", type_=sa.Uuid)
    due = sa.or_(
        _P.c.last_trail_point_at.is_(None),
        _P.c.last_trail_point_at <= bind("fix_since", type_=_P.c.last_trail_point_at.type),
    )
    return (
        sa.update(_P)
        .where(
            _P.c.tenant_id == bind("fix_tenant_id", type_=sa.Uuid),
            _P.c.user_id == bind("fix_user_id", type_=sa.Uuid),
        )
        .values(
            current_lat=bind("fix_lat", type_=sa.Float),
            current_lng=bind("fix_lng", type_=sa.Float),
            location_updated_at=at,
            updated_at=at,
            last_trail_point_id=sa.case((due, point_id), else_=_P.c.last_trail_point_id),
            last_trail_point_at=sa.case((due, at), else_=_P.c.last_trail_point_at),
        )
        .returning(_P.c.id, _P.c.last_trail_point_id)
    )


@lru_cache(maxsize=1)
def _point_statement() -> Any:
    """INSERT the claimed trail point, tied to the provider's job in progress (if any)."""
    bind = sa.bindparam
    provider_id = bind("fix_provider_id", type_=sa.Uuid)
    tenant_id = bind("fix_tenant_id", type_=sa.Uuid)
    at = bind("fix_now", type_=_L.c.recorded_at.type)
    job_in_progress = (
        sa.select(_B.c.id)
        .where(
            _B.c.provider_id == provider_id,
            _B.c.status == S.IN_PROGRESS,
            _B.c.tenant_id == tenant_id,
        )
        .order_by(_B.c.started_at.desc(), _B.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.insert(_L)
        .values(
            id=bind("fix_point_id", type_=sa.Uuid),
            tenant_id=tenant_id,
            provider_id=provider_id,
            booking_id=job_in_progress,
            lat=bind("fix_lat", type_=sa.Float),
            lng=bind("fix_lng", type_=sa.Float),
            accuracy_m=bind("fix_accuracy_m", type_=sa.Float),
            heading_deg=bind("fix_heading_deg", type_=sa.Float),
            recorded_at=at,
            created_at=at,
        )
        .returning(_L.c.booking_id)
    )


def record_location(
    uow: UnitOfWork,
    *,
    actor: Actor,
    lat: float,
    lng: float,
    accuracy_m: float | None = None,
    heading_deg: float | None = None,
    now: datetime | None = None,
) -> LocationRecorded:
    """Move the provider's current position; keep a trail point at most every 5 seconds."""
    require(actor, Permission.PROVIDER_PORTAL)
    rules.validate_fix(lat, lng, accuracy_m, heading_deg)
    now = now or utc_now()
    session = uow.session
    point_id = new_id()
    params = {
        "fix_tenant_id": actor.tenant_id,
        "fix_lat": lat,
        "fix_lng": lng,
        "fix_now": now,
        "fix_point_id": point_id,
    }
    moved = session.execute(
        _move_statement(),
        {**params, "fix_user_id": actor.user_id, "fix_since": now - rules.POINT_INTERVAL},
    ).first()
    if moved is None:
        raise NotFound("provider_not_found", "This account has no provider profile.")
    provider_id, claimed_point_id = moved
    booking_id = None
    stored = claimed_point_id == point_id
    if stored:
        booking_id = session.execute(
            _point_statement(),
            {
                **params,
                "fix_provider_id": provider_id,
                "fix_accuracy_m": accuracy_m,
                "fix_heading_deg": heading_deg,
            },
        ).scalar_one()
    uow.commit()
    return LocationRecorded(
        provider_id=provider_id, recorded_at=now, stored=stored, booking_id=booking_id
    )


@lru_cache(maxsize=1)
def _purge_statement() -> Any:
    """DELETE one provider's points older than the cutoff: a range of the (provider, time) index."""
    bind = sa.bindparam
    return sa.delete(_L).where(
        _L.c.provider_id == bind("old_provider_id", type_=sa.Uuid),
        _L.c.recorded_at < bind("old_cutoff", type_=_L.c.recorded_at.type),
    )


def purge_old_locations(
    uow: UnitOfWork,
    *,
    now: datetime | None = None,
    retention_days: int | None = None,
    after_provider_id: uuid.UUID | None = None,
    providers: int = PURGE_PROVIDERS,
) -> LocationPurgeReport:
    """Delete the old points of the next `providers` providers (by id, every tenant), in one go.

    One DELETE per provider walks the (provider, time) index, so no index on time alone is
    needed and the planner never scans the whole trail; `next_provider_id` says where to go on.
    """
    now = now or utc_now()
    days = retention_days if retention_days is not None else get_settings().location_retention_days
    cutoff = now - timedelta(days=days)
    session = uow.session
    chunk = sa.select(_P.c.id).order_by(_P.c.id).limit(providers)
    if after_provider_id is not None:
        chunk = chunk.where(_P.c.id > after_provider_id)
    provider_ids = list(session.execute(chunk).scalars())
    deleted = 0
    for provider_id in provider_ids:
        result = session.execute(
            _purge_statement(), {"old_provider_id": provider_id, "old_cutoff": cutoff}
        )
        deleted += result.rowcount  # type: ignore[attr-defined]
    uow.commit()
    return LocationPurgeReport(
        deleted=deleted,
        next_provider_id=provider_ids[-1] if len(provider_ids) == providers else None,
    )


def run_location_purge(
    uow_factory: Callable[[], UnitOfWork],
    now: datetime,
    *,
    retention_days: int | None = None,
    providers: int = PURGE_PROVIDERS,
) -> LocationPurgeReport:
    """The worker job: purge every provider's old points, one transaction per chunk."""
    deleted, after = 0, None
    while True:
        with uow_factory() as uow:
            report = purge_old_locations(
                uow,
                now=now,
                retention_days=retention_days,
                after_provider_id=after,
                providers=providers,
            )
        deleted += report.deleted
        if report.next_provider_id is None:
            return LocationPurgeReport(deleted=deleted)
        after = report.next_provider_id


# --- availability -----------------------------------------------------------------------------


def set_availability(
    uow: UnitOfWork, *, actor: Actor, available: bool, now: datetime | None = None
) -> AvailabilityView:
    """Go on or off duty; only an active provider may take offers.

    The status is checked in the same UPDATE, so a provider deactivated a moment ago cannot
    slip back on duty.
    """
    require(actor, Permission.PROVIDER_PORTAL)
    now = now or utc_now()
    session = uow.session
    provider = provider_of(session, actor)
    if not switch_availability(session, provider=provider, available=available, now=now):
        raise Conflict(
            "provider_not_active",
            f"Your provider account is {provider.status.value}; you can go available once "
            "the operator has activated it.",
            field="available",
        )
    uow.commit()
    return AvailabilityView(
        provider_id=provider.id, available=available, status=provider.status.value
    )


# --- job status -------------------------------------------------------------------------------


def change_job_status(
    uow: UnitOfWork,
    *,
    actor: Actor,
    booking_id: uuid.UUID,
    to_status: BookingStatus,
    reason: str | None = None,
    now: datetime | None = None,
) -> BookingStatus:
    """Move one of the provider's jobs on, through the one function that owns each change.

    Starting a dispatched job is accepting its offer and handing it back is rejecting it (so the
    offer's state and the cascade to the next provider stay right); completing goes through
    `complete_booking`. Anything else is refused by the booking rules. Returns the new status.
    """
    require(actor, Permission.PROVIDER_PORTAL)
    session = uow.session
    provider = provider_of(session, actor)
    booking = get_booking(session, tenant_id=actor.tenant_id, booking_id=booking_id)
    if booking.provider_id != provider.id:
        raise NotFound("booking_not_found", "No such booking.")
    if booking.status is S.IN_PROGRESS and to_status is S.COMPLETED:
        complete_booking(uow, actor=actor, booking_id=booking.id, reason=reason, now=now)
    elif booking.status is S.DISPATCHED and to_status is S.IN_PROGRESS:
        offer_id = _offer_id(session, booking=booking, provider=provider)
        accept_offer(uow, actor=actor, offer_id=offer_id, now=now)
    elif booking.status is S.DISPATCHED and to_status is S.CONFIRMED:
        offer_id = _offer_id(session, booking=booking, provider=provider)
        reject_offer(uow, actor=actor, offer_id=offer_id, reason=reason, now=now)
    else:
        booking_rules.check_transition(  # raises: no other change is the provider's to make
            role=Role.PROVIDER,
            from_status=booking.status,
            to_status=to_status,
            is_own=True,
            reason=reason,
        )
        raise InvalidTransition(
            "invalid_transition",
            f"A {booking.status.value} job cannot become {to_status.value} from the app.",
            field="status",
        )
    return to_status


def _offer_id(session: Session, *, booking: Booking, provider: Provider) -> uuid.UUID:
    offer_id = session.execute(
        sa.select(DispatchOffer.id).where(
            DispatchOffer.booking_id == booking.id,  # type: ignore[arg-type]
            DispatchOffer.provider_id == provider.id,  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if offer_id is None:
        raise Conflict("offer_closed", "This job has no offer for you to answer.")
    return offer_id
