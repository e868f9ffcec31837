"""Housekeeping of sign-in data: what is kept, and for how long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import LoginAttempt, OneTimeToken, UserSession

LOGIN_ATTEMPTS_KEPT = timedelta(days=1)
ENDED_SESSIONS_KEPT = timedelta(days=7)
SPENT_TOKENS_KEPT = timedelta(days=7)


@dataclass(frozen=True)
class PurgeReport:
    """How many rows the purge deleted, per table."""

    login_attempts: int
    user_sessions: int
    one_time_tokens: int


def purge_auth_rows(uow: UnitOfWork, *, now: datetime) -> PurgeReport:
    """Delete sign-in rows nobody needs any more, in one transaction.

    Login attempts older than a day (throttling looks back 15 minutes); sessions that expired
    or were revoked more than 7 days ago; one-time tokens used or expired more than 7 days ago.
    """
    attempts_before = now - LOGIN_ATTEMPTS_KEPT
    sessions_before = now - ENDED_SESSIONS_KEPT
    tokens_before = now - SPENT_TOKENS_KEPT
    session = uow.session
    attempts = session.exec(
        sa.delete(LoginAttempt).where(LoginAttempt.created_at < attempts_before)
    ).rowcount
    sessions = session.exec(
        sa.delete(UserSession).where(
            sa.or_(
                UserSession.expires_at < sessions_before,
                col(UserSession.revoked_at) < sessions_before,
            )
        )
    ).rowcount
    tokens = session.exec(
        sa.delete(OneTimeToken).where(
            sa.or_(
                col(OneTimeToken.used_at) < tokens_before,
                OneTimeToken.expires_at < tokens_before,
            )
        )
    ).rowcount
    uow.commit()
    return PurgeReport(login_attempts=attempts, user_sessions=sessions, one_time_tokens=tokens)
