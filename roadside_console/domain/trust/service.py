"""Trust-tier use cases. `allowed_payment_methods` is the one question every payment path asks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.payments.models import Payment, PaymentMethod
from roadside_console.domain.tenants.service import get_tenant_settings
from roadside_console.domain.trust import rules


def allowed_payment_methods(user: User) -> list[PaymentMethod]:
    """Return the methods this customer may pay with (card only from tier 2)."""
    return rules.methods_for_tier(user.trust_tier)


def _customer(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User:
    user = session.exec(
        select(User).where(
            User.id == user_id, User.tenant_id == tenant_id, User.role == Role.CUSTOMER
        )
    ).first()
    if user is None:
        raise NotFound("customer_not_found", "No such customer.")
    return user


def credit_clean_payment(session: Session, *, payment: Payment) -> None:
    """Add a confirmed payment to its customer's clean-payment count; promote if due.

    Call it only from the transaction whose guarded UPDATE moved the payment out of PENDING and
    set `counted_for_trust` (see `confirm_payment_in`): a payment leaves PENDING once, so it
    counts once ever. Does not commit: it runs inside the confirming use case.
    """
    # Incremented in the database (two confirmations of one customer never lose a count) and
    # returned in the same statement.
    user = session.scalars(
        update(User)
        .where(
            User.id == payment.customer_id,  # type: ignore[arg-type]
            User.tenant_id == payment.tenant_id,  # type: ignore[arg-type]
            User.role == Role.CUSTOMER,  # type: ignore[arg-type]
        )
        .values(clean_payment_count=User.clean_payment_count + 1)
        .returning(User)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).first()
    if user is None:
        raise NotFound("customer_not_found", "No such customer.")
    if user.trust_tier < rules.MAX_TIER:  # the top tier has nothing to reach: skip the threshold
        _promote_if_due(session, user)


def _promote_if_due(session: Session, user: User) -> None:
    threshold = get_tenant_settings(session, user.tenant_id).trust_promotion_threshold
    new_tier = rules.tier_after_clean_payment(user.trust_tier, user.clean_payment_count, threshold)
    if new_tier != user.trust_tier:
        record_audit(
            session,
            actor=None,
            tenant_id=user.tenant_id,
            action="trust.promoted",
            target_type="user",
            target_id=user.id,
            reason=f"{user.clean_payment_count} clean payments (threshold {threshold})",
            changes={"from": user.trust_tier, "to": new_tier},
        )
        user.trust_tier = new_tier
        session.add(user)


def record_dispute(session: Session, *, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> None:
    """Demote the customer one tier and reset their clean count (a dispute was opened)."""
    user = _customer(session, tenant_id, customer_id)
    new_tier = rules.tier_after_dispute(user.trust_tier)
    record_audit(
        session,
        actor=None,
        tenant_id=tenant_id,
        action="trust.demoted",
        target_type="user",
        target_id=user.id,
        reason="payment dispute opened",
        changes={
            "from": user.trust_tier,
            "to": new_tier,
            "clean_count_reset_from": user.clean_payment_count,
        },
    )
    user.trust_tier = new_tier
    user.clean_payment_count = 0
    session.add(user)


def set_trust_tier(
    uow: UnitOfWork,
    *,
    actor: Actor,
    customer_id: uuid.UUID,
    tier: int,
    reason: str,
    now: datetime | None = None,
) -> int:
    """Promote or demote a customer by hand; a reason is required and audited."""
    require(actor, Permission.MANAGE_TRUST)
    if tier not in (rules.MIN_TIER, rules.MAX_TIER):
        raise ValidationFailed("invalid_tier", "Choose tier 1 or tier 2.", field="tier")
    if not reason.strip():
        raise ValidationFailed("reason_required", "Give a reason for the change.", field="reason")
    user = _customer(uow.session, actor.tenant_id, customer_id)
    if user.trust_tier != tier:
        record_audit(
            uow.session,
            actor=actor,
            action="trust.changed",
            target_type="user",
            target_id=user.id,
            reason=reason.strip(),
            changes={"from": user.trust_tier, "to": tier, "at": (now or utc_now()).isoformat()},
        )
        user.trust_tier = tier
        uow.session.add(user)
    uow.commit()
    return tier


def set_promotion_threshold(uow: UnitOfWork, *, actor: Actor, clean_payments: int) -> int:
    """Change how many clean payments earn tier 2 (1–100)."""
    change_promotion_threshold(uow.session, actor=actor, clean_payments=clean_payments)
    uow.commit()
    return clean_payments


def change_promotion_threshold(session: Session, *, actor: Actor, clean_payments: int) -> None:
    """Do the work of `set_promotion_threshold` inside the caller's transaction."""
    require(actor, Permission.MANAGE_TRUST)
    if not 1 <= clean_payments <= 100:
        raise ValidationFailed(
            "invalid_threshold", "Use a number from 1 to 100.", field="clean_payments"
        )
    settings = get_tenant_settings(session, actor.tenant_id)
    record_audit(
        session,
        actor=actor,
        action="trust.threshold_changed",
        target_type="tenant_settings",
        target_id=settings.id,
        changes={"from": settings.trust_promotion_threshold, "to": clean_payments},
    )
    settings.trust_promotion_threshold = clean_payments
    settings.updated_by_id = actor.user_id
    session.add(settings)
