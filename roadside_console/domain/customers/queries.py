"""Finding customers: the account behind a caller's number, and the staff customers desk."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import col, select

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.bookings.queries import charged_price_cents
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.core.phones import normalize_phone
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.customers.models import Vehicle
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.identity.models import User
from roadside_console.domain.referrals.service import credit_balance
from roadside_console.domain.tenants.service import get_tenant, get_tenant_settings
from roadside_console.domain.trust import rules as trust_rules


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


# --- the customers desk -------------------------------------------------------------------------

PAGE_SIZE_MAX = 100
CUSTOMER_BOOKINGS_PAGE = 10
MAX_VEHICLES = 10


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One line of the customers table."""

    customer_id: uuid.UUID
    name: str
    email: str
    phone: str
    trust_tier: int
    clean_payments: int
    bookings: int
    last_booking_at: datetime | None
    is_active: bool


@dataclass(frozen=True, slots=True)
class CustomerPage:
    """A page of customers and how many match."""

    rows: list[CustomerRow]
    total: int
    page: int
    page_size: int
    timezone: str


@dataclass(frozen=True, slots=True)
class CustomerBookingRow:
    """One of the customer's bookings."""

    booking_id: uuid.UUID
    reference: str
    created_at: datetime
    service_name: str
    status: str
    price_cents: int
    vehicle: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CustomerDetail:
    """The customer's file: contact, trust, referral and credit, vehicles and bookings."""

    customer_id: uuid.UUID
    name: str
    email: str
    phone: str
    is_active: bool
    created_at: datetime
    trust_tier: int
    clean_payments: int
    promotion_threshold: int
    referral_code: str
    referred_by: str
    credit_cents: int
    vehicles: list[dict[str, Any]]
    bookings: list[CustomerBookingRow]
    bookings_total: int
    bookings_page: int
    can_change_tier: bool
    timezone: str


def _plate_key(column: Any) -> Any:
    """A plate as compared: upper case, without spaces or dashes."""
    return func.upper(func.replace(func.replace(column, " ", ""), "-", ""))


def _customer_search(term: str) -> Any:
    """Match a customer by name, email, phone digits, or a plate on their vehicles or bookings."""
    term = " ".join(term.split())
    if not term:
        return None
    like = f"%{term.lower()}%"
    options: list[Any] = [func.lower(User.name).like(like), func.lower(User.email).like(like)]
    digits = re.sub(r"\D", "", term)
    if len(digits) >= 3:
        options.append(col(User.phone).like(f"%{digits}%"))
    plate = re.sub(r"[\s-]", "", term).upper()
    if len(plate) >= 2 and plate.isalnum():
        plate_like = f"%{plate}%"
        options.append(
            exists().where(
                Vehicle.tenant_id == User.tenant_id,
                Vehicle.owner_id == User.id,
                _plate_key(Vehicle.plate).like(plate_like),
            )
        )
        options.append(
            exists().where(
                Booking.tenant_id == User.tenant_id,
                Booking.customer_id == User.id,
                _plate_key(Booking.vehicle["plate"].as_string()).like(plate_like),  # type: ignore[index]
            )
        )
    return or_(*options)


def search_customers(
    uow: UnitOfWork,
    *,
    actor: Actor,
    search: str = "",
    tier: int | None = None,
    page: int = 1,
    page_size: int = 25,
) -> CustomerPage:
    """Return one page of the tenant's customers by name, searched and counted in SQL."""
    require(actor, Permission.MANAGE_CUSTOMERS)
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, page)
    conditions: list[Any] = [User.tenant_id == actor.tenant_id, User.role == Role.CUSTOMER]
    if tier is not None:
        if tier not in (trust_rules.MIN_TIER, trust_rules.MAX_TIER):
            raise ValidationFailed("invalid_tier", "Choose tier 1 or tier 2.", field="tier")
        conditions.append(User.trust_tier == tier)
    searched = _customer_search(search)
    if searched is not None:
        conditions.append(searched)
    session = uow.session
    total = session.exec(select(func.count()).select_from(User).where(*conditions)).one()
    mine = (Booking.tenant_id == User.tenant_id, Booking.customer_id == User.id)
    bookings = select(func.count()).where(*mine).correlate(User).scalar_subquery()
    last = select(func.max(Booking.created_at)).where(*mine).correlate(User).scalar_subquery()
    rows = session.exec(
        select(User, bookings, last)
        .where(*conditions)
        .order_by(func.lower(User.name), col(User.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return CustomerPage(
        rows=[
            CustomerRow(
                customer_id=user.id,
                name=user.name,
                email=user.email,
                phone=user.phone or "",
                trust_tier=user.trust_tier,
                clean_payments=user.clean_payment_count,
                bookings=int(count or 0),
                last_booking_at=as_utc(last_at),
                is_active=user.is_active,
            )
            for user, count, last_at in rows
        ],
        total=int(total),
        page=page,
        page_size=page_size,
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )


def customer_detail(
    uow: UnitOfWork, *, actor: Actor, customer_id: uuid.UUID, bookings_page: int = 1
) -> CustomerDetail:
    """Return one customer's file with a page of their bookings, newest first."""
    require(actor, Permission.MANAGE_CUSTOMERS)
    session = uow.session
    user = session.exec(
        select(User).where(
            User.id == customer_id, User.tenant_id == actor.tenant_id, User.role == Role.CUSTOMER
        )
    ).first()
    if user is None:
        raise NotFound("customer_not_found", "No such customer.")
    referrer = session.get(User, user.referred_by_id) if user.referred_by_id else None
    vehicles = session.exec(
        select(Vehicle)
        .where(Vehicle.tenant_id == actor.tenant_id, Vehicle.owner_id == user.id)
        .order_by(col(Vehicle.created_at).desc(), col(Vehicle.id))
        .limit(MAX_VEHICLES)
    ).all()
    mine = (Booking.tenant_id == actor.tenant_id, Booking.customer_id == user.id)
    bookings_total = session.exec(select(func.count()).select_from(Booking).where(*mine)).one()
    bookings_page = max(1, bookings_page)
    rows = session.exec(
        select(Booking, Service.name)
        .join(Service, col(Service.id) == Booking.service_id)
        .where(*mine)
        .order_by(col(Booking.created_at).desc(), col(Booking.id))
        .offset((bookings_page - 1) * CUSTOMER_BOOKINGS_PAGE)
        .limit(CUSTOMER_BOOKINGS_PAGE)
    ).all()
    return CustomerDetail(
        customer_id=user.id,
        name=user.name,
        email=user.email,
        phone=user.phone or "",
        is_active=user.is_active,
        created_at=as_utc(user.created_at),
        trust_tier=user.trust_tier,
        clean_payments=user.clean_payment_count,
        promotion_threshold=get_tenant_settings(session, actor.tenant_id).trust_promotion_threshold,
        referral_code=user.referral_code or "",
        referred_by=referrer.name if referrer else "",
        credit_cents=credit_balance(uow, actor=actor, customer_id=user.id),
        vehicles=[
            {"year": v.year, "make": v.make, "model": v.model, "color": v.color, "plate": v.plate}
            for v in vehicles
        ],
        bookings=[
            CustomerBookingRow(
                booking_id=booking.id,
                reference=booking.reference,
                created_at=as_utc(booking.created_at),
                service_name=service_name,
                status=booking.status.value,
                price_cents=charged_price_cents(booking),
                vehicle=dict(booking.vehicle or {}),
            )
            for booking, service_name in rows
        ],
        bookings_total=int(bookings_total),
        bookings_page=bookings_page,
        can_change_tier=actor.can(Permission.MANAGE_TRUST),
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )
