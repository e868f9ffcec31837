"""A customer's referral page in one read: their code, their credit, whose code they used."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.pricing.service import credit_balance
from roadside_console.domain.referrals.models import Referral
from roadside_console.domain.referrals.service import issue_referral_code
from roadside_console.domain.tenants.service import get_tenant_settings


@dataclass(frozen=True, slots=True)
class ReferralOverview:
    """What the referrals page shows; `can_apply` says whether a friend's code is still open."""

    code: str
    credit_cents: int
    reward_cents: int
    referred_by: str
    can_apply: bool


def referral_overview(uow: UnitOfWork, *, actor: Actor) -> ReferralOverview:
    """Return the customer's code (issued on first ask), credit and referral standing.

    A code can be applied once, and only before the customer's first completed job; the page
    hides the form otherwise (`apply_referral_code` still refuses on its own).
    """
    require(actor, Permission.BOOK_SERVICES)
    session = uow.session
    user = session.exec(
        select(User).where(
            User.id == actor.user_id, User.tenant_id == actor.tenant_id, User.role == Role.CUSTOMER
        )
    ).first()
    if user is None:
        raise Forbidden("forbidden", "Only customers have referral codes.")
    code = issue_referral_code(session, user=user)
    referrer = session.get(User, user.referred_by_id) if user.referred_by_id else None
    applied = (
        referrer is not None
        or session.exec(
            select(Referral.id).where(
                Referral.tenant_id == actor.tenant_id, Referral.referee_id == user.id
            )
        ).first()
        is not None
    )
    completed = session.exec(
        select(Booking.id).where(
            Booking.tenant_id == actor.tenant_id,
            Booking.customer_id == user.id,
            Booking.status == BookingStatus.COMPLETED,
        )
    ).first()
    overview = ReferralOverview(
        code=code,
        credit_cents=credit_balance(session, tenant_id=actor.tenant_id, user_id=user.id),
        reward_cents=get_tenant_settings(session, actor.tenant_id).referral_reward_cents,
        referred_by=(referrer.name.split() or [""])[0] if referrer else "",
        can_apply=not applied and completed is None,
    )
    uow.commit()  # keeps the code issued on the first visit
    return overview
