"""What staff read about providers: the searchable, paged list and one provider's file.

The list is filtered, counted and paged in SQL; its per-row figures (jobs this month, credential
warnings) are correlated subqueries on indexed columns, so a page costs the same at any size.
"Online" means on duty with a location fix fresher than the tenant's `location_fresh_seconds`,
the same freshness dispatch trusts.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.core.timezones import local_month_bounds
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.dispatch.rules import GATING_CREDENTIALS
from roadside_console.domain.identity.models import OneTimeToken, TokenPurpose
from roadside_console.domain.payouts.models import ProviderPayout
from roadside_console.domain.providers import credentials as creds
from roadside_console.domain.providers.management import may_change_commission
from roadside_console.domain.providers.models import Provider, ProviderCredential, ProviderStatus
from roadside_console.domain.reviews.models import Review
from roadside_console.domain.tenants.service import get_tenant, get_tenant_settings

PAGE_SIZE_MAX = 100
RECENT_REVIEWS = 10
RECENT_PAYOUTS = 20
AVAILABLE, ONLINE = "available", "online"
P = Provider
C = ProviderCredential
B = Booking


@dataclass(frozen=True, slots=True)
class ProviderListRow:
    """One line of the providers table."""

    provider_id: uuid.UUID
    name: str
    email: str
    phone: str
    status: str
    available: bool
    online: bool
    rating: float | None
    review_count: int
    jobs_this_month: int
    credentials_expired: bool
    credentials_expiring: bool


@dataclass(frozen=True, slots=True)
class ProviderPage:
    """A page of providers and how many match."""

    rows: list[ProviderListRow]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class CredentialRow:
    """A credential with what its expiry means today."""

    credential_id: uuid.UUID
    kind: str
    number: str
    issuer: str
    expires_on: date
    verified_at: datetime | None
    state: str
    gating: bool
    days_left: int


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A customer's rating of one of the provider's jobs."""

    rating: int
    comment: str
    booking_reference: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PayoutRow:
    """A payout line: an earning, a clawback or a bonus."""

    kind: str
    status: str
    amount_cents: int
    booking_reference: str
    created_at: datetime
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProviderDetail:
    """Everything the provider page shows, and what the acting staff member may change."""

    provider_id: uuid.UUID
    name: str
    email: str
    phone: str
    status: str
    available: bool
    online: bool
    location_updated_at: datetime | None
    home_address: str
    specialties: list[str]
    commission_type: str
    commission_rate_bp: int
    flat_fee_cents: int | None
    rating: float | None
    review_count: int
    jobs_this_month: int
    joined: bool
    invite_expires_at: datetime | None
    created_at: datetime
    credentials: list[CredentialRow]
    dispatch_blockers: list[str]
    reviews: list[ReviewRow]
    payouts: list[PayoutRow]
    can_change_commission: bool
    timezone: str


def _jobs_since(start: datetime, end: datetime) -> sa.ScalarSelect:
    """Jobs the provider completed in [start, end) (the bookings' provider/status index)."""
    return (
        sa.select(func.count())
        .select_from(B)
        .where(
            B.provider_id == P.id,
            B.status == BookingStatus.COMPLETED,
            B.completed_at >= start,  # type: ignore[operator]
            B.completed_at < end,  # type: ignore[operator]
        )
        .correlate(P)
        .scalar_subquery()
    )


def _gating_latest_before(day: date) -> sa.Exists:
    """Some gating kind whose latest copy expires before `day` (a renewal supersedes)."""
    renewed = sa.orm.aliased(ProviderCredential)
    return sa.exists(
        sa.select(sa.literal(1))
        .select_from(C)
        .where(
            C.provider_id == P.id,
            C.kind.in_(sorted(GATING_CREDENTIALS)),  # type: ignore[attr-defined]
            C.expires_on < day,  # type: ignore[operator]
            ~sa.exists(
                sa.select(sa.literal(1))
                .select_from(renewed)
                .where(
                    renewed.provider_id == C.provider_id,
                    renewed.kind == C.kind,
                    renewed.expires_on >= day,
                )
            ),
        )
        .correlate(P)
    )


def _search_condition(term: str) -> sa.ColumnElement[bool] | None:
    term = " ".join(term.split())
    if not term:
        return None
    like = f"%{term.lower()}%"
    options = [func.lower(P.name).like(like), func.lower(P.email).like(like)]
    digits = re.sub(r"\D", "", term)
    if len(digits) >= 3:
        options.append(P.phone.like(f"%{digits}%"))  # type: ignore[attr-defined]
    return sa.or_(*options)


def _online(fresh_since: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(P.is_available.is_(True), P.location_updated_at >= fresh_since)  # type: ignore[attr-defined, operator]


def list_providers(
    uow: UnitOfWork,
    *,
    actor: Actor,
    search: str = "",
    status: str = "",
    duty: str = "",
    page: int = 1,
    page_size: int = 25,
    now: datetime | None = None,
) -> ProviderPage:
    """Return one page of the tenant's providers by name, searched by name, email or phone.

    `duty` narrows to providers "available" (on duty) or "online" (on duty with a fresh fix).
    """
    require(actor, Permission.MANAGE_PROVIDERS)
    now = now or utc_now()
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, page)
    session = uow.session
    conditions: list[sa.ColumnElement[bool]] = [P.tenant_id == actor.tenant_id]  # type: ignore[list-item]
    if status:
        try:
            conditions.append(P.status == ProviderStatus(status))  # type: ignore[arg-type]
        except ValueError:
            raise ValidationFailed("invalid_status", "Unknown status.", field="status") from None
    tz = get_tenant(session, actor.tenant_id).timezone
    fresh = get_tenant_settings(session, actor.tenant_id).location_fresh_seconds
    if duty == AVAILABLE:
        conditions.append(P.is_available.is_(True))  # type: ignore[attr-defined]
    elif duty == ONLINE:
        conditions.append(_online(now - timedelta(seconds=fresh)))
    elif duty:
        raise ValidationFailed("invalid_duty", "Choose available or online.", field="duty")
    searched = _search_condition(search)
    if searched is not None:
        conditions.append(searched)
    month_start, month_end = local_month_bounds(now, tz)
    today = creds.business_today(session, actor.tenant_id, now)
    total = session.execute(sa.select(func.count()).select_from(P).where(*conditions)).scalar_one()
    rows = session.execute(
        sa.select(
            P,
            _online(now - timedelta(seconds=fresh)).label("online"),
            _jobs_since(month_start, month_end).label("jobs"),
            _gating_latest_before(today).label("expired"),
            _gating_latest_before(today + creds.EXPIRY_WARNING + timedelta(days=1)).label(
                "expiring"
            ),
        )
        .where(*conditions)
        .order_by(func.lower(P.name), P.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return ProviderPage(
        rows=[
            ProviderListRow(
                provider_id=provider.id,
                name=provider.name,
                email=provider.email,
                phone=provider.phone,
                status=provider.status.value,
                available=provider.is_available,
                online=bool(online),
                rating=provider.average_rating,
                review_count=provider.review_count,
                jobs_this_month=int(jobs or 0),
                credentials_expired=bool(expired),
                credentials_expiring=bool(expiring) and not expired,
            )
            for provider, online, jobs, expired, expiring in rows
        ],
        total=int(total),
        page=page,
        page_size=page_size,
    )


def provider_detail(
    uow: UnitOfWork, *, actor: Actor, provider_id: uuid.UUID, now: datetime | None = None
) -> ProviderDetail:
    """Return one provider's profile, credentials with their warnings, reviews and payouts."""
    require(actor, Permission.MANAGE_PROVIDERS)
    now = now or utc_now()
    session = uow.session
    tz = get_tenant(session, actor.tenant_id).timezone
    fresh = get_tenant_settings(session, actor.tenant_id).location_fresh_seconds
    month_start, month_end = local_month_bounds(now, tz)
    found = session.execute(
        sa.select(
            P,
            _online(now - timedelta(seconds=fresh)).label("online"),
            _jobs_since(month_start, month_end).label("jobs"),
        ).where(P.id == provider_id, P.tenant_id == actor.tenant_id)
    ).first()
    if found is None:
        raise NotFound("provider_not_found", "No such provider.")
    provider, online, jobs = found
    today = creds.business_today(session, actor.tenant_id, now)
    credential_rows = session.execute(
        sa.select(C)
        .where(C.provider_id == provider.id, C.tenant_id == actor.tenant_id)
        .order_by(C.kind, C.expires_on.desc())  # type: ignore[attr-defined]
    ).scalars()
    credentials = list(credential_rows)
    latest = creds.latest_by_kind((c.kind.value, c.expires_on) for c in credentials)
    return ProviderDetail(
        provider_id=provider.id,
        name=provider.name,
        email=provider.email,
        phone=provider.phone,
        status=provider.status.value,
        available=provider.is_available,
        online=bool(online),
        location_updated_at=as_utc(provider.location_updated_at),
        home_address=provider.home_address or "",
        specialties=list(provider.specialties or []),
        commission_type=provider.commission_type.value,
        commission_rate_bp=provider.commission_rate_bp,
        flat_fee_cents=provider.flat_fee_cents,
        rating=provider.average_rating,
        review_count=provider.review_count,
        jobs_this_month=int(jobs or 0),
        joined=provider.user_id is not None,
        invite_expires_at=_invite_expiry(uow, actor, provider)
        if provider.user_id is None
        else None,
        created_at=as_utc(provider.created_at) or now,
        credentials=[
            CredentialRow(
                credential_id=c.id,
                kind=c.kind.value,
                number=c.number,
                issuer=c.issuer,
                expires_on=c.expires_on,
                verified_at=as_utc(c.verified_at),
                state=(
                    creds.REPLACED
                    if c.expires_on < latest[c.kind.value]
                    else creds.credential_state(c.expires_on, today)
                ),
                gating=c.kind.value in GATING_CREDENTIALS,
                days_left=(c.expires_on - today).days,
            )
            for c in credentials
        ],
        dispatch_blockers=creds.dispatch_blockers(latest, today),
        reviews=_reviews(uow, actor, provider.id),
        payouts=_payouts(uow, actor, provider.id),
        can_change_commission=may_change_commission(actor),
        timezone=tz,
    )


def _invite_expiry(uow: UnitOfWork, actor: Actor, provider: Provider) -> datetime | None:
    """When the provider's newest unused invite link stops working (None if none was sent)."""
    expires = uow.session.execute(
        sa.select(func.max(OneTimeToken.expires_at)).where(
            OneTimeToken.tenant_id == actor.tenant_id,
            OneTimeToken.provider_id == provider.id,
            OneTimeToken.purpose == TokenPurpose.PROVIDER_INVITE,
            OneTimeToken.used_at.is_(None),  # type: ignore[union-attr]
        )
    ).scalar_one_or_none()
    return as_utc(expires)


def _reviews(uow: UnitOfWork, actor: Actor, provider_id: uuid.UUID) -> list[ReviewRow]:
    rows = uow.session.execute(
        sa.select(Review, B.reference)
        .join(B, B.id == Review.booking_id)
        .where(Review.tenant_id == actor.tenant_id, Review.provider_id == provider_id)
        .order_by(Review.created_at.desc(), Review.id)  # type: ignore[attr-defined]
        .limit(RECENT_REVIEWS)
    ).all()
    return [
        ReviewRow(
            rating=review.rating,
            comment=review.comment or "",
            booking_reference=reference,
            created_at=as_utc(review.created_at) or review.created_at,
        )
        for review, reference in rows
    ]


def _payouts(uow: UnitOfWork, actor: Actor, provider_id: uuid.UUID) -> list[PayoutRow]:
    rows = uow.session.execute(
        sa.select(ProviderPayout, B.reference)
        .outerjoin(B, B.id == ProviderPayout.booking_id)
        .where(
            ProviderPayout.tenant_id == actor.tenant_id,
            ProviderPayout.provider_id == provider_id,
        )
        .order_by(ProviderPayout.created_at.desc(), ProviderPayout.id)  # type: ignore[attr-defined]
        .limit(RECENT_PAYOUTS)
    ).all()
    return [
        PayoutRow(
            kind=payout.kind.value,
            status=payout.status.value,
            amount_cents=payout.amount_cents,
            booking_reference=reference or "",
            created_at=as_utc(payout.created_at) or payout.created_at,
            paid_at=as_utc(payout.paid_at),
        )
        for payout, reference in rows
    ]
