"""Read models for the payouts desk: what each provider is owed, clawbacks, and paid batches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import col, select

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.identity.models import User
from roadside_console.domain.payouts.export import transfer_reference
from roadside_console.domain.payouts.models import (
    PayoutBatch,
    PayoutBatchStatus,
    PayoutKind,
    PayoutStatus,
    ProviderPayout,
)
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.tenants.service import get_tenant

PAGE_SIZE_MAX = 100
PP = ProviderPayout


@dataclass(frozen=True, slots=True)
class ProviderOwedRow:
    """One provider's unpaid lines: earnings and bonuses, clawbacks, held lines, and the net."""

    provider_id: uuid.UUID
    provider_name: str
    lines: int
    earned_cents: int
    clawback_cents: int
    held_cents: int
    net_cents: int


@dataclass(frozen=True, slots=True)
class PendingPayoutsPage:
    """A page of providers with unpaid lines, and the tenant-wide sums a batch would pay."""

    rows: list[ProviderOwedRow]
    total_providers: int
    pending_net_cents: int
    clawback_cents: int
    page: int
    page_size: int
    timezone: str


@dataclass(frozen=True, slots=True)
class ClawbackRow:
    """A clawback not yet settled by a batch (money a provider owes back after a refund)."""

    payout_id: uuid.UUID
    provider_name: str
    booking_reference: str
    amount_cents: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BatchLine:
    """What one provider received in a batch, with the reference their bank shows."""

    provider_id: uuid.UUID
    provider_name: str
    net_cents: int
    transfer_reference: str


@dataclass(frozen=True, slots=True)
class BatchView:
    """A completed payout batch with one line per provider paid."""

    batch_id: uuid.UUID
    created_at: datetime
    total_cents: int
    provider_count: int
    lines: list[BatchLine]
    timezone: str


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """One past batch as the history lists it; `run_by` is empty for a scheduled run."""

    batch_id: uuid.UUID
    created_at: datetime
    run_by: str
    provider_count: int
    total_cents: int
    period_start: date | None
    period_end: date | None


@dataclass(frozen=True, slots=True)
class BatchHistoryPage:
    """A page of completed batches, newest first."""

    rows: list[BatchSummary]
    total: int
    page: int
    page_size: int
    timezone: str


def pending_payouts_by_provider(
    uow: UnitOfWork, *, actor: Actor, page: int = 1, page_size: int = 25
) -> PendingPayoutsPage:
    """Return providers with pending or held lines, largest net first, grouped in SQL."""
    require(actor, Permission.MANAGE_PAYOUTS)
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, page)
    session = uow.session
    unpaid = [
        PP.tenant_id == actor.tenant_id,
        col(PP.status).in_((PayoutStatus.PENDING, PayoutStatus.HELD)),
    ]
    pending = PP.status == PayoutStatus.PENDING
    earned = func.coalesce(
        func.sum(case((pending & (PP.kind != PayoutKind.CLAWBACK), PP.amount_cents), else_=0)), 0
    )
    clawed = func.coalesce(
        func.sum(case((pending & (PP.kind == PayoutKind.CLAWBACK), PP.amount_cents), else_=0)), 0
    )
    held = func.coalesce(
        func.sum(case((PP.status == PayoutStatus.HELD, PP.amount_cents), else_=0)), 0
    )
    net = earned + clawed
    totals = session.exec(
        select(func.count(func.distinct(PP.provider_id)), earned, clawed).where(*unpaid)
    ).one()
    rows = session.exec(
        select(Provider.id, Provider.name, func.count(), earned, clawed, held)
        .join(Provider, Provider.id == PP.provider_id)
        .where(*unpaid)
        .group_by(col(Provider.id), col(Provider.name))
        .order_by(net.desc(), col(Provider.name), col(Provider.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return PendingPayoutsPage(
        rows=[
            ProviderOwedRow(
                provider_id=provider_id,
                provider_name=name,
                lines=int(lines),
                earned_cents=int(earned_cents),
                clawback_cents=int(clawback_cents),
                held_cents=int(held_cents),
                net_cents=int(earned_cents) + int(clawback_cents),
            )
            for provider_id, name, lines, earned_cents, clawback_cents, held_cents in rows
        ],
        total_providers=int(totals[0]),
        pending_net_cents=int(totals[1]) + int(totals[2]),
        clawback_cents=int(totals[2]),
        page=page,
        page_size=page_size,
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )


def outstanding_clawbacks(uow: UnitOfWork, *, actor: Actor, limit: int = 50) -> list[ClawbackRow]:
    """Return pending clawbacks, oldest first (a batch nets them against the provider's pay)."""
    require(actor, Permission.MANAGE_PAYOUTS)
    rows = uow.session.exec(
        select(PP.id, Provider.name, Booking.reference, PP.amount_cents, PP.created_at)
        .join(Provider, Provider.id == PP.provider_id)
        .join(Booking, Booking.id == PP.booking_id, isouter=True)
        .where(
            PP.tenant_id == actor.tenant_id,
            PP.status == PayoutStatus.PENDING,
            PP.kind == PayoutKind.CLAWBACK,
        )
        .order_by(col(PP.created_at), col(PP.id))
        .limit(max(1, min(limit, PAGE_SIZE_MAX)))
    ).all()
    return [
        ClawbackRow(
            payout_id=payout_id,
            provider_name=name,
            booking_reference=reference or "carried forward",
            amount_cents=int(amount),
            created_at=as_utc(created_at),
        )
        for payout_id, name, reference, amount, created_at in rows
    ]


def payout_batch(uow: UnitOfWork, *, actor: Actor, batch_id: uuid.UUID) -> BatchView:
    """Return a batch with what each provider received (net of clawbacks), by name."""
    require(actor, Permission.MANAGE_PAYOUTS)
    session = uow.session
    batch = session.exec(
        select(PayoutBatch).where(
            PayoutBatch.id == batch_id, PayoutBatch.tenant_id == actor.tenant_id
        )
    ).first()
    if batch is None:
        raise NotFound("payout_batch_not_found", "No such payout batch.")
    net = func.sum(PP.amount_cents)
    rows = session.exec(
        select(Provider.id, Provider.name, net)
        .join(PP, PP.provider_id == Provider.id)
        .where(PP.batch_id == batch.id, PP.tenant_id == actor.tenant_id)
        .group_by(col(Provider.id), col(Provider.name))
        .having(net > 0)
        .order_by(col(Provider.name), col(Provider.id))
    ).all()
    return BatchView(
        batch_id=batch.id,
        created_at=as_utc(batch.created_at),
        total_cents=batch.total_cents,
        provider_count=batch.provider_count,
        lines=[
            BatchLine(
                provider_id=provider_id,
                provider_name=name,
                net_cents=int(cents),
                transfer_reference=transfer_reference(batch.id, provider_id),
            )
            for provider_id, name, cents in rows
        ],
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )


def payout_batch_history(
    uow: UnitOfWork, *, actor: Actor, page: int = 1, page_size: int = 10
) -> BatchHistoryPage:
    """Return completed batches newest first, with who ran them, so finance can export again."""
    require(actor, Permission.MANAGE_PAYOUTS)
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, page)
    session = uow.session
    completed = [
        PayoutBatch.tenant_id == actor.tenant_id,
        PayoutBatch.status == PayoutBatchStatus.COMPLETED,
    ]
    total = session.exec(select(func.count()).select_from(PayoutBatch).where(*completed)).one()
    rows = session.exec(
        select(PayoutBatch, User.name)
        .join(User, col(User.id) == PayoutBatch.created_by_id, isouter=True)
        .where(*completed)
        .order_by(col(PayoutBatch.created_at).desc(), col(PayoutBatch.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return BatchHistoryPage(
        rows=[
            BatchSummary(
                batch_id=batch.id,
                created_at=as_utc(batch.created_at),
                run_by=name or "",
                provider_count=batch.provider_count,
                total_cents=batch.total_cents,
                period_start=batch.period_start,
                period_end=batch.period_end,
            )
            for batch, name in rows
        ],
        total=int(total),
        page=page,
        page_size=page_size,
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )
