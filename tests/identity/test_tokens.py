from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlmodel import select

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import AuthenticationFailed, Forbidden, ValidationFailed
from roadside_console.domain.identity import service
from roadside_console.domain.identity.models import User
from roadside_console.domain.notifications.models import Channel, OutboxMessage
from tests.factories import PASSWORD, actor_of, make_tenant, make_user


def _emailed_token(session, email: str, topic: str) -> str:
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.recipient == email, OutboxMessage.topic == topic)
    ).one()
    assert message.channel is Channel.EMAIL
    link = next(word for word in message.body.split() if word.startswith("http"))
    return parse_qs(urlparse(link).query)["token"][0]


def test_a_password_reset_link_sets_a_new_password_once_and_signs_out_everywhere(
    session, uow_factory
):
    # given a user signed in on one device
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    with uow_factory() as uow:
        old = service.sign_in(uow, tenant_slug=tenant.slug, email=user.email, password=PASSWORD)
    # when they ask for a reset and follow the emailed link
    with uow_factory() as uow:
        service.request_password_reset(uow, tenant_slug=tenant.slug, email=user.email)
    token = _emailed_token(session, user.email, "identity.password_reset")
    with uow_factory() as uow:
        service.reset_password(uow, token=token, new_password="a brand new password")
    # then the new password works, the old session is gone and the link is spent
    with uow_factory() as uow:
        assert service.resolve_session(uow, old.session_token) is None
    with uow_factory() as uow:
        service.sign_in(
            uow, tenant_slug=tenant.slug, email=user.email, password="a brand new password"
        )
    with uow_factory() as uow, pytest.raises(ValidationFailed, match="invalid or has expired"):
        service.reset_password(uow, token=token, new_password="yet another password")


def test_a_reset_link_expires_after_an_hour(session, uow_factory):
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    asked_at = utc_now()
    with uow_factory() as uow:
        service.request_password_reset(uow, tenant_slug=tenant.slug, email=user.email, now=asked_at)
    token = _emailed_token(session, user.email, "identity.password_reset")
    with uow_factory() as uow, pytest.raises(ValidationFailed):
        service.reset_password(
            uow,
            token=token,
            new_password="a brand new password",
            now=asked_at + timedelta(hours=1, seconds=1),
        )


def test_asking_to_reset_an_unknown_email_sends_nothing_and_says_nothing(session, uow_factory):
    tenant = make_tenant(session)
    with uow_factory() as uow:
        service.request_password_reset(uow, tenant_slug=tenant.slug, email="nobody@example.com")
    assert (
        session.exec(select(OutboxMessage).where(OutboxMessage.tenant_id == tenant.id)).first()
        is None
    )


def test_a_too_short_new_password_is_refused_and_the_link_stays_usable(session, uow_factory):
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    with uow_factory() as uow:
        service.request_password_reset(uow, tenant_slug=tenant.slug, email=user.email)
    token = _emailed_token(session, user.email, "identity.password_reset")
    with uow_factory() as uow, pytest.raises(ValidationFailed) as caught:
        service.reset_password(uow, token=token, new_password="short")
    assert caught.value.field == "password"
    with uow_factory() as uow:
        service.reset_password(uow, token=token, new_password="long enough now")


def test_an_email_verification_link_marks_the_address_verified(session, uow_factory):
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.CUSTOMER)
    with uow_factory() as uow:
        service.request_email_verification(uow, actor=actor_of(user))
    token = _emailed_token(session, user.email, "identity.email_verification")
    with uow_factory() as uow:
        service.verify_email(uow, token=token)
    session.expire_all()
    assert session.get(User, user.id).email_verified_at is not None


def test_an_api_token_acts_as_its_user_until_revoked(session, uow_factory):
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.DISPATCHER)
    with uow_factory() as uow:
        issued = service.create_api_token(uow, actor=actor_of(user), name="partner app")
    with uow_factory() as uow:
        actor = service.authenticate_api_token(uow, issued.token)
    assert (actor.user_id, actor.tenant_id) == (user.id, tenant.id)
    import uuid

    with uow_factory() as uow:
        service.revoke_api_token(uow, actor=actor_of(user), token_id=uuid.UUID(issued.token_id))
    with uow_factory() as uow, pytest.raises(AuthenticationFailed):
        service.authenticate_api_token(uow, issued.token)


def test_an_expired_or_made_up_api_token_is_refused(session, uow_factory):
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    with uow_factory() as uow:
        issued = service.create_api_token(
            uow,
            actor=actor_of(user),
            name="short-lived",
            expires_at=utc_now() + timedelta(minutes=5),
        )
    with uow_factory() as uow, pytest.raises(AuthenticationFailed):
        service.authenticate_api_token(uow, issued.token, now=utc_now() + timedelta(minutes=6))
    with uow_factory() as uow, pytest.raises(AuthenticationFailed):
        service.authenticate_api_token(uow, "rsk_abcdefgh_" + "x" * 43)


def test_nobody_can_revoke_a_token_of_another_tenant(session, uow_factory):
    mine, theirs = make_tenant(session), make_tenant(session)
    owner = make_user(session, theirs)
    intruder = make_user(session, mine, role=Role.ADMIN)
    with uow_factory() as uow:
        issued = service.create_api_token(uow, actor=actor_of(owner), name="theirs")
    import uuid

    from roadside_console.domain.core.errors import NotFound

    with uow_factory() as uow, pytest.raises(NotFound):
        service.revoke_api_token(uow, actor=actor_of(intruder), token_id=uuid.UUID(issued.token_id))


def test_require_refuses_a_missing_actor():
    from roadside_console.domain.core.auth import Permission, require

    with pytest.raises(Forbidden):
        require(None, Permission.VIEW_DASHBOARD)


def test_exchanging_a_password_for_an_api_token_opens_no_console_session(session, uow_factory):
    from roadside_console.domain.identity.models import UserSession

    tenant = make_tenant(session)
    user = make_user(session, tenant)
    with uow_factory() as uow:
        issued = service.create_api_token_with_password(
            uow, tenant_slug=tenant.slug, email=user.email, password=PASSWORD, name="cli"
        )
    with uow_factory() as uow:
        assert service.authenticate_api_token(uow, issued.token).user_id == user.id
    assert session.exec(select(UserSession).where(UserSession.user_id == user.id)).first() is None
