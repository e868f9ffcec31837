"""Stripe webhook events, each processed exactly once.

The event's row (unique on `(source, event_id)`) is inserted in the same transaction that
handles the event, with ON CONFLICT DO NOTHING: a replay finds the row and is a no-op; a
concurrent duplicate waits on the first delivery's uncommitted row and then finds it. If
handling fails, the rollback takes the row with it, so Stripe's retry handles the event afresh,
and no claim can be left behind by a crashed process. Events of other types are recorded as
skipped.

A refusal by the payment core that no retry can change (a refund of a disputed payment, more
refunded than remains) is recorded as refused with its reason, logged as a warning and answered
as received: Stripe would otherwise retry it for days. A refund or dispute naming a payment whose
confirmation has not been handled yet is the exception: Stripe does not order deliveries, so that
refusal is answered as an error and the retry, after the confirmation, succeeds.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    WebhookEvent,
    WebhookEventStatus,
)

log = logging.getLogger(__name__)

SOURCE = "stripe"
# Rows in status "claimed" were written by the earlier two-transaction claim; one this old
# belongs to a delivery that died mid-way and is taken over.
STALE_CLAIM = timedelta(minutes=5)

PROCESSED = "processed"
DUPLICATE = "duplicate"
SKIPPED = "skipped"
REFUSED = "refused"
AFTER_CONFIRMATION = frozenset({"charge.refunded", "charge.dispute.created"})

Event = dict[str, Any]
Handler = Callable[[UnitOfWork, Payment, dict[str, Any], datetime], None]


def handle_stripe_event(
    uow_factory: Callable[[], UnitOfWork], event: Event, *, now: datetime | None = None
) -> str:
    """Process a verified Stripe event once.

    Answers "processed", "duplicate", "skipped" (not ours) or "refused" (recorded, final). A
    domain error a retry may fix, and any other failure, propagate with nothing recorded.
    """
    now = now or utc_now()
    handler = HANDLERS.get(str(event.get("type")))
    with uow_factory() as uow:
        if handler is None:
            return _record_only(uow, event, WebhookEventStatus.SKIPPED, now)
        obj = _obj(event)
        payment = _find_payment(uow.session, obj)
        if payment is None:
            return _record_only(uow, event, WebhookEventStatus.SKIPPED, now)
        # Recorded first: handlers that run a committing use case commit the row with it.
        if not _record(uow.session, event, WebhookEventStatus.PROCESSED, now, payment.tenant_id):
            uow.rollback()
            return DUPLICATE
        try:
            handler(uow, payment, obj, now)
        except DomainError as error:
            uow.rollback()
            if _retry_may_help(event, payment):
                raise
            _refuse(uow, event, payment, error, now)
            return REFUSED
        uow.commit()
        return PROCESSED


def _record_only(uow: UnitOfWork, event: Event, status: WebhookEventStatus, now: datetime) -> str:
    """Record an event we do not act on; a redelivery of it is a duplicate."""
    recorded = _record(uow.session, event, status, now, None)
    uow.commit()
    return SKIPPED if recorded else DUPLICATE


def _record(
    session: Session,
    event: Event,
    status: WebhookEventStatus,
    now: datetime,
    tenant_id: uuid.UUID | None,
    *,
    reason: str | None = None,
) -> bool:
    """Insert the event's row unless one exists; True if this delivery owns the event.

    One statement: the unique `(source, event_id)` decides, without a savepoint. A stale row
    left in status "claimed" by the earlier two-step claim is removed and the insert retried.
    """
    event_id = str(event.get("id"))
    table = WebhookEvent.__table__  # type: ignore[attr-defined]
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        maker(table)
        .values(
            id=uuid.uuid4(),
            source=SOURCE,
            event_id=event_id,
            event_type=str(event.get("type"))[:120],
            tenant_id=tenant_id,
            status=status,
            payload=event,
            received_at=now,
            processed_at=now,
            reason=reason,
        )
        .on_conflict_do_nothing(index_elements=["source", "event_id"])
        .returning(table.c.id)
    )
    if session.execute(statement).first() is not None:
        return True
    stale = session.execute(
        delete(WebhookEvent)
        .where(
            WebhookEvent.source == SOURCE,  # type: ignore[arg-type]
            WebhookEvent.event_id == event_id,  # type: ignore[arg-type]
            WebhookEvent.status == WebhookEventStatus.CLAIMED,  # type: ignore[arg-type]
            WebhookEvent.received_at < now - STALE_CLAIM,  # type: ignore[arg-type]
        )
        .returning(WebhookEvent.id)
    ).first()
    return stale is not None and session.execute(statement).first() is not None


def _retry_may_help(event: Event, payment: Payment) -> bool:
    """Tell whether a refused event may succeed later: its payment is not confirmed yet.

    Called after the rollback, so the payment's status is read afresh.
    """
    return event.get("type") in AFTER_CONFIRMATION and payment.status is PaymentStatus.PENDING


def _refuse(
    uow: UnitOfWork, event: Event, payment: Payment, error: DomainError, now: datetime
) -> None:
    """Record a final refusal (nothing else of the handler is kept)."""
    reason = f"{error.code}: {error.message}"[:500]
    _record(uow.session, event, WebhookEventStatus.REFUSED, now, payment.tenant_id, reason=reason)
    uow.commit()
    log.warning(
        "stripe event %s (%s) refused for payment %s: %s",
        event.get("id"),
        event.get("type"),
        payment.id,
        reason,
        extra={"event_id": event.get("id"), "payment_id": str(payment.id), "code": error.code},
    )


def _obj(event: Event) -> dict[str, Any]:
    return dict((event.get("data") or {}).get("object") or {})


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _find_payment(session: Session, obj: dict[str, Any]) -> Payment | None:
    """Find our card payment from metadata, else from the session, intent or charge id."""
    metadata = obj.get("metadata") or {}
    payment_id, tenant_id = _uuid(metadata.get("payment_id")), _uuid(metadata.get("tenant_id"))
    query = select(Payment).where(Payment.method == PaymentMethod.STRIPE)
    if payment_id and tenant_id:
        query = query.where(Payment.id == payment_id, Payment.tenant_id == tenant_id)
    else:
        ids = {k: obj.get(k) for k in ("object", "id", "payment_intent", "charge")}
        keys = []
        if ids["object"] == "checkout.session" and ids["id"]:
            keys.append(Payment.stripe_checkout_session_id == ids["id"])
        intent = ids["id"] if ids["object"] == "payment_intent" else ids["payment_intent"]
        if intent:
            keys.append(Payment.stripe_payment_intent_id == intent)
        charge = ids["id"] if ids["object"] == "charge" else ids["charge"]
        if charge:
            keys.append(Payment.stripe_charge_id == charge)
        if not keys:
            return None
        query = query.where(or_(*keys))  # type: ignore[arg-type]
    return session.exec(query.execution_options(populate_existing=True)).first()


def _stripe_ids(payment: Payment, obj: dict[str, Any]) -> dict[str, str]:
    """Return the Stripe ids the object names that the payment does not have yet."""
    ids: dict[str, object] = {
        "stripe_checkout_session_id": obj.get("id")
        if obj.get("object") == "checkout.session"
        else None,
        "stripe_payment_intent_id": obj.get("id")
        if obj.get("object") == "payment_intent"
        else obj.get("payment_intent"),
        "stripe_charge_id": obj.get("id") if obj.get("object") == "charge" else obj.get("charge"),
    }
    return {
        key: value
        for key, value in ids.items()
        if isinstance(value, str) and value and getattr(payment, key) != value
    }


def _set_stripe_ids(session: Session, payment: Payment, obj: dict[str, Any]) -> None:
    for key, value in _stripe_ids(payment, obj).items():
        setattr(payment, key, value)
    session.add(payment)


def _checkout_paid(uow: UnitOfWork, payment: Payment, obj: dict[str, Any], now: datetime) -> None:
    """Confirm the payment for what the customer actually paid (promotions included).

    The Stripe ids go in with the confirming UPDATE; if the payment was confirmed already they
    are written on their own.
    """
    if obj.get("payment_status") == "paid" and payments.confirm_payment_in(
        uow.session,
        actor=None,
        tenant_id=payment.tenant_id,
        payment_id=payment.id,
        amount_cents=int(obj.get("amount_total") or payment.amount_cents),
        reference=obj.get("payment_intent") or obj.get("id"),
        stripe_ids=_stripe_ids(payment, obj),
        now=now,
    ):
        return
    _set_stripe_ids(uow.session, payment, obj)


def _checkout_ended(status: PaymentStatus) -> Handler:
    def handle(uow: UnitOfWork, payment: Payment, obj: dict[str, Any], now: datetime) -> None:
        uow.session.execute(
            update(Payment)
            .where(Payment.id == payment.id, Payment.status == PaymentStatus.PENDING)  # type: ignore[arg-type]
            .values(status=status, updated_at=now)
        )

    return handle


def _charge_refunded(
    uow: UnitOfWork, payment: Payment, charge: dict[str, Any], now: datetime
) -> None:
    """Record what Stripe refunded beyond what we already have (partial or full)."""
    _set_stripe_ids(uow.session, payment, charge)
    refunded = int(charge.get("amount_refunded") or 0)
    missing = refunded - payment.refunded_cents
    if missing <= 0:
        return
    refunds = (charge.get("refunds") or {}).get("data") or []
    refund_id = refunds[0].get("id") if refunds else None
    payments.refund_payment_in(
        uow.session,
        actor=None,
        tenant_id=payment.tenant_id,
        payment_id=payment.id,
        amount_cents=missing,
        reason="refunded at Stripe",
        gateway_refund_id=refund_id or f"{charge.get('id')}:{refunded}",
        now=now,
    )


def _dispute_created(uow: UnitOfWork, payment: Payment, obj: dict[str, Any], now: datetime) -> None:
    payments.open_dispute(
        uow, actor=None, payment_id=payment.id, tenant_id=payment.tenant_id, now=now
    )


def _dispute_closed(
    uow: UnitOfWork, payment: Payment, dispute: dict[str, Any], now: datetime
) -> None:
    payments.close_dispute(
        uow,
        actor=None,
        payment_id=payment.id,
        tenant_id=payment.tenant_id,
        won=dispute.get("status") != "lost",
        now=now,
    )


def _payment_failed(
    uow: UnitOfWork, payment: Payment, intent: dict[str, Any], now: datetime
) -> None:
    """A card attempt failed; the customer may retry in the same checkout, so only audit it."""
    error = intent.get("last_payment_error") or {}
    record_audit(
        uow.session,
        actor=None,
        tenant_id=payment.tenant_id,
        action="payment.attempt_failed",
        target_type="payment",
        target_id=payment.id,
        changes={"code": error.get("code"), "message": error.get("message")},
    )


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _checkout_paid,
    "checkout.session.async_payment_succeeded": _checkout_paid,
    "checkout.session.async_payment_failed": _checkout_ended(PaymentStatus.FAILED),
    "checkout.session.expired": _checkout_ended(PaymentStatus.EXPIRED),
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
    "payment_intent.payment_failed": _payment_failed,
}
