"""Sign-in, sessions, one-time tokens and API tokens.

Each public function is one use case over a `UnitOfWork`; failures say as little as possible
("invalid email or password") so nobody can probe which accounts exist.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import AuthenticationFailed, NotFound, ValidationFailed
from roadside_console.domain.core.secrets import new_token, token_digest
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity import throttle
from roadside_console.domain.identity.models import (
    ApiToken,
    OneTimeToken,
    TokenPurpose,
    User,
    UserSession,
)
from roadside_console.domain.identity.passwords import hash_password, needs_rehash, verify_password
from roadside_console.domain.identity.schemas import IssuedApiToken, SessionProfile, SignedIn
from roadside_console.domain.identity.token_cache import api_token_actors
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.outbox import queue_message
from roadside_console.domain.tenants.service import get_tenant, get_tenant_by_slug

INVALID_CREDENTIALS = "Invalid email or password."
TOKEN_TTL = {
    TokenPurpose.EMAIL_VERIFICATION: timedelta(hours=48),
    TokenPurpose.PASSWORD_RESET: timedelta(hours=1),
    TokenPurpose.PROVIDER_INVITE: timedelta(hours=72),
}
API_TOKEN_PREFIX = "rsk"


def actor_for(user: User) -> Actor:
    """Build the acting identity of a user."""
    return Actor(user_id=user.id, tenant_id=user.tenant_id, role=user.role, name=user.name)


def _check_credentials(
    uow: UnitOfWork,
    *,
    tenant_slug: str,
    email: str,
    password: str,
    ip_address: str,
    now: datetime,
) -> User:
    """Return the user these credentials belong to, throttling and recording every attempt.

    A failure is committed on its own (so throttling counts it) before the generic error.
    """
    session = uow.session
    key = throttle.account_key(tenant_slug, email)
    throttle.ensure_not_throttled(session, key=key, ip_address=ip_address, now=now)
    tenant = get_tenant_by_slug(session, tenant_slug)
    user = (
        session.exec(
            select(User).where(User.tenant_id == tenant.id, User.email == email.strip().lower())
        ).first()
        if tenant and "\x00" not in email
        else None
    )
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        throttle.record_attempt(session, key=key, ip_address=ip_address, succeeded=False, now=now)
        uow.commit()
        raise AuthenticationFailed("invalid_credentials", INVALID_CREDENTIALS)
    throttle.record_attempt(session, key=key, ip_address=ip_address, succeeded=True, now=now)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def sign_in(
    uow: UnitOfWork,
    *,
    tenant_slug: str,
    email: str,
    password: str,
    ip_address: str = "unknown",
    user_agent: str | None = None,
    now: datetime | None = None,
) -> SignedIn:
    """Check credentials and open a console session, throttling repeated failures."""
    now = now or utc_now()
    user = _check_credentials(
        uow,
        tenant_slug=tenant_slug,
        email=email,
        password=password,
        ip_address=ip_address,
        now=now,
    )
    raw = new_token()
    expires_at = now + timedelta(hours=get_settings().session_ttl_hours)
    uow.session.add(
        UserSession(
            tenant_id=user.tenant_id,
            user_id=user.id,
            token_hash=token_digest(raw),
            expires_at=expires_at,
            last_seen_at=now,
            ip_address=ip_address[:64],
            user_agent=(user_agent or "")[:400] or None,
        )
    )
    uow.commit()
    return SignedIn(session_token=raw, expires_at=expires_at, actor=actor_for(user))


def create_api_token_with_password(
    uow: UnitOfWork,
    *,
    tenant_slug: str,
    email: str,
    password: str,
    name: str,
    ip_address: str = "unknown",
    now: datetime | None = None,
) -> IssuedApiToken:
    """Exchange a password for an API token in one step (no console session is opened)."""
    now = now or utc_now()
    user = _check_credentials(
        uow,
        tenant_slug=tenant_slug,
        email=email,
        password=password,
        ip_address=ip_address,
        now=now,
    )
    return create_api_token(uow, actor=actor_for(user), name=name)


def resolve_session(
    uow: UnitOfWork, session_token: str | None, *, now: datetime | None = None
) -> Actor | None:
    """Return who holds this session token, or None if it is unknown, revoked or expired."""
    if not session_token:
        return None
    now = now or utc_now()
    row = uow.session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_digest(session_token))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if user_session.revoked_at is not None or user_session.expires_at <= now or not user.is_active:
        return None
    return actor_for(user)


def session_profile(
    uow: UnitOfWork, session_token: str | None, *, now: datetime | None = None
) -> SessionProfile | None:
    """Return the signed-in actor with their workspace, or None when the session is not valid."""
    actor = resolve_session(uow, session_token, now=now)
    if actor is None:
        return None
    tenant = get_tenant(uow.session, actor.tenant_id)
    return SessionProfile(actor=actor, tenant_name=tenant.name, tenant_slug=tenant.slug)


def sign_out(uow: UnitOfWork, session_token: str | None, *, now: datetime | None = None) -> None:
    """Revoke the session so the token stops working everywhere at once."""
    if not session_token:
        return
    user_session = uow.session.exec(
        select(UserSession).where(UserSession.token_hash == token_digest(session_token))
    ).first()
    if user_session is not None and user_session.revoked_at is None:
        user_session.revoked_at = now or utc_now()
        uow.commit()


def issue_one_time_token(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    purpose: TokenPurpose,
    email: str,
    user_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
    created_by_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> str:
    """Store the digest of a new emailed-link token and return the raw token."""
    now = now or utc_now()
    raw = new_token()
    session.add(
        OneTimeToken(
            tenant_id=tenant_id,
            purpose=purpose,
            email=email.strip().lower(),
            token_hash=token_digest(raw),
            expires_at=now + TOKEN_TTL[purpose],
            user_id=user_id,
            provider_id=provider_id,
            created_by_id=created_by_id,
        )
    )
    return raw


def _consume(session: Session, raw: str, purpose: TokenPurpose, now: datetime) -> OneTimeToken:
    token = session.exec(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == token_digest(raw), OneTimeToken.purpose == purpose
        )
    ).first()
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise ValidationFailed(
            "token_invalid",
            "This link is invalid or has expired. Ask for a new one.",
            field="token",
        )
    token.used_at = now
    return token


def consume_one_time_token(
    session: Session, *, token: str, purpose: TokenPurpose, now: datetime | None = None
) -> OneTimeToken:
    """Use up an emailed link's token of `purpose`, or raise `ValidationFailed` (field token).

    For use cases in other areas (provider invites) that redeem links inside their own
    transaction; the token is marked used when that transaction commits.
    """
    return _consume(session, token, purpose, now or utc_now())


def request_email_verification(
    uow: UnitOfWork, *, actor: Actor, now: datetime | None = None
) -> None:
    """Email the signed-in user a link that proves they own their address."""
    user = _user(uow.session, actor)
    raw = issue_one_time_token(
        uow.session,
        tenant_id=user.tenant_id,
        purpose=TokenPurpose.EMAIL_VERIFICATION,
        email=user.email,
        user_id=user.id,
        now=now,
    )
    link = f"{get_settings().public_base_url}/verify-email?token={raw}"
    queue_message(
        uow.session,
        tenant_id=user.tenant_id,
        channel=Channel.EMAIL,
        topic="identity.email_verification",
        recipient=user.email,
        subject="Confirm your email address",
        body=f"Hi {user.name},\n\nConfirm your email address: {link}\n\nThe link works for 48 hours.",
        now=now,
    )
    uow.commit()


def verify_email(uow: UnitOfWork, *, token: str, now: datetime | None = None) -> None:
    """Mark the address behind a verification link as verified."""
    now = now or utc_now()
    one_time = _consume(uow.session, token, TokenPurpose.EMAIL_VERIFICATION, now)
    user = uow.session.get(User, one_time.user_id) if one_time.user_id else None
    if user is None:
        raise NotFound("user_not_found", "This account no longer exists.")
    user.email_verified_at = now
    uow.commit()


def request_password_reset(
    uow: UnitOfWork, *, tenant_slug: str, email: str, now: datetime | None = None
) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    tenant = get_tenant_by_slug(uow.session, tenant_slug)
    if tenant is None:
        return
    user = uow.session.exec(
        select(User).where(User.tenant_id == tenant.id, User.email == email.strip().lower())
    ).first()
    if user is None or not user.is_active:
        return
    raw = issue_one_time_token(
        uow.session,
        tenant_id=tenant.id,
        purpose=TokenPurpose.PASSWORD_RESET,
        email=user.email,
        user_id=user.id,
        now=now,
    )
    link = f"{get_settings().public_base_url}/reset-password?token={raw}"
    queue_message(
        uow.session,
        tenant_id=tenant.id,
        channel=Channel.EMAIL,
        topic="identity.password_reset",
        recipient=user.email,
        subject="Reset your password",
        body=f"Hi {user.name},\n\nSet a new password: {link}\n\nThe link works for one hour. "
        "If you did not ask for this, ignore this email.",
        now=now,
    )
    uow.commit()


def reset_password(
    uow: UnitOfWork, *, token: str, new_password: str, now: datetime | None = None
) -> None:
    """Set a new password from a reset link and sign out every existing session."""
    now = now or utc_now()
    password_hash = hash_password(new_password)
    one_time = _consume(uow.session, token, TokenPurpose.PASSWORD_RESET, now)
    user = uow.session.get(User, one_time.user_id) if one_time.user_id else None
    if user is None:
        raise NotFound("user_not_found", "This account no longer exists.")
    user.password_hash = password_hash
    for user_session in uow.session.exec(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))  # type: ignore[union-attr]
    ):
        user_session.revoked_at = now
    uow.commit()


def create_api_token(
    uow: UnitOfWork, *, actor: Actor, name: str, expires_at: datetime | None = None
) -> IssuedApiToken:
    """Issue a bearer token for the API acting as `actor`; the raw value is returned once."""
    require(actor, Permission.MANAGE_API_TOKENS)
    name = name.strip()
    if not name:
        raise ValidationFailed("name_required", "Give the token a name.", field="name")
    prefix = new_token(6)[:8]
    raw = f"{API_TOKEN_PREFIX}_{prefix}_{new_token()}"
    token = ApiToken(
        tenant_id=actor.tenant_id,
        name=name[:120],
        prefix=prefix,
        token_hash=token_digest(raw),
        user_id=actor.user_id,
        expires_at=expires_at,
    )
    uow.session.add(token)
    record_audit(
        uow.session,
        actor=actor,
        action="api_token.created",
        target_type="api_token",
        target_id=token.id,
        changes={"name": token.name},
    )
    uow.commit()
    return IssuedApiToken(token_id=str(token.id), name=token.name, token=raw)


def revoke_api_token(
    uow: UnitOfWork, *, actor: Actor, token_id: uuid.UUID, now: datetime | None = None
) -> None:
    """Stop a token from working; staff may revoke any token of their tenant."""
    require(actor, Permission.MANAGE_API_TOKENS)
    token = uow.session.get(ApiToken, token_id)
    if (
        token is None
        or token.tenant_id != actor.tenant_id
        or (token.user_id != actor.user_id and not actor.can(Permission.MANAGE_SETTINGS))
    ):
        raise NotFound("api_token_not_found", "No such API token.")
    if token.revoked_at is None:
        token.revoked_at = now or utc_now()
        record_audit(
            uow.session,
            actor=actor,
            action="api_token.revoked",
            target_type="api_token",
            target_id=token.id,
        )
    uow.commit()
    api_token_actors.forget(token.token_hash)


def authenticate_api_token(
    uow: UnitOfWork, raw_token: str | None, *, now: datetime | None = None
) -> Actor:
    """Return the user acting through a bearer token, or raise `AuthenticationFailed`.

    Always asks the database, and remembers the answer for `cached_api_token_actor`.
    """
    now = now or utc_now()
    digest = token_digest(require_api_token_shape(raw_token))
    generation = api_token_actors.generation
    # One prepared SELECT of the columns the answer needs: a provider posting its position every
    # 30 s misses the few-second cache every time, and loading two ORM objects cost more than
    # the rest of the fix.
    row = uow.session.execute(_token_lookup(), {"tok_hash": digest}).first()
    if row is None:
        raise AuthenticationFailed("invalid_token", "Missing or invalid API token.")
    expired = row.expires_at is not None and row.expires_at <= now
    if row.revoked_at is not None or expired or not row.is_active:
        raise AuthenticationFailed("invalid_token", "Missing or invalid API token.")
    actor = Actor(
        user_id=row.user_id,
        tenant_id=row.tenant_id,
        role=Role(row.role),
        name=row.name,
        b2b_account_id=row.b2b_account_id,  # an account key acts for its account only
    )
    api_token_actors.put(
        digest, actor, generation=generation, token_expires_at=row.expires_at, now=now
    )
    return actor


@lru_cache(maxsize=1)
def _token_lookup() -> Any:
    """The token's state and its user's identity by token hash, built once."""
    token, user = ApiToken.__table__, User.__table__  # type: ignore[attr-defined]
    return (
        sa.select(
            token.c.expires_at,
            token.c.revoked_at,
            token.c.b2b_account_id,
            user.c.id.label("user_id"),
            user.c.tenant_id,
            user.c.role,
            user.c.name,
            user.c.is_active,
        )
        .join(user, user.c.id == token.c.user_id)
        .where(token.c.token_hash == sa.bindparam("tok_hash", type_=token.c.token_hash.type))
    )


def require_api_token_shape(raw_token: str | None) -> str:
    """Return the token if it looks like one of ours; refuse it (401) without a query if not."""
    if not raw_token or not raw_token.startswith(f"{API_TOKEN_PREFIX}_"):
        raise AuthenticationFailed("invalid_token", "Missing or invalid API token.")
    return raw_token


def cached_api_token_actor(raw_token: str) -> Actor | None:
    """Return the actor a token was seen acting for in the last few seconds, without a query.

    None means "ask `authenticate_api_token`", not "refused". Revoking a token here takes
    effect at once; in other processes within `token_cache.DEFAULT_TTL_SECONDS`.
    """
    if not raw_token.startswith(f"{API_TOKEN_PREFIX}_"):
        return None
    return api_token_actors.get(token_digest(raw_token))


def _user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id)
    if user is None or user.tenant_id != actor.tenant_id:
        raise NotFound("user_not_found", "This account no longer exists.")
    return user
