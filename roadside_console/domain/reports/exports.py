"""CSV exports of bookings and payments for a period, streamed from SQL row by row.

The query is read in batches (`yield_per`, a server-side cursor on PostgreSQL) and each row is
written to the caller's text stream as it arrives, so an export never holds the whole table.
Times are on the tenant's wall clock, money is dollars with two decimals from integer cents.
Text people typed is defused against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.payments.models import Payment
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.reports.periods import period_bounds
from roadside_console.domain.tenants.service import get_tenant

BATCH_ROWS = 1000
BOOKING_COLUMNS = [
    "reference",
    "created",
    "status",
    "mode",
    "service",
    "contact_name",
    "contact_phone",
    "address",
    "scheduled_for",
    "towing_miles",
    "estimated_price",
    "final_price",
    "provider",
]
PAYMENT_COLUMNS = [
    "booking_reference",
    "service",
    "method",
    "status",
    "amount",
    "refunded",
    "net",
    "reference",
    "recorded",
    "confirmed",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"\+?[0-9 ().-]*")


def export_bookings_csv(
    uow: UnitOfWork, *, actor: Actor, start: date, end: date, out: TextIO
) -> int:
    """Write the bookings created from `start` to `end` (local days) as CSV; return the count."""
    require(actor, Permission.VIEW_REPORTS)
    session = uow.session
    tz = get_tenant(session, actor.tenant_id).timezone
    period_from, period_to = period_bounds(start, end, tz)
    query = (
        sa.select(
            Booking.reference,
            Booking.created_at,
            Booking.status,
            Booking.mode,
            Service.name,
            Booking.contact_name,
            Booking.contact_phone,
            Booking.address,
            Booking.scheduled_at,
            Booking.towing_miles,
            Booking.estimated_price_cents,
            Booking.final_price_cents,
            Provider.name,
        )
        .join(Service, Service.id == Booking.service_id)
        .outerjoin(Provider, Provider.id == Booking.provider_id)
        .where(
            Booking.tenant_id == actor.tenant_id,
            col(Booking.created_at) >= period_from,
            col(Booking.created_at) < period_to,
        )
        .order_by(col(Booking.created_at), col(Booking.id))
        .execution_options(yield_per=BATCH_ROWS)
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BOOKING_COLUMNS)
    count = 0
    for row in session.execute(query):
        (ref, created, status, mode, service, name, phone, address) = row[:8]
        scheduled, miles, estimate, final, provider = row[8:]
        writer.writerow(
            [
                safe_text(ref),
                _local(created, tz),
                str(status),
                str(mode),
                safe_text(service),
                safe_text(name),
                phone if _PHONE.fullmatch(phone) else safe_text(phone),
                safe_text(address),
                _local(scheduled, tz),
                "" if miles is None else miles,
                dollars(estimate),
                "" if final is None else dollars(final),
                safe_text(provider or ""),
            ]
        )
        count += 1
    return count


def export_payments_csv(
    uow: UnitOfWork, *, actor: Actor, start: date, end: date, out: TextIO
) -> int:
    """Write the period's payments as CSV; return the count.

    A payment belongs to the day it was confirmed, or the day it was recorded if it never was,
    so the net of the revenue statuses adds up to the revenue report for the same days.
    """
    require(actor, Permission.VIEW_REPORTS)
    session = uow.session
    tz = get_tenant(session, actor.tenant_id).timezone
    period_from, period_to = period_bounds(start, end, tz)
    counted_at = sa.func.coalesce(Payment.confirmed_at, Payment.created_at)
    query = (
        sa.select(
            Booking.reference,
            Service.name,
            Payment.method,
            Payment.status,
            Payment.amount_cents,
            Payment.refunded_cents,
            Payment.reference,
            Payment.created_at,
            Payment.confirmed_at,
        )
        .join(Booking, Booking.id == Payment.booking_id)
        .join(Service, Service.id == Booking.service_id)
        .where(
            Payment.tenant_id == actor.tenant_id,
            Booking.tenant_id == actor.tenant_id,
            counted_at >= period_from,
            counted_at < period_to,
        )
        .order_by(counted_at, col(Payment.id))
        .execution_options(yield_per=BATCH_ROWS)
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PAYMENT_COLUMNS)
    count = 0
    for (
        booking_ref,
        service,
        method,
        status,
        amount,
        refunded,
        ref,
        created,
        confirmed,
    ) in session.execute(query):
        writer.writerow(
            [
                safe_text(booking_ref),
                safe_text(service),
                str(method),
                str(status),
                dollars(amount),
                dollars(refunded),
                dollars(amount - refunded),
                safe_text(ref or ""),
                _local(created, tz),
                _local(confirmed, tz),
            ]
        )
        count += 1
    return count


def dollars(cents: int) -> str:
    """Render cents as dollars for a spreadsheet: 12345 → "123.45", −5 → "-0.05"."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}.{rest:02d}"


def safe_text(value: str) -> str:
    """Keep a typed value from running as a spreadsheet formula (a leading ' shows it as text)."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _local(at: datetime | None, tz: str) -> str:
    if at is None:
        return ""
    if at.tzinfo is None:  # raw columns come back naive from SQLite; they hold UTC
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
