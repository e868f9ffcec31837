from datetime import timedelta

import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import AuthenticationFailed, Throttled
from roadside_console.domain.identity import service
from tests.factories import PASSWORD, make_tenant, make_user


def test_a_user_signs_in_with_the_right_password_and_the_session_resolves_to_them(
    session, uow_factory
):
    # given
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.DISPATCHER)
    # when
    with uow_factory() as uow:
        signed_in = service.sign_in(
            uow, tenant_slug=tenant.slug, email=user.email.upper(), password=PASSWORD
        )
    # then
    with uow_factory() as uow:
        actor = service.resolve_session(uow, signed_in.session_token)
    assert actor is not None
    assert (actor.user_id, actor.tenant_id, actor.role) == (user.id, tenant.id, Role.DISPATCHER)


def test_a_wrong_password_and_an_unknown_email_get_the_same_generic_error(session, uow_factory):
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    messages = []
    for email, password in ((user.email, "wrong password!"), ("nobody@example.com", PASSWORD)):
        with uow_factory() as uow, pytest.raises(AuthenticationFailed) as caught:
            service.sign_in(uow, tenant_slug=tenant.slug, email=email, password=password)
        messages.append(caught.value.message)
    assert messages == ["Invalid email or password.", "Invalid email or password."]


def test_the_same_email_in_another_tenant_does_not_sign_in_here(session, uow_factory):
    mine, theirs = make_tenant(session), make_tenant(session)
    other = make_user(session, theirs, email="same@example.com")
    make_user(session, mine, email="someone@example.com")
    with uow_factory() as uow, pytest.raises(AuthenticationFailed):
        service.sign_in(uow, tenant_slug=mine.slug, email=other.email, password=PASSWORD)


def test_ten_failures_lock_the_account_for_fifteen_minutes_even_with_the_right_password(
    session, uow_factory
):
    # given
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    now = utc_now()
    for _ in range(10):
        with uow_factory() as uow, pytest.raises(AuthenticationFailed):
            service.sign_in(
                uow,
                tenant_slug=tenant.slug,
                email=user.email,
                password="nope-nope-nope",
                ip_address=f"10.0.0.{_}",
                now=now,
            )
    # when / then
    with uow_factory() as uow, pytest.raises(Throttled):
        service.sign_in(uow, tenant_slug=tenant.slug, email=user.email, password=PASSWORD, now=now)
    with uow_factory() as uow:
        later = now + timedelta(minutes=15, seconds=1)
        assert (
            service.sign_in(
                uow, tenant_slug=tenant.slug, email=user.email, password=PASSWORD, now=later
            ).actor.user_id
            == user.id
        )


def test_ten_failures_from_one_address_block_that_address_for_other_accounts(session, uow_factory):
    tenant = make_tenant(session)
    victim = make_user(session, tenant)
    for i in range(10):
        with uow_factory() as uow, pytest.raises(AuthenticationFailed):
            service.sign_in(
                uow,
                tenant_slug=tenant.slug,
                email=f"guess{i}@example.com",
                password="x" * 12,
                ip_address="203.0.113.9",
            )
    with uow_factory() as uow, pytest.raises(Throttled):
        service.sign_in(
            uow,
            tenant_slug=tenant.slug,
            email=victim.email,
            password=PASSWORD,
            ip_address="203.0.113.9",
        )


def test_signing_out_and_expiry_end_the_session(session, uow_factory):
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    with uow_factory() as uow:
        first = service.sign_in(uow, tenant_slug=tenant.slug, email=user.email, password=PASSWORD)
    with uow_factory() as uow:
        second = service.sign_in(uow, tenant_slug=tenant.slug, email=user.email, password=PASSWORD)
    with uow_factory() as uow:
        service.sign_out(uow, first.session_token)
    with uow_factory() as uow:
        assert service.resolve_session(uow, first.session_token) is None
        assert service.resolve_session(uow, second.session_token) is not None
        assert service.resolve_session(uow, second.session_token, now=second.expires_at) is None


def test_a_session_token_is_stored_only_as_a_digest(session, uow_factory):
    from sqlmodel import select

    from roadside_console.domain.identity.models import UserSession

    tenant = make_tenant(session)
    user = make_user(session, tenant)
    with uow_factory() as uow:
        signed_in = service.sign_in(
            uow, tenant_slug=tenant.slug, email=user.email, password=PASSWORD
        )
    stored = session.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert signed_in.session_token not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_an_over_long_workspace_and_email_is_refused_and_counted_not_a_crash(session, uow_factory):
    # given a guess longer than the attempts table's key column (100 + 320 characters)
    tenant = make_tenant(session)
    email = "a" * 300 + "@example.com"
    # when it is tried eleven times
    for _ in range(10):
        with pytest.raises(AuthenticationFailed), uow_factory() as uow:
            service.sign_in(uow, tenant_slug=tenant.slug + "x" * 90, email=email, password="x")
    # then it gets the generic answer each time, and then the throttle
    with pytest.raises(Throttled), uow_factory() as uow:
        service.sign_in(uow, tenant_slug=tenant.slug + "x" * 90, email=email, password="x")


@pytest.mark.parametrize("where", ["workspace", "email"])
def test_a_nul_byte_in_the_workspace_or_email_is_a_failed_sign_in_not_a_crash(
    session, uow_factory, where
):
    # given a real account, and a guess with a NUL byte (PostgreSQL text cannot hold one)
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    slug = tenant.slug + ("\x00" if where == "workspace" else "")
    email = user.email + ("\x00" if where == "email" else "")
    # when / then
    with uow_factory() as uow, pytest.raises(AuthenticationFailed):
        service.create_api_token_with_password(
            uow, tenant_slug=slug, email=email, password=PASSWORD, name="cli"
        )
