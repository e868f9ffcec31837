"""Staff changing a provider: commission terms, availability on their behalf, specialties.

The provider's own availability switch (`service.set_availability`) acts on the signed-in
provider; these act on any provider of the tenant and leave an audit entry naming who did it.
Commission is what the provider is paid, so only a role that manages both providers and payouts
(admin) may change it; dispatchers see it read-only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, NotFound, ValidationFailed
from roadside_console.domain.core.money import BASIS_POINTS
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.providers.availability import switch_availability
from roadside_console.domain.providers.models import CommissionType, Provider
from roadside_console.domain.providers.schemas import AvailabilityView

MAX_FLAT_FEE_CENTS = 1_000_000  # $10,000 per job: anything above is a typo
MAX_SPECIALTIES = 20
MAX_SPECIALTY_LENGTH = 40


@dataclass(frozen=True, slots=True)
class CommissionView:
    """A provider's commission terms as stored."""

    provider_id: uuid.UUID
    commission_type: str
    rate_bp: int
    flat_fee_cents: int | None


def may_change_commission(actor: Actor) -> bool:
    """Tell whether the actor may change what providers are paid (admin)."""
    return actor.can(Permission.MANAGE_PROVIDERS) and actor.can(Permission.MANAGE_PAYOUTS)


def _provider(session: Session, actor: Actor, provider_id: uuid.UUID) -> Provider:
    provider = session.execute(
        sa.select(Provider).where(Provider.id == provider_id, Provider.tenant_id == actor.tenant_id)
    ).scalar_one_or_none()
    if provider is None:
        raise NotFound("provider_not_found", "No such provider.")
    return provider


def update_commission(
    uow: UnitOfWork,
    *,
    actor: Actor,
    provider_id: uuid.UUID,
    commission_type: CommissionType,
    rate_bp: int | None = None,
    flat_fee_cents: int | None = None,
    now: datetime | None = None,
) -> CommissionView:
    """Pay the provider a share of each job (basis points) or a flat fee per job (cents).

    A percentage keeps no flat fee behind (so the payout rules cannot pick a stale one); a flat
    fee keeps the last percentage, which the provider returns to if switched back.
    """
    require(actor, Permission.MANAGE_PROVIDERS)
    require(actor, Permission.MANAGE_PAYOUTS)
    now = now or utc_now()
    session = uow.session
    provider = _provider(session, actor, provider_id)
    if commission_type is CommissionType.PERCENTAGE:
        if rate_bp is None or not 0 <= rate_bp <= BASIS_POINTS:
            raise ValidationFailed(
                "invalid_commission_rate",
                "The provider's share is a percentage from 0 to 100.",
                field="rate",
            )
        new_rate, new_fee = rate_bp, None
    else:
        if flat_fee_cents is None or not 0 < flat_fee_cents <= MAX_FLAT_FEE_CENTS:
            raise ValidationFailed(
                "invalid_flat_fee",
                "The flat fee per job is an amount above $0.00 and at most $10,000.00.",
                field="flat_fee",
            )
        new_rate, new_fee = provider.commission_rate_bp, flat_fee_cents
    before = {
        "type": provider.commission_type.value,
        "rate_bp": provider.commission_rate_bp,
        "flat_fee_cents": provider.flat_fee_cents,
    }
    provider.commission_type = commission_type
    provider.commission_rate_bp = new_rate
    provider.flat_fee_cents = new_fee
    provider.updated_at = now
    session.add(provider)
    after = {"type": commission_type.value, "rate_bp": new_rate, "flat_fee_cents": new_fee}
    if after != before:
        record_audit(
            session,
            actor=actor,
            action="provider.commission_changed",
            target_type="provider",
            target_id=provider.id,
            changes={"from": before, "to": after},
        )
    view = CommissionView(provider.id, commission_type.value, new_rate, new_fee)
    uow.commit()
    return view


def set_provider_availability(
    uow: UnitOfWork,
    *,
    actor: Actor,
    provider_id: uuid.UUID,
    available: bool,
    reason: str | None = None,
    now: datetime | None = None,
) -> AvailabilityView:
    """Put a provider on or off duty for them (say they phoned in); only an active one goes on.

    As in the provider's own switch, the status is checked in the same UPDATE, so a provider
    deactivated a moment ago cannot be put back on duty.
    """
    require(actor, Permission.MANAGE_PROVIDERS)
    now = now or utc_now()
    session = uow.session
    provider = _provider(session, actor, provider_id)
    was_available = provider.is_available
    if not switch_availability(session, provider=provider, available=available, now=now):
        raise Conflict(
            "provider_not_active",
            f"{provider.name} is {provider.status.value}; only an active provider can go "
            "available.",
            field="available",
        )
    if was_available != available:
        record_audit(
            session,
            actor=actor,
            action="provider.availability_changed",
            target_type="provider",
            target_id=provider.id,
            reason=(reason or "").strip() or None,
            changes={"from": was_available, "to": available},
        )
    view = AvailabilityView(
        provider_id=provider.id, available=available, status=provider.status.value
    )
    uow.commit()
    return view


def clean_specialties(raw: list[str]) -> list[str]:
    """Return specialties as dispatch matches them: lower case, trimmed, unique, sorted."""
    cleaned = sorted({" ".join(s.split()).lower() for s in raw if s and s.strip()})
    if len(cleaned) > MAX_SPECIALTIES:
        raise ValidationFailed(
            "too_many_specialties",
            f"List at most {MAX_SPECIALTIES} specialties.",
            field="specialties",
        )
    too_long = [s for s in cleaned if len(s) > MAX_SPECIALTY_LENGTH]
    if too_long:
        raise ValidationFailed(
            "specialty_too_long",
            f"A specialty is at most {MAX_SPECIALTY_LENGTH} characters: {too_long[0][:60]}",
            field="specialties",
        )
    return cleaned


def set_specialties(
    uow: UnitOfWork,
    *,
    actor: Actor,
    provider_id: uuid.UUID,
    specialties: list[str],
    now: datetime | None = None,
) -> list[str]:
    """Replace the services a provider is offered (service categories or slugs)."""
    require(actor, Permission.MANAGE_PROVIDERS)
    now = now or utc_now()
    session = uow.session
    provider = _provider(session, actor, provider_id)
    cleaned = clean_specialties(specialties)
    before = list(provider.specialties or [])
    if cleaned != before:
        provider.specialties = cleaned
        provider.updated_at = now
        session.add(provider)
        record_audit(
            session,
            actor=actor,
            action="provider.specialties_changed",
            target_type="provider",
            target_id=provider.id,
            changes={"from": before, "to": cleaned},
        )
    uow.commit()
    return cleaned
