"""Bringing a technician on board: invite by email, accept the link, approval by staff.

Ops invite a provider with their name, email and phone; the provider gets an email with a link
that works for 72 hours, sets a password and lands in the portal as a *pending* provider.
Only after staff approve them (their credentials checked) can they go available and receive
offers. Every step is audited, and the email goes through the outbox in the same transaction as
the invite, so an invite is never recorded without its email or emailed without its record.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import Conflict, NotFound, ValidationFailed
from roadside_console.domain.core.phones import normalize_phone
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import OneTimeToken, TokenPurpose, User
from roadside_console.domain.identity.passwords import hash_password
from roadside_console.domain.identity.service import (
    TOKEN_TTL,
    consume_one_time_token,
    issue_one_time_token,
)
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.outbox import queue_message
from roadside_console.domain.providers.models import Provider, ProviderStatus
from roadside_console.domain.tenants.models import Tenant
from roadside_console.domain.tenants.service import get_tenant_settings

INVITE_PATH = "/provider/join"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class ProviderInvite:
    """An invite that went out: who, and until when the link works."""

    provider_id: uuid.UUID
    email: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class JoinedProvider:
    """A provider who accepted their invite and can now sign in."""

    provider_id: uuid.UUID
    user_id: uuid.UUID
    tenant_slug: str
    email: str


def _clean_email(raw: str) -> str:
    email = raw.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise ValidationFailed(
            "invalid_email", "Enter an email address like name@example.com.", field="email"
        )
    return email


def _clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > 200:
        raise ValidationFailed("invalid_name", "Enter the provider's full name.", field="name")
    return name


def _email_taken(session: Session, tenant_id: uuid.UUID, email: str) -> bool:
    user = session.exec(
        select(User.id).where(User.tenant_id == tenant_id, func.lower(User.email) == email)
    ).first()
    provider = session.exec(
        select(Provider.id).where(
            Provider.tenant_id == tenant_id, func.lower(Provider.email) == email
        )
    ).first()
    return user is not None or provider is not None


def _issue_invite(
    session: Session, *, actor: Actor, provider: Provider, email: str, now: datetime
) -> None:
    """Issue a one-time join link for the provider and email it (through the outbox)."""
    raw = issue_one_time_token(
        session,
        tenant_id=actor.tenant_id,
        purpose=TokenPurpose.PROVIDER_INVITE,
        email=email,
        provider_id=provider.id,
        created_by_id=actor.user_id,
        now=now,
    )
    tenant = session.get(Tenant, actor.tenant_id)
    _send_invite_email(
        session,
        provider=provider,
        tenant_name=tenant.name if tenant else "Your operator",
        raw_token=raw,
        now=now,
    )


def _send_invite_email(
    session: Session,
    *,
    provider: Provider,
    tenant_name: str,
    raw_token: str,
    now: datetime,
) -> None:
    link = f"{get_settings().public_base_url.rstrip('/')}{INVITE_PATH}?token={raw_token}"
    hours = int(TOKEN_TTL[TokenPurpose.PROVIDER_INVITE].total_seconds() // 3600)
    queue_message(
        session,
        tenant_id=provider.tenant_id,
        channel=Channel.EMAIL,
        topic="providers.invite",
        recipient=provider.email,
        subject=f"You're invited to take jobs with {tenant_name}",
        body=(
            f"Hi {provider.name},\n\n{tenant_name} invited you to join as a service provider.\n"
            f"Set your password and open your jobs here: {link}\n\n"
            f"The link works for {hours} hours. If you did not expect this, ignore this email."
        ),
        payload={"provider_id": str(provider.id)},
        now=now,
    )


def invite_provider(
    uow: UnitOfWork,
    *,
    actor: Actor,
    name: str,
    email: str,
    phone: str,
    specialties: list[str] | None = None,
    now: datetime | None = None,
) -> ProviderInvite:
    """Create a pending provider and email them a 72-hour link to set their password."""
    require(actor, Permission.MANAGE_PROVIDERS)
    now = now or utc_now()
    session = uow.session
    clean_name, clean_email = _clean_name(name), _clean_email(email)
    clean_phone = normalize_phone(phone)
    if _email_taken(session, actor.tenant_id, clean_email):
        raise Conflict(
            "email_taken",
            f"Someone in this workspace already uses {clean_email}.",
            field="email",
        )
    provider = Provider(
        tenant_id=actor.tenant_id,
        name=clean_name,
        email=clean_email,
        phone=clean_phone,
        status=ProviderStatus.PENDING,
        # new providers start on the workspace's default share; their page changes it
        commission_rate_bp=get_tenant_settings(session, actor.tenant_id).default_provider_share_bp,
        specialties=sorted({s.strip().lower() for s in specialties or [] if s.strip()}),
        created_at=now,
        updated_at=now,
    )
    session.add(provider)
    session.flush()
    _issue_invite(session, actor=actor, provider=provider, email=clean_email, now=now)
    record_audit(
        session,
        actor=actor,
        action="provider.invited",
        target_type="provider",
        target_id=provider.id,
        changes={"email": clean_email, "name": clean_name},
    )
    invite = ProviderInvite(provider.id, clean_email, now + TOKEN_TTL[TokenPurpose.PROVIDER_INVITE])
    uow.commit()
    return invite


def resend_provider_invite(
    uow: UnitOfWork, *, actor: Actor, provider_id: uuid.UUID, now: datetime | None = None
) -> ProviderInvite:
    """Send a fresh link to a provider who has not joined yet; earlier links stop working."""
    require(actor, Permission.MANAGE_PROVIDERS)
    now = now or utc_now()
    session = uow.session
    provider = _provider(session, actor.tenant_id, provider_id)
    if provider.user_id is not None:
        raise Conflict("provider_already_joined", f"{provider.name} has already joined.")
    session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.tenant_id == actor.tenant_id,  # type: ignore[arg-type]
            OneTimeToken.provider_id == provider.id,  # type: ignore[arg-type]
            OneTimeToken.purpose == TokenPurpose.PROVIDER_INVITE,  # type: ignore[arg-type]
            OneTimeToken.used_at.is_(None),  # type: ignore[union-attr]
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    _issue_invite(session, actor=actor, provider=provider, email=provider.email, now=now)
    record_audit(
        session,
        actor=actor,
        action="provider.invite_resent",
        target_type="provider",
        target_id=provider.id,
    )
    invite = ProviderInvite(
        provider.id, provider.email, now + TOKEN_TTL[TokenPurpose.PROVIDER_INVITE]
    )
    uow.commit()
    return invite


def accept_provider_invite(
    uow: UnitOfWork, *, token: str, password: str, now: datetime | None = None
) -> JoinedProvider:
    """Turn an invite link into a provider account (pending approval) with its own password.

    The link proves the email address, so it counts as verified. A used or expired link
    answers with the same message as an unknown one.
    """
    now = now or utc_now()
    session = uow.session
    password_hash = hash_password(password)
    one_time = consume_one_time_token(
        session, token=token, purpose=TokenPurpose.PROVIDER_INVITE, now=now
    )
    provider = session.get(Provider, one_time.provider_id) if one_time.provider_id else None
    if provider is None:
        raise NotFound("provider_not_found", "This invite was withdrawn. Ask for a new one.")
    if provider.user_id is not None:
        raise Conflict("provider_already_joined", "You have already joined. Sign in instead.")
    user = User(
        tenant_id=provider.tenant_id,
        email=provider.email,
        name=provider.name,
        phone=provider.phone,
        password_hash=password_hash,
        role=Role.PROVIDER,
        email_verified_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    provider.user_id = user.id
    provider.updated_at = now
    session.add(provider)
    record_audit(
        session,
        actor=None,
        tenant_id=provider.tenant_id,
        action="provider.joined",
        target_type="provider",
        target_id=provider.id,
        changes={"user_id": str(user.id)},
    )
    tenant = session.get(Tenant, provider.tenant_id)
    joined = JoinedProvider(provider.id, user.id, tenant.slug if tenant else "", provider.email)
    uow.commit()
    return joined


def approve_provider(
    uow: UnitOfWork,
    *,
    actor: Actor,
    provider_id: uuid.UUID,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Let a pending provider take jobs (staff checked their credentials first)."""
    require(actor, Permission.MANAGE_PROVIDERS)
    now = now or utc_now()
    session = uow.session
    provider = _provider(session, actor.tenant_id, provider_id)
    changed = session.execute(
        update(Provider)
        .where(
            Provider.id == provider.id,  # type: ignore[arg-type]
            Provider.status == ProviderStatus.PENDING,  # type: ignore[arg-type]
        )
        .values(status=ProviderStatus.ACTIVE, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise Conflict(
            "provider_not_pending",
            f"{provider.name} is {provider.status.value}, not waiting for approval.",
        )
    record_audit(
        session,
        actor=actor,
        action="provider.approved",
        target_type="provider",
        target_id=provider.id,
        reason=reason,
        changes={"from": ProviderStatus.PENDING.value, "to": ProviderStatus.ACTIVE.value},
    )
    uow.commit()


def _provider(session: Session, tenant_id: uuid.UUID, provider_id: uuid.UUID) -> Provider:
    provider = session.exec(
        select(Provider).where(Provider.id == provider_id, Provider.tenant_id == tenant_id)
    ).first()
    if provider is None:
        raise NotFound("provider_not_found", "No such provider.")
    return provider
