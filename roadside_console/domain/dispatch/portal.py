"""What the provider portal shows: open offers with their deadline, and the jobs on the go."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.providers.models import Provider

MAX_ROWS = 20


@dataclass(frozen=True, slots=True)
class PortalJob:
    """A booking as the provider sees it on a card: where, who, what, and what it pays."""

    booking_id: uuid.UUID
    reference: str
    service_name: str
    status: str
    address: str
    lat: float
    lng: float
    location_notes: str
    contact_name: str
    contact_phone: str
    vehicle: str
    towing_miles: int | None
    price_cents: int


@dataclass(frozen=True, slots=True)
class PortalOffer:
    """An open offer: the job and the instant it lapses."""

    offer_id: uuid.UUID
    expires_at: datetime
    job: PortalJob


@dataclass(frozen=True, slots=True)
class ProviderBoard:
    """Everything on the provider's jobs screen, read in one go."""

    offers: list[PortalOffer]
    jobs: list[PortalJob]


def _vehicle_label(vehicle: dict[str, object]) -> str:
    parts = [str(vehicle[k]) for k in ("year", "make", "model") if vehicle.get(k)]
    label = " ".join(parts)
    return f"{label} ({vehicle['color']})" if vehicle.get("color") else label


def _job(booking: Booking, service_name: str) -> PortalJob:
    return PortalJob(
        booking_id=booking.id,
        reference=booking.reference,
        service_name=service_name,
        status=booking.status.value,
        address=booking.address,
        lat=booking.lat,
        lng=booking.lng,
        location_notes=booking.location_notes or "",
        contact_name=booking.contact_name,
        contact_phone=booking.contact_phone,
        vehicle=_vehicle_label(booking.vehicle),
        towing_miles=booking.towing_miles,
        price_cents=charged_price_cents(booking),
    )


def provider_board(uow: UnitOfWork, *, actor: Actor, now: datetime | None = None) -> ProviderBoard:
    """Return the signed-in provider's unexpired pending offers and their jobs in progress."""
    require(actor, Permission.PROVIDER_PORTAL)
    now = now or utc_now()
    session = uow.session
    mine = sa.and_(
        Provider.tenant_id == actor.tenant_id,
        Provider.user_id == actor.user_id,
    )
    offers = session.exec(
        select(DispatchOffer.id, DispatchOffer.expires_at, Booking, Service.name)
        .join(Provider, Provider.id == DispatchOffer.provider_id)
        .join(Booking, Booking.id == DispatchOffer.booking_id)
        .join(Service, Service.id == Booking.service_id)
        .where(
            mine,
            DispatchOffer.tenant_id == actor.tenant_id,
            DispatchOffer.status == OfferStatus.PENDING,
            col(DispatchOffer.expires_at) > now,
            Booking.status == BookingStatus.DISPATCHED,
            Booking.provider_id == Provider.id,
        )
        .order_by(col(DispatchOffer.expires_at))
        .limit(MAX_ROWS)
    ).all()
    jobs = session.exec(
        select(Booking, Service.name)
        .join(Provider, Provider.id == Booking.provider_id)
        .join(Service, Service.id == Booking.service_id)
        .where(
            mine, Booking.tenant_id == actor.tenant_id, Booking.status == BookingStatus.IN_PROGRESS
        )
        .order_by(col(Booking.started_at), col(Booking.created_at))
        .limit(MAX_ROWS)
    ).all()
    return ProviderBoard(
        offers=[
            PortalOffer(offer_id=offer_id, expires_at=as_utc(expires_at), job=_job(booking, name))
            for offer_id, expires_at, booking, name in offers
        ],
        jobs=[_job(booking, name) for booking, name in jobs],
    )
