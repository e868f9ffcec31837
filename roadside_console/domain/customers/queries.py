"""Finding a caller: the customer account behind a phone number, for phone bookings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.phones import normalize_phone
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User


@dataclass(frozen=True, slots=True)
class CallerMatch:
    """The customer a phone number belongs to, with what helps the dispatcher fill the form."""

    customer_id: uuid.UUID
    name: str
    email: str
    phone: str
    bookings: int
    last_vehicle: dict[str, Any]


def find_customer_by_phone(uow: UnitOfWork, *, actor: Actor, phone: str) -> CallerMatch | None:
    """Return the tenant's active customer with this phone number, or None (also for junk input).

    Numbers are compared in E.164, so "(404) 555-0101" finds "+14045550101".
    """
    require(actor, Permission.MANAGE_BOOKINGS)
    try:
        number = normalize_phone(phone)
    except ValidationFailed:
        return None
    session = uow.session
    customer = session.exec(
        select(User)
        .where(
            User.tenant_id == actor.tenant_id,
            User.role == Role.CUSTOMER,
            User.phone == number,
            col(User.is_active).is_(True),
        )
        .order_by(col(User.created_at), col(User.id))
    ).first()
    if customer is None:
        return None
    count = session.exec(
        select(func.count())
        .select_from(Booking)
        .where(Booking.tenant_id == actor.tenant_id, Booking.customer_id == customer.id)
    ).one()
    last_vehicle = session.exec(
        select(Booking.vehicle)
        .where(Booking.tenant_id == actor.tenant_id, Booking.customer_id == customer.id)
        .order_by(col(Booking.created_at).desc())
        .limit(1)
    ).first()
    return CallerMatch(
        customer_id=customer.id,
        name=customer.name,
        email=customer.email,
        phone=number,
        bookings=int(count),
        last_vehicle=dict(last_vehicle or {}),
    )
