"""Read models for booking lists (what a page shows, never whole ORM rows)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import col, select

from roadside_console.domain.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.tenants.service import get_tenant

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


def charged_price_cents(booking: Booking) -> int:
    """Return what the job costs: the staff override if there is one, else the estimate."""
    if booking.price_override_cents is not None:
        return booking.price_override_cents
    return booking.estimated_price_cents


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
        price_cents=charged_price_cents(booking),
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


PAGE_SIZE_MAX = 100


@dataclass(frozen=True, slots=True)
class BookingFilters:
    """What the bookings table is filtered by; empty values mean "any"."""

    status: str = ""
    service_id: str = ""
    search: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class BookingListRow:
    """One line of the ops bookings table."""

    booking_id: str
    reference: str
    created_at: datetime
    service_name: str
    status: str
    customer: str
    phone: str
    address: str
    provider: str
    price_cents: int


@dataclass(frozen=True, slots=True)
class BookingPage:
    """A page of rows plus the total that matches the filters."""

    rows: list[BookingListRow]
    total: int
    page: int
    page_size: int
    timezone: str


def list_bookings(
    uow: UnitOfWork,
    *,
    actor: Actor,
    filters: BookingFilters,
    page: int = 1,
    page_size: int = 25,
) -> BookingPage:
    """Return one page of the tenant's bookings, newest first, filtered in SQL."""
    require(actor, Permission.VIEW_BOOKINGS)
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, page)
    conditions = [Booking.tenant_id == actor.tenant_id]
    if filters.status:
        try:
            conditions.append(Booking.status == BookingStatus(filters.status))
        except ValueError:
            raise ValidationFailed("invalid_status", "Unknown status.", field="status") from None
    if filters.service_id:
        try:
            conditions.append(Booking.service_id == uuid.UUID(filters.service_id))
        except ValueError:
            raise ValidationFailed(
                "invalid_service", "Unknown service.", field="service_id"
            ) from None
    if filters.created_from is not None:
        conditions.append(col(Booking.created_at) >= filters.created_from)
    if filters.created_to is not None:
        conditions.append(col(Booking.created_at) < filters.created_to)
    term = filters.search.strip()
    if term:
        like = f"%{term.lower()}%"
        conditions.append(
            or_(
                func.lower(Booking.reference).like(like),
                func.lower(Booking.contact_name).like(like),
                func.lower(Booking.contact_phone).like(like),  # lower(): one trigram index each
            )
        )
    session = uow.session
    total = session.exec(select(func.count()).select_from(Booking).where(*conditions)).one()
    rows = session.exec(
        select(Booking, Service.name, Provider.name)
        .join(Service, Service.id == Booking.service_id)
        .join(Provider, Provider.id == Booking.provider_id, isouter=True)
        .where(*conditions)
        .order_by(col(Booking.created_at).desc(), col(Booking.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return BookingPage(
        rows=[
            BookingListRow(
                booking_id=str(booking.id),
                reference=booking.reference,
                created_at=booking.created_at,
                service_name=service_name,
                status=booking.status.value,
                customer=booking.contact_name,
                phone=booking.contact_phone,
                address=booking.address,
                provider=provider_name or "",
                price_cents=charged_price_cents(booking),
            )
            for booking, service_name, provider_name in rows
        ],
        total=int(total),
        page=page,
        page_size=page_size,
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )


def service_options(uow: UnitOfWork, *, actor: Actor) -> list[tuple[str, str]]:
    """Return (id, name) of the tenant's services for filter drop-downs."""
    require(actor, Permission.VIEW_BOOKINGS)
    rows = uow.session.exec(
        select(Service.id, Service.name)
        .where(Service.tenant_id == actor.tenant_id)
        .order_by(col(Service.sort_order), col(Service.name))
    ).all()
    return [(str(service_id), name) for service_id, name in rows]
