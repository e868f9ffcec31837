"""People who sign in, their sessions, one-time tokens and API tokens.

Secrets (passwords, session ids, tokens) are never stored in the clear: passwords as Argon2
hashes, tokens as SHA-256 digests of high-entropy random strings.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.tables import (
    CreatedMixin,
    IdMixin,
    TenantScoped,
    TimestampsMixin,
    enum_type,
    json_field,
)


class User(TenantScoped, TimestampsMixin, table=True):
    """A person in one tenant: staff, provider or customer."""

    __tablename__ = "users"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "email", name="uq_users_tenant_email"),
        sa.UniqueConstraint("tenant_id", "referral_code", name="uq_users_tenant_referral_code"),
        sa.CheckConstraint("trust_tier IN (1, 2)", name="ck_users_trust_tier"),
        sa.Index("ix_users_tenant_role", "tenant_id", "role"),
    )

    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    password_hash: str | None = Field(default=None, max_length=255)
    role: Role = Field(default=Role.CUSTOMER, sa_type=enum_type(Role))
    is_active: bool = True
    email_verified_at: datetime | None = None
    last_login_at: datetime | None = None
    trust_tier: int = 1
    clean_payment_count: int = 0
    referral_code: str | None = Field(default=None, max_length=16)
    referred_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )


class UserSession(TenantScoped, CreatedMixin, table=True):
    """A signed-in browser; the cookie holds the raw id, the table its digest."""

    __tablename__ = "user_sessions"

    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None
    ip_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=400)


class TokenPurpose(StrEnum):
    """What a one-time token is for."""

    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_RESET = "password_reset"
    PROVIDER_INVITE = "provider_invite"


class OneTimeToken(TenantScoped, CreatedMixin, table=True):
    """An emailed link: verification, password reset or provider invite (72 h)."""

    __tablename__ = "one_time_tokens"
    __table_args__ = (sa.Index("ix_one_time_tokens_email", "tenant_id", "email", "purpose"),)

    purpose: TokenPurpose = Field(sa_type=enum_type(TokenPurpose))
    email: str = Field(max_length=254)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    provider_id: uuid.UUID | None = Field(
        default=None, foreign_key="providers.id", ondelete="CASCADE"
    )
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )


class ApiToken(TenantScoped, CreatedMixin, table=True):
    """A bearer token for the public API, owned by a user or a B2B account."""

    __tablename__ = "api_tokens"

    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="CASCADE"
    )
    b2b_account_id: uuid.UUID | None = Field(
        default=None, foreign_key="b2b_accounts.id", index=True, ondelete="CASCADE"
    )
    scopes: list[str] = json_field(default_factory=list)
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginAttempt(IdMixin, CreatedMixin, table=True):
    """One sign-in attempt, kept to throttle guessing per account and per address.

    Not tenant-scoped: it is recorded before anyone is identified, keyed by what was typed.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_account_time", "account_key", "created_at"),
        sa.Index("ix_login_attempts_ip_time", "ip_address", "created_at"),
    )

    account_key: str = Field(max_length=320)
    ip_address: str = Field(max_length=64)
    succeeded: bool = False
