"""Provider credentials: what a licence's expiry means for dispatch, and staff recording them.

A driver's licence, insurance or tow-operator licence whose latest copy has expired keeps the
provider out of dispatch (`dispatch.rules.GATING_CREDENTIALS`); certifications are informational.
Staff see a warning 30 days ahead so a renewal can be chased before the gate closes. Days are
the tenant's business days, the same calendar dispatch uses.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.rules import GATING_CREDENTIALS
from roadside_console.domain.providers.models import CredentialKind, Provider, ProviderCredential
from roadside_console.domain.tenants.service import get_tenant

EXPIRY_WARNING = timedelta(days=30)
MAX_VALIDITY = timedelta(days=366 * 20)
VALID, EXPIRING, EXPIRED, REPLACED = "valid", "expiring", "expired", "replaced"


@dataclass(frozen=True, slots=True)
class CredentialSaved:
    """The credential as stored after an add or a renewal."""

    credential_id: uuid.UUID
    kind: str
    expires_on: date
    renewed: bool


def credential_state(expires_on: date, today: date) -> str:
    """Say whether a credential is valid, expiring within 30 days, or expired."""
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + EXPIRY_WARNING:
        return EXPIRING
    return VALID


def dispatch_blockers(latest_expiry: dict[str, date], today: date) -> list[str]:
    """Return why credentials keep the provider out of dispatch (the latest copy per kind)."""
    return [
        f"{kind_label(kind)} expired on {expires_on.isoformat()}"
        for kind, expires_on in sorted(latest_expiry.items())
        if kind in GATING_CREDENTIALS and expires_on < today
    ]


def latest_by_kind(credentials: Iterable[tuple[str, date]]) -> dict[str, date]:
    """Return the latest expiry of each kind (a renewal supersedes the copy it replaces)."""
    latest: dict[str, date] = {}
    for kind, expires_on in credentials:
        if kind not in latest or expires_on > latest[kind]:
            latest[kind] = expires_on
    return latest


def kind_label(kind: str) -> str:
    """Human name of a credential kind ("tow_operator_licence" → "Tow operator licence")."""
    return kind.replace("_", " ").capitalize()


def business_today(session: Session, tenant_id: uuid.UUID, now: datetime) -> date:
    """Return the tenant's calendar date at `now` (credential expiry is a local date)."""
    return now.astimezone(ZoneInfo(get_tenant(session, tenant_id).timezone)).date()


def _clean(text: str, *, limit: int, field: str, label: str) -> str:
    value = " ".join((text or "").split())
    if len(value) > limit:
        raise ValidationFailed(
            f"{field}_too_long", f"{label} is at most {limit} characters.", field=field
        )
    return value


def save_credential(
    uow: UnitOfWork,
    *,
    actor: Actor,
    provider_id: uuid.UUID,
    expires_on: date,
    kind: CredentialKind | None = None,
    number: str = "",
    issuer: str = "",
    credential_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> CredentialSaved:
    """Record a credential staff have checked, or renew one (same kind; new expiry, number).

    `kind` names a new credential; a renewal (`credential_id`) keeps its kind. Staff enter
    what they saw on the document, so it counts as verified now. An expiry date
    already in the past is refused: it would qualify nobody and is almost always a typo.
    """
    require(actor, Permission.MANAGE_PROVIDERS)
    now = now or utc_now()
    session = uow.session
    provider = session.execute(
        sa.select(Provider).where(Provider.id == provider_id, Provider.tenant_id == actor.tenant_id)
    ).scalar_one_or_none()
    if provider is None:
        raise NotFound("provider_not_found", "No such provider.")
    today = business_today(session, actor.tenant_id, now)
    if expires_on < today:
        raise ValidationFailed(
            "credential_expired",
            f"The expiry date {expires_on.isoformat()} has passed; enter the date on the "
            "current document.",
            field="expires_on",
        )
    if expires_on > today + MAX_VALIDITY:
        raise ValidationFailed(
            "credential_expiry_too_far",
            "An expiry date more than 20 years ahead is not plausible; check the year.",
            field="expires_on",
        )
    clean_number = _clean(number, limit=80, field="number", label="The number")
    clean_issuer = _clean(issuer, limit=120, field="issuer", label="The issuer")
    if credential_id is None:
        if kind is None:
            raise ValidationFailed("credential_kind_required", "Choose the kind.", field="kind")
        credential = ProviderCredential(
            tenant_id=actor.tenant_id, provider_id=provider.id, kind=kind, created_at=now
        )
        before: dict[str, str] = {}
    else:
        found = session.execute(
            sa.select(ProviderCredential).where(
                ProviderCredential.id == credential_id,
                ProviderCredential.provider_id == provider.id,
                ProviderCredential.tenant_id == actor.tenant_id,
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("credential_not_found", "No such credential for this provider.")
        credential = found
        before = {"expires_on": credential.expires_on.isoformat(), "number": credential.number}
    credential.expires_on = expires_on
    credential.number = clean_number
    credential.issuer = clean_issuer
    credential.verified_at = now
    credential.updated_at = now
    session.add(credential)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="provider.credential_renewed" if before else "provider.credential_added",
        target_type="provider",
        target_id=provider.id,
        changes={
            "credential_id": str(credential.id),
            "kind": credential.kind.value,
            "from": before or None,
            "to": {"expires_on": expires_on.isoformat(), "number": clean_number},
        },
    )
    saved = CredentialSaved(credential.id, credential.kind.value, expires_on, bool(before))
    uow.commit()
    return saved
