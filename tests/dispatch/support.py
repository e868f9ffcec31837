"""Builders shared by the dispatch tests: a tenant with a dispatcher, providers at known places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Role
from roadside_console.domain.dispatch.models import DispatchLog, DispatchOffer
from roadside_console.domain.identity.models import User
from roadside_console.domain.providers.models import (
    CredentialKind,
    Provider,
    ProviderCredential,
)
from roadside_console.domain.tenants.models import Tenant
from roadside_console.domain.tenants.service import get_tenant_settings
from tests.factories import make_booking, make_provider, make_service, make_tenant, make_user

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
# The booking sits at Centennial Olympic Park (33.7628, -84.3927); one degree of latitude
# is 69.09 miles, so a provider `n` degrees north is about 69 × n miles away.
PARK = (33.7628, -84.3927)


@dataclass
class World:
    """One tenant ready to dispatch: a dispatcher, an admin, a towing service."""

    tenant: Tenant
    dispatcher: User
    admin: User
    service: Service


def make_world(session: Session) -> World:
    """Add a tenant with staff and a roadside towing service."""
    tenant = make_tenant(session)
    get_tenant_settings(session, tenant.id)  # created up front, not lazily by racing threads
    session.commit()
    return World(
        tenant=tenant,
        dispatcher=make_user(session, tenant, role=Role.DISPATCHER),
        admin=make_user(session, tenant, role=Role.ADMIN),
        service=make_service(session, tenant, name="Towing"),
    )


def provider_at(
    session: Session,
    tenant: Tenant,
    name: str,
    *,
    miles_north: float,
    **overrides: object,
) -> Provider:
    """Add an eligible roadside provider whose home base is `miles_north` of the park."""
    user = make_user(session, tenant, role=Role.PROVIDER)
    return make_provider(
        session,
        tenant,
        user=user,
        name=name,
        home_lat=PARK[0] + miles_north / 69.0940,
        home_lng=PARK[1],
        **overrides,
    )


def confirmed_booking(session: Session, world: World, **overrides: object) -> Booking:
    """Add a confirmed booking at the park for the world's service."""
    values: dict[str, object] = {"status": BookingStatus.CONFIRMED, "confirmed_at": NOW}
    values.update(overrides)
    return make_booking(session, world.tenant, service=world.service, **values)


def credential(
    session: Session, provider: Provider, kind: CredentialKind, expires_on: date
) -> ProviderCredential:
    """Give a provider a licence or policy expiring on `expires_on`."""
    row = ProviderCredential(
        tenant_id=provider.tenant_id, provider_id=provider.id, kind=kind, expires_on=expires_on
    )
    session.add(row)
    session.commit()
    return row


def reload(session: Session, booking: Booking) -> Booking:
    """Read the booking again from the database."""
    session.expire_all()
    return session.exec(select(Booking).where(Booking.id == booking.id)).one()


def offers_of(session: Session, booking: Booking) -> list[DispatchOffer]:
    """The booking's offers, oldest first."""
    session.expire_all()
    return list(
        session.exec(
            select(DispatchOffer)
            .where(DispatchOffer.booking_id == booking.id)
            .order_by(DispatchOffer.attempt, DispatchOffer.created_at)
        ).all()
    )


def logs_of(session: Session, booking: Booking) -> list[DispatchLog]:
    """The booking's dispatch logs, oldest first."""
    return list(
        session.exec(
            select(DispatchLog)
            .where(DispatchLog.booking_id == booking.id)
            .order_by(DispatchLog.created_at, DispatchLog.attempt)
        ).all()
    )


def later(seconds: float) -> datetime:
    """`NOW` plus some seconds."""
    return NOW + timedelta(seconds=seconds)
