"""Read models for the payments desk: manual payments waiting for finance, a page at a time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.domain.tenants.service import get_tenant

PAGE_SIZE_MAX = 100
MANUAL_METHODS = (PaymentMethod.CASH, PaymentMethod.CASHAPP, PaymentMethod.ZELLE)


@dataclass(frozen=True, slots=True)
class AwaitingPaymentRow:
    """A manual payment someone recorded that finance has not confirmed yet."""

    payment_id: uuid.UUID
    booking_id: uuid.UUID
    booking_reference: str
    booking_status: str
    service_name: str
    contact_name: str
    method: str
    amount_cents: int
    reference: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class AwaitingPaymentsPage:
    """A page of waiting payments, how many wait in all, and their sum."""

    rows: list[AwaitingPaymentRow]
    total: int
    total_cents: int
    page: int
    page_size: int
    timezone: str


def payments_awaiting_confirmation(
    uow: UnitOfWork, *, actor: Actor, page: int = 1, page_size: int = 25
) -> AwaitingPaymentsPage:
    """Return pending cash, CashApp and Zelle payments of the tenant, oldest first."""
    require(actor, Permission.MANAGE_PAYMENTS)
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, page)
    conditions = [
        Payment.tenant_id == actor.tenant_id,
        Payment.status == PaymentStatus.PENDING,
        col(Payment.method).in_(MANUAL_METHODS),
    ]
    session = uow.session
    count, cents = session.exec(
        select(func.count(), func.coalesce(func.sum(Payment.amount_cents), 0)).where(*conditions)
    ).one()
    rows = session.exec(
        select(Payment, Booking.reference, Booking.status, Booking.contact_name, Service.name)
        .join(Booking, Booking.id == Payment.booking_id)
        .join(Service, Service.id == Booking.service_id)
        .where(*conditions)
        .order_by(col(Payment.created_at), col(Payment.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return AwaitingPaymentsPage(
        rows=[
            AwaitingPaymentRow(
                payment_id=payment.id,
                booking_id=payment.booking_id,
                booking_reference=reference,
                booking_status=status.value,
                service_name=service_name,
                contact_name=contact_name,
                method=payment.method.value,
                amount_cents=payment.amount_cents,
                reference=payment.reference or "",
                recorded_at=as_utc(payment.created_at),
            )
            for payment, reference, status, contact_name, service_name in rows
        ],
        total=int(count),
        total_cents=int(cents),
        page=page,
        page_size=page_size,
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )
