"""Provider earnings: created once per booking, reduced or clawed back by refunds, held in disputes.

These run inside the caller's transaction (completing a booking, confirming or refunding a
payment) and never commit. The booking row is locked first by every caller, so "completed" and
"paid" arriving at the same moment still create the earning exactly once; the partial unique
index on `provider_payouts(booking_id) WHERE kind = 'earning'` is the backstop.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.ledger import service as ledger
from roadside_console.domain.payments.models import Payment, PaymentStatus
from roadside_console.domain.payouts import rules
from roadside_console.domain.payouts.models import (
    CommissionRule,
    PayoutKind,
    PayoutStatus,
    ProviderPayout,
)
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.referrals import service as referrals
from roadside_console.domain.referrals.models import Referral, ReferralStatus

EARNABLE_PAYMENT_STATUSES = (PaymentStatus.CONFIRMED, PaymentStatus.PARTIALLY_REFUNDED)
EARNING_INDEX_WHERE = text("kind = 'earning'")  # the predicate of the one-earning-per-job index


def lock_booking(
    session: Session, *, tenant_id: uuid.UUID, booking_id: uuid.UUID
) -> Booking | None:
    """Load and lock a booking row (FOR UPDATE on PostgreSQL) so money events serialise on it."""
    return session.exec(
        select(Booking)
        .where(Booking.id == booking_id, Booking.tenant_id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def earning_for(
    session: Session, booking_id: uuid.UUID, *, lock: bool = False
) -> ProviderPayout | None:
    """Return the booking's earning payout, if it has one."""
    query = select(ProviderPayout).where(
        ProviderPayout.booking_id == booking_id, ProviderPayout.kind == PayoutKind.EARNING
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def _rules_of(session: Session, tenant_id: uuid.UUID) -> list[rules.RuleTerms]:
    return [
        rules.RuleTerms(
            id=r.id,
            scope=r.scope,
            created_at=r.created_at,
            service_id=r.service_id,
            provider_id=r.provider_id,
            b2b_account_id=r.b2b_account_id,
            provider_share_bp=r.provider_share_bp,
            flat_fee_cents=r.flat_fee_cents,
            priority=r.priority,
            active=r.active,
        )
        for r in session.exec(
            select(CommissionRule).where(
                CommissionRule.tenant_id == tenant_id, col(CommissionRule.active).is_(True)
            )
        )
    ]


def commission_for(
    session: Session,
    *,
    booking: Booking,
    provider: Provider,
    price_cents: int,
    tenant_has_rules: bool = True,
) -> rules.Commission:
    """Resolve the provider's share of a job at `price_cents`.

    `tenant_has_rules=False` (the caller read in the same transaction that the tenant has no
    active commission rule) skips reading them.
    """
    service = session.get(Service, booking.service_id)
    job = rules.JobTerms(
        price_cents=price_cents,
        service_id=booking.service_id,
        service_platform_cut_bp=service.platform_cut_bp if service else None,
        provider=rules.ProviderTerms(
            provider_id=provider.id,
            commission_type=provider.commission_type,
            share_bp=provider.commission_rate_bp,
            flat_fee_cents=provider.flat_fee_cents,
        ),
        b2b_account_id=booking.b2b_account_id,
    )
    terms = _rules_of(session, booking.tenant_id) if tenant_has_rules else []
    return rules.resolve_commission(job, terms)


def earning_accounts(booking: Booking) -> list[str]:
    """Return the ledger accounts the booking's earning posts to (none if it cannot earn)."""
    if booking.status is not BookingStatus.COMPLETED or booking.provider_id is None:
        return []
    return [
        ledger.CUSTOMER_RECEIVABLE,
        ledger.provider_payable(booking.provider_id),
        ledger.PLATFORM_REVENUE,
    ]


def create_earning_if_due(
    session: Session, *, booking: Booking, now: datetime | None = None
) -> ProviderPayout | None:
    """Create the booking's earning if it is completed and paid and has none yet.

    Call it with the booking row locked (see `lock_booking`), from whichever event came last.
    Posts: receivable debit P, provider payable credit share, platform revenue credit fee.
    """
    if booking.status is not BookingStatus.COMPLETED or booking.provider_id is None:
        return None
    earned = exists().where(
        ProviderPayout.booking_id == booking.id, ProviderPayout.kind == PayoutKind.EARNING
    )
    # Whether the customer or the provider was referred and the referral still waits for this
    # first job: usually neither, and then the referral hooks need no query of their own.
    referees = [Referral.referee_id == Provider.user_id]
    if booking.customer_id is not None:
        referees.append(Referral.referee_id == booking.customer_id)
    referred = exists().where(
        Referral.tenant_id == booking.tenant_id,
        Referral.status == ReferralStatus.PENDING,
        or_(*referees),
    )
    # Whether the tenant has any active commission rule: small operators often have none, and
    # then `commission_for` needs no query of its own.
    has_rules = exists().where(
        CommissionRule.tenant_id == booking.tenant_id, col(CommissionRule.active).is_(True)
    )
    # One round trip: the earliest earnable payment, whether the job is earned already, the
    # provider, the service (loaded into the session for `commission_for`) and both flags.
    found = session.exec(
        select(
            Payment,
            earned.label("earned"),
            Provider,
            Service,
            referred.label("referred"),
            has_rules.label("has_rules"),
        )
        .select_from(Payment)
        .join(Provider, Provider.id == booking.provider_id)  # type: ignore[arg-type]
        .outerjoin(Service, Service.id == booking.service_id)  # type: ignore[arg-type]
        .where(
            Payment.booking_id == booking.id,
            Payment.tenant_id == booking.tenant_id,
            col(Payment.status).in_(EARNABLE_PAYMENT_STATUSES),
        )
        .order_by(col(Payment.confirmed_at))
    ).first()
    if found is None or found[1]:
        return None
    payment, _, provider, _, has_referral, tenant_has_rules = found
    base = payment.amount_cents - payment.refunded_cents
    if base <= 0:
        return None
    now = now or utc_now()
    price = booking.price_override_cents if booking.price_override_cents is not None else base
    commission = commission_for(
        session,
        booking=booking,
        provider=provider,
        price_cents=price,
        tenant_has_rules=tenant_has_rules,
    )
    payout = ProviderPayout(
        tenant_id=booking.tenant_id,
        provider_id=provider.id,
        booking_id=booking.id,
        kind=PayoutKind.EARNING,
        status=PayoutStatus.PENDING,
        amount_cents=commission.provider_cents,
        gross_cents=price,
        platform_fee_cents=commission.platform_cents,
        commission={
            "source": commission.source,
            "rule_id": str(commission.rule_id) if commission.rule_id else None,
            "share_bp": commission.share_bp,
            "flat_fee_cents": commission.flat_fee_cents,
            "price_cents": price,
            "provider_cents": commission.provider_cents,
            "platform_cents": commission.platform_cents,
            "payment_id": str(payment.id),
            "base_cents": base,
            "refunded_at_earning_cents": payment.refunded_cents,
            "refunded_since_cents": 0,
            "provider_refunded_cents": 0,
            "platform_refunded_cents": 0,
        },
        created_at=now,
    )
    if not _insert_earning(session, payout):
        return None  # another transaction earned it first
    if booking.final_price_cents is None:
        booking.final_price_cents = price
        session.add(booking)
    ledger.post(
        session,
        tenant_id=booking.tenant_id,
        kind="job_earned",
        description=f"Job {booking.reference} completed and paid",
        booking_id=booking.id,
        lines=[
            (ledger.CUSTOMER_RECEIVABLE, price),
            (ledger.provider_payable(provider.id), -commission.provider_cents),
            (ledger.PLATFORM_REVENUE, -commission.platform_cents),
        ],
        now=now,
    )
    # Referral reward and provider bonus, once, in this same transaction.
    if has_referral:
        referrals.settle_referrals(session, booking=booking, now=now)
    return payout


def _insert_earning(session: Session, payout: ProviderPayout) -> bool:
    """Insert the earning unless the booking has one (the partial unique index decides).

    One statement, no savepoint: ON CONFLICT DO NOTHING on that index, then the row joins the
    session as loaded. Any other integrity error still fails the transaction.
    """
    table = ProviderPayout.__table__  # type: ignore[attr-defined]
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = session.execute(
        maker(table)
        .values({column.key: getattr(payout, column.key) for column in table.columns})
        .on_conflict_do_nothing(index_elements=["booking_id"], index_where=EARNING_INDEX_WHERE)
        .returning(table.c.id)
    ).first()
    if inserted is None:
        return False
    make_transient_to_detached(payout)
    session.add(payout)
    return True


def apply_refund(
    session: Session, *, payment: Payment, refund_cents: int, now: datetime
) -> tuple[rules.RefundShares, list[tuple[str, int]]]:
    """Take a refund's share back from the earning and return the ledger lines besides cash.

    A pending or held earning is reduced; a paid one gets a negative clawback, settled in the
    provider's next batch. With no earning yet, the whole refund is unearned (receivable).
    """
    earning = earning_for(session, payment.booking_id, lock=True)
    terms: dict[str, Any] = dict(earning.commission) if earning is not None else {}
    if earning is None or terms.get("payment_id") != str(payment.id):
        return rules.RefundShares(0, 0, refund_cents), [(ledger.CUSTOMER_RECEIVABLE, refund_cents)]
    shares = rules.refund_shares(
        refund_cents=refund_cents,
        base_cents=terms["base_cents"],
        price_cents=terms["price_cents"],
        provider_cents=terms["provider_cents"],
        refunded_before_cents=terms["refunded_since_cents"],
        provider_refunded_cents=terms["provider_refunded_cents"],
        platform_refunded_cents=terms["platform_refunded_cents"],
    )
    terms["refunded_since_cents"] += refund_cents
    terms["provider_refunded_cents"] += shares.provider_cents
    terms["platform_refunded_cents"] += shares.platform_cents
    earning.commission = terms
    earning.platform_fee_cents -= shares.platform_cents
    if shares.provider_cents:
        if earning.status in (PayoutStatus.PENDING, PayoutStatus.HELD):
            earning.amount_cents -= shares.provider_cents
        else:
            session.add(
                ProviderPayout(
                    tenant_id=earning.tenant_id,
                    provider_id=earning.provider_id,
                    booking_id=earning.booking_id,
                    kind=PayoutKind.CLAWBACK,
                    status=PayoutStatus.PENDING,
                    amount_cents=-shares.provider_cents,
                    commission={
                        "refund_of_payment": str(payment.id),
                        "earning_id": str(earning.id),
                    },
                    created_at=now,
                )
            )
    session.add(earning)
    return shares, [
        (ledger.provider_payable(earning.provider_id), shares.provider_cents),
        (ledger.REFUNDS, shares.platform_cents),
        (ledger.CUSTOMER_RECEIVABLE, shares.unearned_cents),
    ]


def set_hold(
    session: Session, *, booking: Booking, hold: bool, reason: str, now: datetime | None = None
) -> int:
    """Hold a booking's pending payouts (dispute opened) or release held ones; return how many."""
    source, target = (
        (PayoutStatus.PENDING, PayoutStatus.HELD)
        if hold
        else (PayoutStatus.HELD, PayoutStatus.PENDING)
    )
    payouts = session.exec(
        select(ProviderPayout)
        .where(ProviderPayout.booking_id == booking.id, ProviderPayout.status == source)
        .with_for_update()
    ).all()
    for payout in payouts:
        payout.status = target
        session.add(payout)
        record_audit(
            session,
            actor=None,
            tenant_id=booking.tenant_id,
            action="payout.held" if hold else "payout.released",
            target_type="provider_payout",
            target_id=payout.id,
            reason=reason,
            changes={"at": (now or utc_now()).isoformat()},
        )
    return len(payouts)
