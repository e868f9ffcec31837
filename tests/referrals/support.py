"""Helpers for referral tests: customers with codes, paid jobs, credit and its ledger."""

from __future__ import annotations

from sqlmodel import Session

from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Role
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger.service import post_credit_issued
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.pricing.service import credit_balance
from roadside_console.domain.referrals import service as referrals
from roadside_console.domain.referrals.models import CreditEntry, CreditReason
from roadside_console.domain.tenants.models import Tenant
from tests.factories import actor_of, make_user
from tests.payments.support import World


def customer_with_code(session: Session, uow_factory, tenant: Tenant) -> tuple[User, str]:
    """Add a customer and issue their referral code."""
    user = make_user(session, tenant, role=Role.CUSTOMER)
    with uow_factory() as uow:
        code = referrals.referral_code_for(uow, actor=actor_of(user))
    return user, code


def referred_pair(session: Session, uow_factory, tenant: Tenant) -> tuple[User, User]:
    """Add a referrer and a new customer who applied the referrer's code."""
    referrer, code = customer_with_code(session, uow_factory, tenant)
    referee = make_user(session, tenant, role=Role.CUSTOMER)
    with uow_factory() as uow:
        referrals.apply_referral_code(uow, actor=actor_of(referee), code=code)
    return referrer, referee


def paid_job(
    session: Session,
    uow_factory,
    world: World,
    customer: User,
    *,
    pay_first: bool = True,
    price: int = 10000,
) -> tuple[Booking, object]:
    """Complete and pay an in-progress job of `world.provider` for `customer`, in either order."""
    booking = world.booking(session, price=price, customer_id=customer.id)
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=PaymentMethod.CASH
        )

    def pay() -> None:
        with uow_factory() as uow:
            payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)

    def complete() -> None:
        with uow_factory() as uow:
            bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)

    for step in (pay, complete) if pay_first else (complete, pay):
        step()
    return booking, view.payment_id


def grant_credit(session: Session, tenant_id, user_id, amount: int) -> None:
    """Give a customer credit the way a reward does (entry plus ledger posting)."""
    session.add(
        CreditEntry(
            tenant_id=tenant_id,
            user_id=user_id,
            amount_cents=amount,
            reason=CreditReason.ADJUSTMENT,
        )
    )
    post_credit_issued(session, tenant_id=tenant_id, amount_cents=amount)
    session.commit()


def balance(session: Session, user: User) -> int:
    """Return a customer's credit balance."""
    return credit_balance(session, tenant_id=user.tenant_id, user_id=user.id)
