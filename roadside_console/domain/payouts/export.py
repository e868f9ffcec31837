"""The bank-transfer file of a payout batch: one line per provider paid."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import func
from sqlmodel import col, select

from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.payouts.models import PayoutBatch, ProviderPayout
from roadside_console.domain.providers.models import Provider

CSV_HEADER = ["provider_id", "provider_name", "provider_email", "amount", "reference"]


def transfer_reference(batch_id: uuid.UUID, provider_id: uuid.UUID) -> str:
    """A short, stable reference the bank shows to the provider."""
    return f"RS-{batch_id.hex[:8].upper()}-{provider_id.hex[:8].upper()}"


def export_batch_csv(uow: UnitOfWork, *, actor: Actor, batch_id: uuid.UUID) -> str:
    """Return the batch's bank-transfer CSV: provider, amount in dollars, reference."""
    require(actor, Permission.MANAGE_PAYOUTS)
    session = uow.session
    batch = session.exec(
        select(PayoutBatch).where(
            PayoutBatch.id == batch_id, PayoutBatch.tenant_id == actor.tenant_id
        )
    ).first()
    if batch is None:
        raise NotFound("payout_batch_not_found", "No such payout batch.")
    net = func.sum(ProviderPayout.amount_cents)
    rows = session.exec(
        select(Provider.id, Provider.name, Provider.email, net)
        .join(ProviderPayout, ProviderPayout.provider_id == Provider.id)
        .where(ProviderPayout.batch_id == batch.id, ProviderPayout.tenant_id == actor.tenant_id)
        .group_by(col(Provider.id), col(Provider.name), col(Provider.email))
        .having(net > 0)
        .order_by(col(Provider.name), col(Provider.id))
    ).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for provider_id, name, email, cents in rows:
        dollars, rest = divmod(int(cents), 100)
        writer.writerow(
            [
                str(provider_id),
                name,
                email,
                f"{dollars}.{rest:02d}",
                transfer_reference(batch.id, provider_id),
            ]
        )
    return buffer.getvalue()
