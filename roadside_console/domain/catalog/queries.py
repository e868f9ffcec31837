"""What the phone-booking form offers: the tenant's active services and its time zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select

from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.tenants.service import get_tenant


@dataclass(frozen=True, slots=True)
class ServiceOption:
    """A bookable service and what the form must ask for it."""

    service_id: uuid.UUID
    name: str
    base_price_cents: int
    per_mile_cents: int
    included_miles: int
    scheduling_mode: str


@dataclass(frozen=True, slots=True)
class BookingFormOptions:
    """The services a dispatcher can book, and the tenant's business time zone."""

    services: list[ServiceOption]
    timezone: str


def booking_form_options(uow: UnitOfWork, *, actor: Actor) -> BookingFormOptions:
    """Return the tenant's active services in catalog order, for staff who create bookings."""
    require(actor, Permission.MANAGE_BOOKINGS)
    session = uow.session
    rows = session.exec(
        select(Service)
        .where(Service.tenant_id == actor.tenant_id, col(Service.active).is_(True))
        .order_by(col(Service.sort_order), col(Service.name))
    ).all()
    return BookingFormOptions(
        services=[
            ServiceOption(
                service_id=s.id,
                name=s.name,
                base_price_cents=s.base_price_cents,
                per_mile_cents=s.per_mile_cents,
                included_miles=s.included_miles,
                scheduling_mode=s.scheduling_mode.value,
            )
            for s in rows
        ],
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )
