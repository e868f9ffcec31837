"""Referral use cases: codes, applying a code, rewards, returned credit and provider bonuses.

Customer referrals: a new customer applies someone's code once; when their first booking is
completed and paid, both earn the tenant's reward as credit. Credit spent on a booking comes back
when that booking is cancelled or fully refunded. Provider referrals: a provider invites at most
`MAX_PROVIDER_INVITES` people per `INVITE_WINDOW`; after the referred provider's first completed,
paid job the referrer gets a bonus payout, paid in their next batch.

The `*_if_due` and `return_spent_credit` functions run inside the caller's transaction (the
booking row is locked or guarded by it) and never commit; every credit movement posts to the
ledger in that same transaction, so `reconcile_tenant` stays clean.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Throttled,
    ValidationFailed,
)
from roadside_console.domain.core.secrets import token_digest
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import OneTimeToken, TokenPurpose, User
from roadside_console.domain.identity.service import issue_one_time_token
from roadside_console.domain.ledger import service as ledger
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.pricing.service import credit_balance as _credit_balance
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.referrals.codes import ALPHABET, CODE_LENGTH, new_referral_code
from roadside_console.domain.referrals.credits import move_credit
from roadside_console.domain.referrals.models import (
    CreditEntry,
    CreditReason,
    Referral,
    ReferralKind,
    ReferralStatus,
)
from roadside_console.domain.tenants.service import get_tenant_settings

MAX_CODE_TRIES = 10
MAX_PROVIDER_INVITES = 5
INVITE_WINDOW = timedelta(days=30)
_CODE_PATTERN = re.compile(f"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_code(code: str | None) -> str:
    """Return a code as stored: upper case, without spaces or dashes people type."""
    return re.sub(r"[\s-]", "", code or "").upper()


def is_well_formed(code: str) -> bool:
    """Tell whether `code` (normalized) could be a referral code at all."""
    return bool(_CODE_PATTERN.match(code))


# --- customer codes -----------------------------------------------------------------------


def issue_referral_code(session: Session, *, user: User) -> str:
    """Give `user` a code unique in their tenant if they have none; return their code.

    Safe when two requests race: only the first guarded UPDATE sets it, the other reads it.
    """
    if user.referral_code:
        return user.referral_code
    for _ in range(MAX_CODE_TRIES):
        code = new_referral_code()
        try:
            with session.begin_nested():
                set_count = session.execute(
                    update(User)
                    .where(
                        User.id == user.id,  # type: ignore[arg-type]
                        col(User.referral_code).is_(None),
                    )
                    .values(referral_code=code)
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
        except IntegrityError:
            continue  # the code belongs to someone else in this tenant: draw again
        session.refresh(user, ["referral_code"])
        if set_count == 1 or user.referral_code:
            return user.referral_code or code
    raise RuntimeError("could not find an unused referral code")  # 25^8 codes: never


def referral_code_for(uow: UnitOfWork, *, actor: Actor) -> str:
    """Return the customer's own referral code, issuing one the first time it is asked for."""
    require(actor, Permission.BOOK_SERVICES)
    user = _customer(uow.session, actor)
    code = issue_referral_code(uow.session, user=user)
    uow.commit()
    return code


def validate_code(session: Session, *, tenant_id: uuid.UUID, code: str) -> bool:
    """Tell whether `code` belongs to a customer of this tenant (public: the sign-up form)."""
    normalized = normalize_code(code)
    return is_well_formed(normalized) and _owner_of(session, tenant_id, normalized) is not None


def apply_referral_code(
    uow: UnitOfWork, *, actor: Actor, code: str, now: datetime | None = None
) -> Referral:
    """A new customer says who referred them: once, never their own code."""
    require(actor, Permission.BOOK_SERVICES)
    now = now or utc_now()
    session = uow.session
    referee = _customer(session, actor, lock=True)
    normalized = normalize_code(code)
    if not is_well_formed(normalized):
        raise ValidationFailed(
            "referral_code_invalid",
            f"A referral code has {CODE_LENGTH} letters and digits. Check it and try again.",
            field="code",
        )
    referrer = _owner_of(session, actor.tenant_id, normalized)
    if referrer is None:
        raise ValidationFailed(
            "referral_code_unknown", "We do not know this referral code.", field="code"
        )
    if referrer.id == referee.id:
        raise ValidationFailed(
            "referral_code_own", "You cannot use your own referral code.", field="code"
        )
    if referee.referred_by_id is not None or _referral_of(session, referee) is not None:
        raise Conflict(
            "referral_already_applied", "You have already used a referral code.", field="code"
        )
    if _has_completed_booking(session, referee):
        raise ValidationFailed(
            "referral_not_new_customer",
            "Referral codes are for new customers, before their first completed job.",
            field="code",
        )
    referral = Referral(
        tenant_id=actor.tenant_id,
        kind=ReferralKind.CUSTOMER,
        referrer_id=referrer.id,
        referee_id=referee.id,
        code=normalized,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(referral)
    except IntegrityError:
        raise Conflict(
            "referral_already_applied", "You have already used a referral code.", field="code"
        ) from None
    referee.referred_by_id = referrer.id
    session.add(referee)
    record_audit(
        session,
        actor=actor,
        action="referral.applied",
        target_type="referral",
        target_id=referral.id,
        changes={"referrer_id": str(referrer.id), "code": normalized},
    )
    uow.commit()
    return referral


def credit_balance(uow: UnitOfWork, *, actor: Actor, customer_id: uuid.UUID | None = None) -> int:
    """Return a customer's credit in cents: their own, or any customer's for staff."""
    if customer_id is None or customer_id == actor.user_id:
        require(actor, Permission.BOOK_SERVICES)
        customer_id = actor.user_id
    else:
        require(actor, Permission.MANAGE_CUSTOMERS)
        customer = uow.session.exec(
            select(User.id).where(
                User.id == customer_id,
                User.tenant_id == actor.tenant_id,
                User.role == Role.CUSTOMER,
            )
        ).first()
        if customer is None:
            raise NotFound("customer_not_found", "No such customer.", field="customer_id")
    return _credit_balance(uow.session, tenant_id=actor.tenant_id, user_id=customer_id)


# --- rewards and returned credit (inside the caller's transaction) ----------------------------


def reward_referral_if_due(
    session: Session, *, booking: Booking, now: datetime | None = None
) -> Referral | None:
    """Credit referrer and referee once, when the referee's first job is completed and paid.

    Call it at the moment the booking becomes both (see `create_earning_if_due`). The guarded
    update pending → rewarded makes a second call, or a racing one, a no-op.
    """
    if booking.customer_id is None or booking.status is not BookingStatus.COMPLETED:
        return None
    referral = _pending_referrals(session, booking.tenant_id, {booking.customer_id}).get(
        (ReferralKind.CUSTOMER, booking.customer_id)
    )
    return _reward_customers(session, booking=booking, referral=referral, now=now)


def _reward_customers(
    session: Session, *, booking: Booking, referral: Referral | None, now: datetime | None
) -> Referral | None:
    if referral is None or not _claim(session, referral, now := now or utc_now()):
        return None
    amount = get_tenant_settings(session, booking.tenant_id).referral_reward_cents
    if amount > 0:
        for user_id in (referral.referrer_id, referral.referee_id):
            move_credit(
                session,
                tenant_id=booking.tenant_id,
                user_id=user_id,
                amount_cents=amount,
                reason=CreditReason.REFERRAL_REWARD,
                booking_id=booking.id,
                referral_id=referral.id,
                now=now,
            )
    record_audit(
        session,
        actor=None,
        tenant_id=booking.tenant_id,
        action="referral.rewarded",
        target_type="referral",
        target_id=referral.id,
        changes={"booking_id": str(booking.id), "amount_cents": amount, "each": 2},
    )
    return referral


def return_spent_credit(session: Session, *, booking: Booking, now: datetime | None = None) -> int:
    """Give back the credit a booking spent (cancelled or fully refunded); return the cents.

    Idempotent: what was already returned is netted out, so a cancellation after a full refund
    (or the reverse) returns nothing more.
    """
    _lock(session, booking)
    outstanding = session.exec(
        select(CreditEntry.user_id, func.sum(CreditEntry.amount_cents))
        .where(
            CreditEntry.tenant_id == booking.tenant_id,
            CreditEntry.booking_id == booking.id,
            col(CreditEntry.reason).in_((CreditReason.SPENT, CreditReason.RETURNED)),
        )
        .group_by(CreditEntry.user_id)
    ).all()
    now = now or utc_now()
    returned = 0
    for user_id, net in outstanding:
        amount = -int(net or 0)
        if amount <= 0:
            continue
        move_credit(
            session,
            tenant_id=booking.tenant_id,
            user_id=user_id,
            amount_cents=amount,
            reason=CreditReason.RETURNED,
            booking_id=booking.id,
            now=now,
        )
        returned += amount
    if returned:
        session.flush()
        record_audit(
            session,
            actor=None,
            tenant_id=booking.tenant_id,
            action="referral_credit.returned",
            target_type="booking",
            target_id=booking.id,
            changes={"amount_cents": returned, "booking_status": booking.status.value},
        )
    return returned


def settle_referrals(session: Session, *, booking: Booking, now: datetime | None = None) -> None:
    """Run both referral hooks for a booking that just became completed and paid.

    Same as `reward_referral_if_due` then `provider_bonus_if_due`, with the customer's and the
    provider's pending referrals read in one query (usually neither has one).
    """
    customer_id = booking.customer_id if booking.status is BookingStatus.COMPLETED else None
    referred = session.get(Provider, booking.provider_id) if booking.provider_id else None
    provider_user_id = referred.user_id if referred is not None else None
    referees = {u for u in (customer_id, provider_user_id) if u is not None}
    if not referees:
        return
    pending = _pending_referrals(session, booking.tenant_id, referees)
    if customer_id is not None:
        referral = pending.get((ReferralKind.CUSTOMER, customer_id))
        _reward_customers(session, booking=booking, referral=referral, now=now)
    if referred is not None and provider_user_id is not None:
        referral = pending.get((ReferralKind.PROVIDER, provider_user_id))
        _bonus(session, referred=referred, referral=referral, booking=booking, now=now)


def _pending_referrals(
    session: Session, tenant_id: uuid.UUID, referee_ids: set[uuid.UUID]
) -> dict[tuple[ReferralKind, uuid.UUID], Referral]:
    """Return the pending referrals of these referees by (kind, referee id)."""
    rows = session.exec(
        select(Referral).where(
            Referral.tenant_id == tenant_id,
            col(Referral.referee_id).in_(sorted(referee_ids, key=str)),
            Referral.status == ReferralStatus.PENDING,
        )
    ).all()
    return {(r.kind, r.referee_id): r for r in rows}


# --- provider referrals -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderInvite:
    """An invite a provider sent; the raw token is for the emailed link only."""

    email: str
    token: str
    expires_at: datetime
    invites_left: int


def invite_provider_referral(
    uow: UnitOfWork, *, actor: Actor, email: str, now: datetime | None = None
) -> ProviderInvite:
    """A provider invites a colleague to join; at most 5 invites in any 30 days."""
    require(actor, Permission.PROVIDER_PORTAL)
    now = now or utc_now()
    session = uow.session
    referrer = _provider_of_user(session, actor, lock=True)
    address = (email or "").strip().lower()
    if not _EMAIL_PATTERN.match(address):
        raise ValidationFailed("invalid_email", "Enter a valid email address.", field="email")
    if address == referrer.email.strip().lower():
        raise ValidationFailed("invite_self", "You cannot invite yourself.", field="email")
    sent = _invites_since(session, actor, now - INVITE_WINDOW)
    if len(sent) >= MAX_PROVIDER_INVITES:
        retry = int((_aware(min(sent)) + INVITE_WINDOW - now).total_seconds()) + 1
        raise Throttled(
            "provider_invite_limit",
            f"You can send {MAX_PROVIDER_INVITES} invites every 30 days. Try again later.",
            retry_after_seconds=max(retry, 1),
        )
    token = issue_one_time_token(
        session,
        tenant_id=actor.tenant_id,
        purpose=TokenPurpose.PROVIDER_INVITE,
        email=address,
        created_by_id=actor.user_id,
        now=now,
    )
    invite = session.exec(
        select(OneTimeToken).where(OneTimeToken.token_hash == token_digest(token))
    ).one()
    invite.created_at = now  # the 30-day window counts on the injected clock
    session.add(invite)
    record_audit(
        session,
        actor=actor,
        action="provider_referral.invited",
        target_type="provider",
        target_id=referrer.id,
        changes={"email": address},
    )
    uow.commit()
    return ProviderInvite(
        email=address,
        token=token,
        expires_at=invite.expires_at,
        invites_left=MAX_PROVIDER_INVITES - len(sent) - 1,
    )


def record_provider_referral(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    referrer_provider_id: uuid.UUID,
    referred_provider_id: uuid.UUID,
    now: datetime | None = None,
) -> Referral:
    """Link a newly joined provider to the provider who invited them (caller's transaction)."""
    now = now or utc_now()
    referrer = session.exec(
        select(Provider).where(Provider.id == referrer_provider_id, Provider.tenant_id == tenant_id)
    ).first()
    referred = session.exec(
        select(Provider)
        .where(Provider.id == referred_provider_id, Provider.tenant_id == tenant_id)
        .with_for_update()
    ).first()
    if referrer is None or referred is None:
        raise NotFound("provider_not_found", "No such provider.")
    if referrer.id == referred.id:
        raise ValidationFailed(
            "referral_self", "A provider cannot refer themselves.", field="referrer_provider_id"
        )
    if referrer.user_id is None or referred.user_id is None:
        raise ValidationFailed(
            "provider_without_login",
            "Both providers need a portal login before a referral is recorded.",
        )
    if referred.referred_by_provider_id is not None:
        raise Conflict("referral_already_applied", "This provider was already referred.")
    referral = Referral(
        tenant_id=tenant_id,
        kind=ReferralKind.PROVIDER,
        referrer_id=referrer.user_id,
        referee_id=referred.user_id,
        code="",
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(referral)
    except IntegrityError:
        raise Conflict("referral_already_applied", "This provider was already referred.") from None
    referred.referred_by_provider_id = referrer.id
    session.add(referred)
    return referral


def provider_bonus_if_due(
    session: Session,
    *,
    provider_id: uuid.UUID,
    booking: Booking | None = None,
    now: datetime | None = None,
) -> ProviderPayout | None:
    """Owe the referrer a bonus payout once, after the referred provider's first paid job.

    The bonus is a pending payout of kind `bonus`, so the next batch pays it. Its cost is posted
    as referral expense against the referrer's payable.
    """
    referred = session.get(Provider, provider_id)
    if referred is None or referred.user_id is None:
        return None
    referral = _pending_referrals(session, referred.tenant_id, {referred.user_id}).get(
        (ReferralKind.PROVIDER, referred.user_id)
    )
    return _bonus(session, referred=referred, referral=referral, booking=booking, now=now)


def _bonus(
    session: Session,
    *,
    referred: Provider,
    referral: Referral | None,
    booking: Booking | None,
    now: datetime | None,
) -> ProviderPayout | None:
    if referral is None:
        return None
    referrer = session.exec(
        select(Provider).where(
            Provider.tenant_id == referred.tenant_id, Provider.user_id == referral.referrer_id
        )
    ).first()
    now = now or utc_now()
    if referrer is None or not _claim(session, referral, now):
        return None
    amount = get_tenant_settings(session, referred.tenant_id).provider_referral_bonus_cents
    payout = ProviderPayout(
        tenant_id=referred.tenant_id,
        provider_id=referrer.id,
        kind=PayoutKind.BONUS,
        status=PayoutStatus.PENDING,
        amount_cents=amount,
        gross_cents=amount,
        commission={
            "referral_id": str(referral.id),
            "referred_provider_id": str(referred.id),
            "first_job_booking_id": str(booking.id) if booking else None,
        },
        created_at=now,
    )
    if amount > 0:
        session.add(payout)
        ledger.post(
            session,
            tenant_id=referred.tenant_id,
            kind="referral_bonus",
            description=f"Referral bonus for bringing in {referred.name}",
            lines=[
                (ledger.CREDIT_EXPENSE, amount),
                (ledger.provider_payable(referrer.id), -amount),
            ],
            now=now,
        )
    record_audit(
        session,
        actor=None,
        tenant_id=referred.tenant_id,
        action="provider_referral.rewarded",
        target_type="provider",
        target_id=referrer.id,
        changes={"referred_provider_id": str(referred.id), "amount_cents": amount},
    )
    return payout if amount > 0 else None


# --- helpers ----------------------------------------------------------------------------------


def _claim(session: Session, referral: Referral, now: datetime) -> bool:
    """Move a referral pending → rewarded; False if another call did it first."""
    claimed = session.execute(
        update(Referral)
        .where(
            Referral.id == referral.id,  # type: ignore[arg-type]
            Referral.status == ReferralStatus.PENDING,  # type: ignore[arg-type]
        )
        .values(status=ReferralStatus.REWARDED, rewarded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed == 1:
        session.refresh(referral, ["status", "rewarded_at"])
    return bool(claimed == 1)


def _lock(session: Session, booking: Booking) -> None:
    session.exec(
        select(Booking.id)
        .where(Booking.id == booking.id, Booking.tenant_id == booking.tenant_id)
        .with_for_update()
    ).first()


def _customer(session: Session, actor: Actor, *, lock: bool = False) -> User:
    query = select(User).where(
        User.id == actor.user_id, User.tenant_id == actor.tenant_id, User.role == Role.CUSTOMER
    )
    if lock:
        query = query.with_for_update()
    user = session.exec(query).first()
    if user is None:
        raise Forbidden("forbidden", "Only customers have referral codes.")
    return user


def _owner_of(session: Session, tenant_id: uuid.UUID, code: str) -> User | None:
    return session.exec(
        select(User).where(
            User.tenant_id == tenant_id,
            User.referral_code == code,
            User.role == Role.CUSTOMER,
            col(User.is_active).is_(True),
        )
    ).first()


def _referral_of(session: Session, user: User) -> Referral | None:
    return session.exec(
        select(Referral).where(Referral.tenant_id == user.tenant_id, Referral.referee_id == user.id)
    ).first()


def _has_completed_booking(session: Session, user: User) -> bool:
    return (
        session.exec(
            select(Booking.id).where(
                Booking.tenant_id == user.tenant_id,
                Booking.customer_id == user.id,
                Booking.status == BookingStatus.COMPLETED,
            )
        ).first()
        is not None
    )


def _provider_of_user(session: Session, actor: Actor, *, lock: bool = False) -> Provider:
    query = select(Provider).where(
        Provider.tenant_id == actor.tenant_id, Provider.user_id == actor.user_id
    )
    if lock:
        query = query.with_for_update()
    provider = session.exec(query).first()
    if provider is None:
        raise Forbidden("forbidden", "Only providers can invite other providers.")
    return provider


def _invites_since(session: Session, actor: Actor, since: datetime) -> list[datetime]:
    return list(
        session.exec(
            select(OneTimeToken.created_at).where(
                OneTimeToken.tenant_id == actor.tenant_id,
                OneTimeToken.created_by_id == actor.user_id,
                OneTimeToken.purpose == TokenPurpose.PROVIDER_INVITE,
                OneTimeToken.created_at >= since,
            )
        ).all()
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
