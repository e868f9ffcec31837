"""Read models for booking lists (what a page shows, never whole ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from roadside_console.domain.bookings.models import ACTIVE_STATUSES, Booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.providers.models import Provider

MAX_ROWS = 50


@dataclass(frozen=True, slots=True)
class JobRow:
    """One booking as a provider or a customer sees it in a list."""

    booking_id: str
    reference: str
    service_name: str
    status: str
    address: str
    contact_name: str
    contact_phone: str
    vehicle: str
    price_cents: int
    created_at: datetime
    scheduled_at: datetime | None


def _vehicle_label(vehicle: dict[str, object]) -> str:
    parts = [str(vehicle[k]) for k in ("year", "make", "model") if vehicle.get(k)]
    label = " ".join(parts)
    return f"{label} ({vehicle['color']})" if vehicle.get("color") else label


def _row(booking: Booking, service_name: str) -> JobRow:
    return JobRow(
        booking_id=str(booking.id),
        reference=booking.reference,
        service_name=service_name,
        status=booking.status.value,
        address=booking.address,
        contact_name=booking.contact_name,
        contact_phone=booking.contact_phone,
        vehicle=_vehicle_label(booking.vehicle),
        price_cents=booking.price_override_cents
        if booking.price_override_cents is not None
        else booking.estimated_price_cents,
        created_at=booking.created_at,
        scheduled_at=booking.scheduled_at,
    )


def provider_active_jobs(uow: UnitOfWork, *, actor: Actor) -> list[JobRow]:
    """Return the open jobs assigned to the signed-in provider, oldest first."""
    require(actor, Permission.PROVIDER_PORTAL)
    rows = uow.session.exec(
        select(Booking, Service.name)
        .join(Service, Service.id == Booking.service_id)
        .join(Provider, Provider.id == Booking.provider_id)
        .where(
            Booking.tenant_id == actor.tenant_id,
            Provider.user_id == actor.user_id,
            col(Booking.status).in_(ACTIVE_STATUSES),
        )
        .order_by(col(Booking.created_at))
        .limit(MAX_ROWS)
    ).all()
    return [_row(booking, name) for booking, name in rows]


def customer_recent_bookings(uow: UnitOfWork, *, actor: Actor) -> list[JobRow]:
    """Return the signed-in customer's bookings, newest first."""
    require(actor, Permission.BOOK_SERVICES)
    rows = uow.session.exec(
        select(Booking, Service.name)
        .join(Service, Service.id == Booking.service_id)
        .where(Booking.tenant_id == actor.tenant_id, Booking.customer_id == actor.user_id)
        .order_by(col(Booking.created_at).desc())
        .limit(MAX_ROWS)
    ).all()
    return [_row(booking, name) for booking, name in rows]
