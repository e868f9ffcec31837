"""The job registry and the purge of stale sign-in rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.identity.models import (
    LoginAttempt,
    OneTimeToken,
    TokenPurpose,
    UserSession,
)
from roadside_console.worker import jobs
from roadside_console.worker.jobs import JobRegistry, purge_expired_auth_rows
from tests.factories import make_tenant, make_user

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_the_default_registry_delivers_the_outbox_on_every_poll_and_purges_hourly():
    # given / when
    by_name = {job.name: job for job in jobs.registry}

    # then
    assert by_name["deliver_outbox"].interval_seconds == 0
    assert by_name["purge_expired_auth_rows"].interval_seconds == 3600


def test_registering_a_job_is_one_line_and_names_are_unique():
    # given
    registry = JobRegistry()

    # when
    registry.add("expire_offers", 30, lambda uow_factory, now: None)

    # then
    assert registry.names == ["expire_offers"]
    with pytest.raises(ValueError, match="already registered"):
        registry.add("expire_offers", 60, lambda uow_factory, now: None)


def test_a_job_can_be_registered_with_a_decorator():
    # given
    registry = JobRegistry()

    # when
    @registry.job("monthly_invoices", every=3600)
    def monthly_invoices(uow_factory, now):
        return "done"

    # then
    [job] = list(registry)
    assert (job.name, job.interval_seconds, job.fn) == ("monthly_invoices", 3600, monthly_invoices)


def _session_row(tenant, user, *, expires_at, revoked_at=None) -> UserSession:
    return UserSession(
        tenant_id=tenant.id,
        user_id=user.id,
        token_hash=uuid.uuid4().hex,
        expires_at=expires_at,
        revoked_at=revoked_at,
    )


def _token_row(tenant, *, expires_at, used_at=None) -> OneTimeToken:
    return OneTimeToken(
        tenant_id=tenant.id,
        purpose=TokenPurpose.PASSWORD_RESET,
        email="a@example.com",
        token_hash=uuid.uuid4().hex,
        expires_at=expires_at,
        used_at=used_at,
    )


def test_the_purge_deletes_stale_sign_in_rows_and_keeps_recent_ones(session, uow_factory):
    # given
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    day, week = timedelta(days=1), timedelta(days=7)
    key = f"purge-{uuid.uuid4().hex}"
    attempts = {
        "old": LoginAttempt(account_key=key, ip_address="1.2.3.4", created_at=NOW - day - day),
        "recent": LoginAttempt(account_key=key, ip_address="1.2.3.4", created_at=NOW - day / 2),
    }
    sessions = {
        "expired_long_ago": _session_row(tenant, user, expires_at=NOW - week - day),
        "revoked_long_ago": _session_row(
            tenant, user, expires_at=NOW + day, revoked_at=NOW - week - day
        ),
        "expired_recently": _session_row(tenant, user, expires_at=NOW - day),
        "revoked_recently": _session_row(tenant, user, expires_at=NOW + day, revoked_at=NOW - day),
        "active": _session_row(tenant, user, expires_at=NOW + day),
    }
    tokens = {
        "used_long_ago": _token_row(tenant, expires_at=NOW + day, used_at=NOW - week - day),
        "expired_long_ago": _token_row(tenant, expires_at=NOW - week - day),
        "used_recently": _token_row(tenant, expires_at=NOW - day, used_at=NOW - 2 * day),
        "expired_recently": _token_row(tenant, expires_at=NOW - day),
        "unused": _token_row(tenant, expires_at=NOW + day),
    }
    session.add_all([*attempts.values(), *sessions.values(), *tokens.values()])
    session.commit()

    # when
    report = purge_expired_auth_rows(uow_factory, NOW)

    # then
    session.expire_all()
    left_attempts = set(
        session.exec(select(LoginAttempt.id).where(LoginAttempt.account_key == key))
    )
    left_sessions = set(session.exec(select(UserSession.id).where(UserSession.user_id == user.id)))
    left_tokens = set(
        session.exec(select(OneTimeToken.id).where(OneTimeToken.tenant_id == tenant.id))
    )
    assert left_attempts == {attempts["recent"].id}
    assert left_sessions == {
        sessions[k].id for k in ("expired_recently", "revoked_recently", "active")
    }
    assert left_tokens == {tokens[k].id for k in ("used_recently", "expired_recently", "unused")}
    assert report.login_attempts >= 1
    assert report.user_sessions >= 2
    assert report.one_time_tokens >= 2
