"""Reading dispatch facts and read models: the candidate search runs in SQL, never over everyone.

`find_candidates` narrows a tenant's providers in one statement: active, available, under the
concurrency limit (active jobs counted in SQL), no expired licence or insurance, offering the
service, not yet offered this booking, and positioned (live fix if fresh, else home base) inside
the bounding box of the search radius (indexes on current and home coordinates). Of those it
returns the `CANDIDATE_POOL` nearest, by an equirectangular distance computed in SQL, with their
weekly earnings; the exact great-circle distance and the scores are computed by `rules`.

Active jobs are the provider's bookings that are `dispatched` (an open offer) or `in_progress`.
Weekly earnings are the provider's `earning` payouts (not cancelled) created in the seven days
before `now`.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import rules
from roadside_console.domain.dispatch.models import DispatchLog, DispatchOffer
from roadside_console.domain.dispatch.schemas import (
    CandidateView,
    DispatchLogView,
    ManualQueueRow,
)
from roadside_console.domain.identity.models import User
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.providers.models import Provider, ProviderCredential, ProviderStatus

# The nearest this many eligible providers are scored and logged: enough that rating, workload
# and fairness can outweigh a short extra drive, small enough to keep every log readable.
CANDIDATE_POOL = 25
FIRST_RING_MILES = 5.0
RING_GROWTH = 4.0
EARNINGS_WINDOW = timedelta(days=7)
ACTIVE_JOB_STATUSES = (BookingStatus.DISPATCHED, BookingStatus.IN_PROGRESS)

P = Provider
B = Booking
C = ProviderCredential
O = DispatchOffer  # noqa: E741
PP = ProviderPayout


def _active_jobs(provider_id: Any) -> Any:
    """Count the provider's jobs on the go (offered or in progress), by index, per provider."""
    return (
        sa.select(sa.func.count())
        .select_from(B)
        .where(B.provider_id == provider_id, B.status.in_(ACTIVE_JOB_STATUSES))
        .scalar_subquery()
    )


def _no_expired_credential(today: Any) -> Any:
    """No gating credential kind whose every row has expired (a renewal supersedes)."""
    renewed = sa.orm.aliased(ProviderCredential)
    return ~sa.exists(
        sa.select(sa.literal(1))
        .select_from(ProviderCredential)
        .where(
            C.provider_id == P.id,
            C.kind.in_(sorted(rules.GATING_CREDENTIALS)),
            C.expires_on < today,
            ~sa.exists(
                sa.select(sa.literal(1))
                .select_from(renewed)
                .where(
                    renewed.provider_id == C.provider_id,
                    renewed.kind == C.kind,
                    renewed.expires_on >= today,
                )
            ),
        )
    )


def _offers_service(dialect: str, slug: Any, category: Any) -> Any:
    if dialect == "postgresql":
        specialties = sa.type_coerce(P.specialties, postgresql.JSONB)
        return specialties.has_any(postgresql.array([category, slug]))
    listed = sa.func.json_each(P.specialties).table_valued("value")
    return sa.exists(
        sa.select(sa.literal(1)).select_from(listed).where(listed.c.value.in_([category, slug]))
    )


def _earnings_since(provider_id: Any, since: Any) -> Any:
    return (
        sa.select(sa.func.coalesce(sa.func.sum(PP.amount_cents), 0))
        .where(
            PP.provider_id == provider_id,
            PP.kind == PayoutKind.EARNING,
            PP.status != PayoutStatus.CANCELLED,
            PP.created_at >= since,
        )
        .scalar_subquery()
    )


def find_candidates(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    booking_id: uuid.UUID,
    job: rules.JobFacts,
    config: rules.DispatchConfig,
    radius_miles: float,
    now: datetime,
    today: date,
    limit: int = CANDIDATE_POOL,
) -> list[rules.ProviderFacts]:
    """Return the `limit` nearest providers SQL finds eligible within the radius, nearest first.

    Searches growing boxes (5, 20, 80 mi ... capped at the radius): when a small box already
    holds `limit` providers and the farthest of them is inside its circle, nobody outside can
    be nearer, so a dense city is answered from a few hundred index entries rather than the
    whole fleet, and a sparse area costs a few cheap queries.
    """
    ring = min(float(radius_miles), FIRST_RING_MILES)
    while True:
        rows = _candidate_rows(
            session,
            tenant_id=tenant_id,
            booking_id=booking_id,
            job=job,
            config=config,
            box_miles=ring,
            now=now,
            today=today,
            limit=limit,
        )
        if ring >= radius_miles:
            break
        if len(rows) == limit and _miles(rows[-1].nearness) <= ring:
            break
        ring = min(float(radius_miles), ring * RING_GROWTH)
    return [
        rules.ProviderFacts(
            provider_id=row.id,
            name=row.name,
            active_jobs=int(row.active_jobs),
            specialties=tuple(row.specialties or ()),
            rating_total=row.rating_total,
            review_count=row.review_count,
            weekly_earnings_cents=int(row.earnings or 0),
            current_lat=row.current_lat,
            current_lng=row.current_lng,
            location_updated_at=as_utc(row.location_updated_at),
            home_lat=row.home_lat,
            home_lng=row.home_lng,
        )
        for row in rows
    ]


def _miles(nearness: float) -> float:
    """Convert the SQL equirectangular measure (squared degrees of latitude) to miles."""
    return math.sqrt(max(nearness, 0.0)) * rules.MILES_PER_DEGREE_LAT


def _candidate_rows(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    booking_id: uuid.UUID,
    job: rules.JobFacts,
    config: rules.DispatchConfig,
    box_miles: float,
    now: datetime,
    today: date,
    limit: int,
) -> list[Any]:
    min_lat, max_lat, min_lng, max_lng = rules.bounding_box(job.lat, job.lng, box_miles)
    params = {
        "tenant_id": tenant_id,
        "booking_id": booking_id,
        "fresh_since": now - timedelta(seconds=config.location_fresh_seconds),
        "min_lat": min_lat,
        "max_lat": max_lat,
        "min_lng": min_lng,
        "max_lng": max_lng,
        "lat": job.lat,
        "lng": job.lng,
        "shrink": math.cos(math.radians(job.lat)),
        "max_jobs": config.max_concurrent_jobs,
        "category": job.service_category,
        "slug": job.service_slug,
        "today": today,
        "earnings_since": now - EARNINGS_WINDOW,
        "pool_size": limit,
    }
    statement = _candidate_statement(session.get_bind().dialect.name)
    return list(session.execute(statement, params).all())


@lru_cache(maxsize=4)
def _candidate_statement(dialect: str) -> Any:
    """Build the candidate query once per dialect; every value is a bound parameter.

    Building this expression costs more Python than running it, and one fixed SQL text lets
    the driver prepare it.
    """
    bind = sa.bindparam
    fresh_since = bind("fresh_since", type_=P.location_updated_at.type)
    is_fresh = sa.and_(
        P.location_updated_at >= fresh_since,
        P.current_lat.is_not(None),
        P.current_lng.is_not(None),
    )
    is_stale = sa.or_(
        P.location_updated_at.is_(None),
        P.location_updated_at < fresh_since,
        P.current_lat.is_(None),
        P.current_lng.is_(None),
    )
    min_lat, max_lat = bind("min_lat", type_=sa.Float), bind("max_lat", type_=sa.Float)
    min_lng, max_lng = bind("min_lng", type_=sa.Float), bind("max_lng", type_=sa.Float)
    in_box = sa.or_(
        sa.and_(
            P.current_lat.between(min_lat, max_lat),
            P.current_lng.between(min_lng, max_lng),
            is_fresh,
        ),
        sa.and_(
            P.home_lat.between(min_lat, max_lat),
            P.home_lng.between(min_lng, max_lng),
            is_stale,
        ),
    )
    lat = sa.case((is_fresh, P.current_lat), else_=P.home_lat)
    lng = sa.case((is_fresh, P.current_lng), else_=P.home_lng)
    dlat = lat - bind("lat", type_=sa.Float)
    dlng = (lng - bind("lng", type_=sa.Float)) * bind("shrink", type_=sa.Float)
    nearness = dlat * dlat + dlng * dlng
    active_jobs = _active_jobs(P.id)
    already_offered = sa.select(O.provider_id).where(
        O.booking_id == bind("booking_id", type_=sa.Uuid)
    )
    pool = (
        sa.select(
            P.id.label("id"),
            P.name.label("name"),
            P.specialties.label("specialties"),
            P.rating_total.label("rating_total"),
            P.review_count.label("review_count"),
            P.current_lat.label("current_lat"),
            P.current_lng.label("current_lng"),
            P.location_updated_at.label("location_updated_at"),
            P.home_lat.label("home_lat"),
            P.home_lng.label("home_lng"),
            active_jobs.label("active_jobs"),
            nearness.label("nearness"),
        )
        .where(
            P.tenant_id == bind("tenant_id", type_=sa.Uuid),
            in_box,
            P.status == ProviderStatus.ACTIVE,
            P.is_available.is_(True),
            _offers_service(
                dialect, bind("slug", type_=sa.String), bind("category", type_=sa.String)
            ),
            P.id.not_in(already_offered),
            active_jobs < bind("max_jobs", type_=sa.Integer),
            _no_expired_credential(bind("today", type_=sa.Date)),
        )
        .order_by(nearness, P.id)
        .limit(bind("pool_size", type_=sa.Integer))
        .subquery("pool")
    )
    earnings_since = bind("earnings_since", type_=PP.created_at.type)
    return sa.select(pool, _earnings_since(pool.c.id, earnings_since).label("earnings")).order_by(
        pool.c.nearness, pool.c.id
    )


def lock_provider_and_count_jobs(session: Session, provider_id: uuid.UUID) -> int:
    """Lock the provider's row until commit and return their active jobs, counted now."""
    session.execute(sa.select(P.id).where(P.id == provider_id).with_for_update())
    return int(session.execute(sa.select(_active_jobs(provider_id))).scalar_one())


def provider_facts(
    session: Session, *, tenant_id: uuid.UUID, provider_id: uuid.UUID, now: datetime
) -> rules.ProviderFacts | None:
    """Return everything eligibility needs about one provider of this tenant (manual assign)."""
    provider = session.execute(
        sa.select(P).where(P.id == provider_id, P.tenant_id == tenant_id)
    ).scalar_one_or_none()
    if provider is None:
        return None
    active_jobs = session.execute(
        sa.select(sa.func.count()).where(
            B.tenant_id == tenant_id,
            B.provider_id == provider_id,
            B.status.in_(ACTIVE_JOB_STATUSES),
        )
    ).scalar_one()
    expiry = dict(
        session.execute(
            sa.select(C.kind, sa.func.max(C.expires_on))
            .where(C.provider_id == provider_id)
            .group_by(C.kind)
        ).all()
    )
    earnings = session.execute(
        sa.select(_earnings_since(provider_id, now - EARNINGS_WINDOW))
    ).scalar_one()
    return rules.ProviderFacts(
        provider_id=provider.id,
        name=provider.name,
        is_active=provider.status is ProviderStatus.ACTIVE,
        is_available=provider.is_available,
        active_jobs=int(active_jobs),
        specialties=tuple(provider.specialties or ()),
        rating_total=provider.rating_total,
        review_count=provider.review_count,
        weekly_earnings_cents=int(earnings or 0),
        current_lat=provider.current_lat,
        current_lng=provider.current_lng,
        location_updated_at=as_utc(provider.location_updated_at),
        home_lat=provider.home_lat,
        home_lng=provider.home_lng,
        credential_expiry={str(kind): expires for kind, expires in expiry.items()},
    )


def bookings_awaiting_redispatch(session: Session, *, limit: int) -> list[uuid.UUID]:
    """Return confirmed bookings that had an offer, lost it, and are not in the manual queue.

    The expiry sweep puts bookings here; the worker re-dispatches them right after. Reading the
    state (rather than remembering ids) means a crash between the two never loses a booking.
    """
    return list(
        session.execute(
            sa.select(B.id)
            .where(
                B.status == BookingStatus.CONFIRMED,
                B.provider_id.is_(None),
                B.needs_manual_dispatch.is_(False),
                B.dispatch_attempts > 0,
            )
            .order_by(B.updated_at)
            .limit(limit)
        ).scalars()
    )


def manual_dispatch_queue(
    uow: UnitOfWork, *, actor: Actor, limit: int = 100
) -> list[ManualQueueRow]:
    """List the bookings automatic dispatch gave up on, longest waiting first."""
    require(actor, Permission.DISPATCH)
    last_reason = (
        sa.select(DispatchLog.reason)
        .where(DispatchLog.booking_id == B.id)
        .order_by(DispatchLog.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = uow.session.execute(
        sa.select(B, Service.name, last_reason.label("reason"))
        .join(Service, Service.id == B.service_id)
        .where(
            B.tenant_id == actor.tenant_id,
            B.status == BookingStatus.CONFIRMED,
            B.needs_manual_dispatch.is_(True),
        )
        .order_by(B.confirmed_at.asc().nulls_first(), B.created_at)
        .limit(limit)
    ).all()
    return [
        ManualQueueRow(
            booking_id=booking.id,
            reference=booking.reference,
            service_name=service_name,
            address=booking.address,
            contact_name=booking.contact_name,
            attempts=booking.dispatch_attempts,
            waiting_since=as_utc(booking.confirmed_at or booking.created_at),
            reason=reason or "",
        )
        for booking, service_name, reason in rows
    ]


def explain_dispatch(
    uow: UnitOfWork, *, actor: Actor, booking_id: uuid.UUID
) -> list[DispatchLogView]:
    """Return every dispatch decision for a booking, oldest first, with all its candidates."""
    require(actor, Permission.VIEW_BOOKINGS)
    session = uow.session
    exists = session.execute(
        sa.select(B.id).where(B.id == booking_id, B.tenant_id == actor.tenant_id)
    ).first()
    if exists is None:
        raise NotFound("booking_not_found", "No such booking.")
    winner = sa.orm.aliased(Provider)
    author = sa.orm.aliased(User)
    rows = session.execute(
        sa.select(DispatchLog, winner.name, author.name, O.status)
        .outerjoin(winner, winner.id == DispatchLog.assigned_provider_id)
        .outerjoin(author, author.id == DispatchLog.actor_id)
        .outerjoin(O, O.dispatch_log_id == DispatchLog.id)
        .where(
            DispatchLog.booking_id == booking_id,
            DispatchLog.tenant_id == actor.tenant_id,
        )
        .order_by(DispatchLog.created_at, DispatchLog.attempt)
    ).all()
    return [
        DispatchLogView(
            log_id=log.id,
            created_at=as_utc(log.created_at),
            algorithm=log.algorithm.value,
            attempt=log.attempt,
            provider_id=log.assigned_provider_id,
            provider_name=provider_name or "",
            actor_name=actor_name or ("System" if log.actor_id is None else ""),
            reason=log.reason,
            eligibility_overridden=log.eligibility_overridden,
            offer_status=offer_status.value if offer_status is not None else None,
            candidates=[CandidateView.from_log(entry) for entry in log.candidates],
        )
        for log, provider_name, actor_name, offer_status in rows
    ]


def as_utc(value: datetime | None) -> Any:
    """Return `value` as aware UTC (SQLite hands back naive datetimes from raw columns)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
