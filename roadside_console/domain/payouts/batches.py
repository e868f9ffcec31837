"""Batch payouts: pay every provider's pending net in one transaction.

Per provider, net = pending payouts (in the period, or all) − outstanding clawbacks (always all).
One guarded UPDATE ... RETURNING marks exactly the rows it sums as paid, so a payout created or
refunded meanwhile is either in the batch with its final amount or left for the next one. A
provider whose net is negative gets nothing; their rows are settled against each other and a new
pending clawback carries the remainder forward. Held payouts (open disputes) wait.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, insert, or_, update
from sqlmodel import Session, col

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.tables import new_id
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.ledger import service as ledger
from roadside_console.domain.payouts.models import (
    PayoutBatch,
    PayoutBatchStatus,
    PayoutKind,
    PayoutStatus,
    ProviderPayout,
)
from roadside_console.domain.tenants.service import get_tenant


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch paid: per provider nets, and the negative nets carried forward."""

    batch_id: uuid.UUID
    total_cents: int
    provider_count: int
    payout_count: int
    paid: dict[uuid.UUID, int] = field(default_factory=dict)
    carried_forward: dict[uuid.UUID, int] = field(default_factory=dict)


def run_payout_batch(
    uow: UnitOfWork,
    *,
    actor: Actor,
    period_start: date | None = None,
    period_end: date | None = None,
    now: datetime | None = None,
) -> BatchResult:
    """Finance pays out everything pending (or what was earned in a period of local days)."""
    require(actor, Permission.MANAGE_PAYOUTS)
    result = pay_pending(
        uow.session,
        tenant_id=actor.tenant_id,
        actor=actor,
        period_start=period_start,
        period_end=period_end,
        now=now,
    )
    uow.commit()
    return result


def pay_pending(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    actor: Actor | None,
    period_start: date | None = None,
    period_end: date | None = None,
    now: datetime | None = None,
) -> BatchResult:
    """Do the work of `run_payout_batch` inside the caller's transaction."""
    now = now or utc_now()
    if period_start and period_end and period_start > period_end:
        raise ValidationFailed(
            "invalid_period", "The period must end on or after its start.", field="period_end"
        )
    batch = PayoutBatch(
        tenant_id=tenant_id,
        period_start=period_start,
        period_end=period_end,
        status=PayoutBatchStatus.COMPLETED,
        created_by_id=actor.user_id if actor else None,
        completed_at=now,
        created_at=now,
    )
    session.add(batch)
    session.flush()

    earned = [ProviderPayout.kind != PayoutKind.CLAWBACK]
    tz = ZoneInfo(get_tenant(session, tenant_id).timezone)
    if period_start is not None:
        start = datetime.combine(period_start, time.min, tzinfo=tz)
        earned.append(col(ProviderPayout.created_at) >= start)
    if period_end is not None:
        end = datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=tz)
        earned.append(col(ProviderPayout.created_at) < end)
    rows = session.execute(
        update(ProviderPayout)
        .where(
            ProviderPayout.tenant_id == tenant_id,  # type: ignore[arg-type]
            ProviderPayout.status == PayoutStatus.PENDING,  # type: ignore[arg-type]
            or_(and_(*earned), ProviderPayout.kind == PayoutKind.CLAWBACK),  # type: ignore[arg-type]
        )
        .values(status=PayoutStatus.PAID, batch_id=batch.id, paid_at=now)
        .returning(ProviderPayout.provider_id, ProviderPayout.amount_cents)
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        raise ValidationFailed("nothing_to_pay", "There is nothing pending to pay out.")
    nets: dict[uuid.UUID, int] = defaultdict(int)
    for provider_id, amount in rows:
        nets[provider_id] += amount
    paid = {p: net for p, net in nets.items() if net > 0}
    carried = {p: net for p, net in nets.items() if net < 0}
    if carried:
        session.execute(
            insert(ProviderPayout),
            [
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "provider_id": provider_id,
                    "booking_id": None,
                    "kind": PayoutKind.CLAWBACK.value,
                    "status": PayoutStatus.PENDING.value,
                    "amount_cents": net,
                    "gross_cents": 0,
                    "platform_fee_cents": 0,
                    "commission": {"carried_forward_from_batch": str(batch.id)},
                    "created_at": now,
                }
                for provider_id, net in carried.items()
            ],
        )
    total = sum(paid.values())
    batch.total_cents = total
    batch.provider_count = len(paid)
    session.add(batch)
    ledger.post(
        session,
        tenant_id=tenant_id,
        kind="payout_batch",
        description=f"Payout batch {batch.id}",
        lines=[
            *((ledger.provider_payable(p), net) for p, net in sorted(paid.items(), key=str)),
            (ledger.PAYOUTS_CLEARING, -total),
        ],
        now=now,
    )
    if paid or carried:
        session.execute(
            insert(AuditEntry),
            [
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "actor_id": actor.user_id if actor else None,
                    "actor_role": actor.role.value if actor else None,
                    "action": "payout.paid" if net > 0 else "payout.carried_forward",
                    "target_type": "provider",
                    "target_id": str(provider_id),
                    "reason": None,
                    "changes": {"batch_id": str(batch.id), "net_cents": net},
                    "created_at": now,
                }
                for provider_id, net in nets.items()
                if net != 0
            ],
        )
    record_audit(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action="payout_batch.completed",
        target_type="payout_batch",
        target_id=batch.id,
        changes={
            "total_cents": total,
            "providers_paid": len(paid),
            "providers_carried_forward": len(carried),
            "payouts": len(rows),
            "period_start": period_start.isoformat() if period_start else None,
            "period_end": period_end.isoformat() if period_end else None,
        },
    )
    return BatchResult(
        batch_id=batch.id,
        total_cents=total,
        provider_count=len(paid),
        payout_count=len(rows),
        paid=paid,
        carried_forward=carried,
    )
