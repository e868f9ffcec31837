"""Sign-in throttling: 10 failures per 15 minutes per account and per address."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from roadside_console.domain.core.errors import Throttled
from roadside_console.domain.identity.models import LoginAttempt

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


ACCOUNT_KEY_MAX = 320  # the column's width


def account_key(tenant_slug: str, email: str) -> str:
    """Key attempts by what was typed, so unknown accounts are throttled like real ones.

    A workspace and an address together can be longer than the column, or hold a NUL byte
    that PostgreSQL text cannot; such keys are stored as their SHA-256 digest, so the guess is
    still counted instead of failing.
    """
    key = f"{tenant_slug.strip().lower()}:{email.strip().lower()}"
    if len(key) > ACCOUNT_KEY_MAX or "\x00" in key:
        return f"sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def ensure_not_throttled(session: Session, *, key: str, ip_address: str, now: datetime) -> None:
    """Raise `Throttled` when the account or the address has too many recent failures."""
    since = now - WINDOW
    for column, value in ((LoginAttempt.account_key, key), (LoginAttempt.ip_address, ip_address)):
        failures = session.exec(
            select(func.count())
            .select_from(LoginAttempt)
            .where(column == value, LoginAttempt.created_at >= since, ~LoginAttempt.succeeded)
        ).one()
        if failures >= MAX_FAILURES:
            raise Throttled(
                "too_many_attempts",
                "Too many sign-in attempts. Wait 15 minutes and try again.",
                retry_after_seconds=int(WINDOW.total_seconds()),
            )


def record_attempt(
    session: Session, *, key: str, ip_address: str, succeeded: bool, now: datetime
) -> None:
    """Remember one attempt for the window."""
    session.add(
        LoginAttempt(account_key=key, ip_address=ip_address, succeeded=succeeded, created_at=now)
    )
