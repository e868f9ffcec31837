"""Bookings and payments at chosen instants, for report tests with exact cents."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.domain.tenants.models import Tenant
from tests.factories import make_booking


def booking_at(
    session: Session, tenant: Tenant, service: Service, created_at: datetime, **overrides: object
) -> Booking:
    """Add a booking created at `created_at`."""
    return make_booking(session, tenant, service=service, created_at=created_at, **overrides)


def paid(
    session: Session,
    booking: Booking,
    amount_cents: int,
    confirmed_at: datetime | None,
    *,
    method: PaymentMethod = PaymentMethod.CASH,
    status: PaymentStatus = PaymentStatus.CONFIRMED,
    refunded_cents: int = 0,
    reference: str | None = None,
) -> Payment:
    """Add a payment on `booking` confirmed at `confirmed_at` (None: never confirmed)."""
    payment = Payment(
        tenant_id=booking.tenant_id,
        booking_id=booking.id,
        method=method,
        status=status,
        amount_cents=amount_cents,
        refunded_cents=refunded_cents,
        confirmed_at=confirmed_at,
        reference=reference,
        created_at=confirmed_at or booking.created_at,
    )
    session.add(payment)
    session.commit()
    return payment
