"""The provider's own profile as the portal shows it: who they are, their standing, credentials.

Read-only for the provider: staff record credentials and specialties (`providers.management`,
`providers.credentials`); the provider only switches their availability.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.providers import credentials as creds
from roadside_console.domain.providers.models import ProviderCredential
from roadside_console.domain.providers.service import provider_of
from roadside_console.domain.tenants.service import get_tenant

C = ProviderCredential


@dataclass(frozen=True, slots=True)
class OwnCredential:
    """A licence or policy on file, with what its expiry means today."""

    kind: str
    number: str
    issuer: str
    expires_on: date
    state: str
    days_left: int


@dataclass(frozen=True, slots=True)
class OwnProfile:
    """Everything the provider's profile and duty switch show."""

    provider_id: uuid.UUID
    name: str
    email: str
    phone: str
    status: str
    available: bool
    specialties: list[str]
    rating: float | None
    review_count: int
    location_updated_at: datetime | None
    credentials: list[OwnCredential]
    dispatch_blockers: list[str]
    timezone: str


def my_profile(uow: UnitOfWork, *, actor: Actor, now: datetime | None = None) -> OwnProfile:
    """Return the signed-in provider's profile with their credentials, latest first per kind."""
    require(actor, Permission.PROVIDER_PORTAL)
    now = now or utc_now()
    session = uow.session
    provider = provider_of(session, actor)
    today = creds.business_today(session, actor.tenant_id, now)
    credentials = list(
        session.execute(
            sa.select(C)
            .where(C.provider_id == provider.id, C.tenant_id == actor.tenant_id)
            .order_by(C.kind, C.expires_on.desc())  # type: ignore[attr-defined]
        ).scalars()
    )
    latest = creds.latest_by_kind((c.kind.value, c.expires_on) for c in credentials)
    return OwnProfile(
        provider_id=provider.id,
        name=provider.name,
        email=provider.email,
        phone=provider.phone,
        status=provider.status.value,
        available=provider.is_available,
        specialties=list(provider.specialties or []),
        rating=provider.average_rating,
        review_count=provider.review_count,
        location_updated_at=as_utc(provider.location_updated_at),
        credentials=[
            OwnCredential(
                kind=c.kind.value,
                number=c.number,
                issuer=c.issuer,
                expires_on=c.expires_on,
                state=(
                    creds.REPLACED
                    if c.expires_on < latest[c.kind.value]
                    else creds.credential_state(c.expires_on, today)
                ),
                days_left=(c.expires_on - today).days,
            )
            for c in credentials
        ],
        dispatch_blockers=creds.dispatch_blockers(latest, today),
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )
