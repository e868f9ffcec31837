"""Provider onboarding: an invite email with a 72-hour link, joining, approval by staff."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden, ValidationFailed
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.service import sign_in
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import deliver_due_messages
from roadside_console.domain.providers import onboarding
from roadside_console.domain.providers.models import Provider, ProviderStatus
from roadside_console.integrations.email import SmtpEmailSender
from tests.factories import actor_of, make_tenant, make_user
from tests.notifications.conftest import smtp_sink  # noqa: F401  (a real SMTP server)

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PASSWORD = "tow-truck-at-dawn"


def _staff(session, role=Role.DISPATCHER):
    tenant = make_tenant(session)
    return tenant, actor_of(make_user(session, tenant, role=role))


def _invite(uow_factory, actor, email="marcus.hill@example.com", now=NOW):
    with uow_factory() as uow:
        return onboarding.invite_provider(
            uow, actor=actor, name="Marcus  Hill", email=email, phone="(404) 555-0142", now=now
        )


def _emailed_token(smtp_sink, email):  # noqa: F811
    [message] = smtp_sink.to(email)
    match = re.search(r"/provider/join\?token=(\S+)", message.get_content())
    assert match, message.get_content()
    return message, match.group(1)


def test_an_invited_provider_gets_an_email_with_a_link_that_lets_them_join(
    session,
    uow_factory,
    smtp_sink,  # noqa: F811
):
    # given a dispatcher invites a technician
    tenant, dispatcher = _staff(session)
    invite = _invite(uow_factory, dispatcher)
    # when the worker delivers the outbox to a real SMTP server
    sender = SmtpEmailSender(host=smtp_sink.host, port=smtp_sink.port)
    report = deliver_due_messages(
        uow_factory, senders={Channel.EMAIL: sender}, now=NOW, worker_id="w1"
    )
    # then the email names the operator and carries a link that works for 72 hours
    assert report.sent == 1
    message, token = _emailed_token(smtp_sink, "marcus.hill@example.com")
    assert tenant.name in message["Subject"]
    assert "72 hours" in message.get_content()
    assert invite.expires_at == NOW + timedelta(hours=72)
    # and following it sets a password, so they can sign in as a pending provider
    with uow_factory() as uow:
        joined = onboarding.accept_provider_invite(
            uow, token=token, password=PASSWORD, now=NOW + timedelta(hours=1)
        )
    with uow_factory() as uow:
        signed_in = sign_in(
            uow, tenant_slug=tenant.slug, email="marcus.hill@example.com", password=PASSWORD
        )
    provider = session.get(Provider, joined.provider_id)
    assert signed_in.actor.role is Role.PROVIDER
    assert provider.user_id == joined.user_id and provider.status is ProviderStatus.PENDING
    assert provider.name == "Marcus Hill" and provider.phone == "+14045550142"


def test_an_invite_link_stops_working_after_72_hours_and_after_use(session, uow_factory, smtp_sink):  # noqa: F811
    # given an invite whose email went out
    _, dispatcher = _staff(session)
    _invite(uow_factory, dispatcher)
    sender = SmtpEmailSender(host=smtp_sink.host, port=smtp_sink.port)
    deliver_due_messages(uow_factory, senders={Channel.EMAIL: sender}, now=NOW, worker_id="w1")
    _, token = _emailed_token(smtp_sink, "marcus.hill@example.com")
    # when it is followed 73 hours later
    with pytest.raises(ValidationFailed) as late, uow_factory() as uow:
        onboarding.accept_provider_invite(
            uow, token=token, password=PASSWORD, now=NOW + timedelta(hours=73)
        )
    # then it is refused, as is a second use of a link already used
    assert late.value.field == "token"
    with uow_factory() as uow:
        onboarding.accept_provider_invite(uow, token=token, password=PASSWORD, now=NOW)
    with pytest.raises(ValidationFailed), uow_factory() as uow:
        onboarding.accept_provider_invite(uow, token=token, password=PASSWORD, now=NOW)


def test_a_resent_invite_replaces_the_old_link(session, uow_factory, smtp_sink):  # noqa: F811
    # given an invite, then a second one sent a day later
    _, dispatcher = _staff(session)
    invite = _invite(uow_factory, dispatcher)
    with uow_factory() as uow:
        onboarding.resend_provider_invite(
            uow, actor=dispatcher, provider_id=invite.provider_id, now=NOW + timedelta(days=1)
        )
    sender = SmtpEmailSender(host=smtp_sink.host, port=smtp_sink.port)
    deliver_due_messages(
        uow_factory, senders={Channel.EMAIL: sender}, now=NOW + timedelta(days=1), worker_id="w"
    )
    first, second = smtp_sink.to("marcus.hill@example.com")
    old = re.search(r"token=(\S+)", first.get_content()).group(1)
    new = re.search(r"token=(\S+)", second.get_content()).group(1)
    # when the provider follows the first link
    with pytest.raises(ValidationFailed), uow_factory() as uow:
        onboarding.accept_provider_invite(
            uow, token=old, password=PASSWORD, now=NOW + timedelta(days=1, minutes=5)
        )
    # then only the newest link works
    with uow_factory() as uow:
        onboarding.accept_provider_invite(
            uow, token=new, password=PASSWORD, now=NOW + timedelta(days=1, minutes=5)
        )


def test_an_address_already_in_the_workspace_cannot_be_invited(session, uow_factory):
    # given a customer with that address
    tenant, dispatcher = _staff(session)
    make_user(session, tenant, role=Role.CUSTOMER, email="jo@example.com")
    # when a dispatcher invites it as a provider
    with pytest.raises(Conflict) as taken, uow_factory() as uow:
        onboarding.invite_provider(
            uow, actor=dispatcher, name="Jo", email=" JO@example.com", phone="4045550100"
        )
    # then it is refused on the email field, and no provider was added
    assert taken.value.field == "email"
    assert session.exec(select(Provider).where(Provider.tenant_id == tenant.id)).all() == []


@pytest.mark.parametrize(
    ("name", "email", "phone", "field"),
    [
        ("", "a@example.com", "4045550100", "name"),
        ("Al", "not-an-email", "4045550100", "email"),
        ("Al", "a@example.com", "12", "phone"),
    ],
)
def test_an_invite_with_bad_details_names_the_field(
    session, uow_factory, name, email, phone, field
):
    _, dispatcher = _staff(session)
    with pytest.raises(ValidationFailed) as bad, uow_factory() as uow:
        onboarding.invite_provider(uow, actor=dispatcher, name=name, email=email, phone=phone)
    assert bad.value.field == field


def test_finance_may_not_invite_providers(session, uow_factory):
    _, finance = _staff(session, role=Role.FINANCE)
    with pytest.raises(Forbidden), uow_factory() as uow:
        onboarding.invite_provider(
            uow, actor=finance, name="Al", email="al@example.com", phone="4045550100"
        )


def test_approving_a_pending_provider_is_audited_and_happens_once(session, uow_factory):
    # given a pending provider
    _, admin = _staff(session, role=Role.ADMIN)
    invite = _invite(uow_factory, admin)
    # when an admin approves them, then tries again
    with uow_factory() as uow:
        onboarding.approve_provider(
            uow, actor=admin, provider_id=invite.provider_id, reason="Licence checked"
        )
    with pytest.raises(Conflict), uow_factory() as uow:
        onboarding.approve_provider(uow, actor=admin, provider_id=invite.provider_id)
    # then they are active and the approval is in the audit log once
    session.expire_all()
    assert session.get(Provider, invite.provider_id).status is ProviderStatus.ACTIVE
    approvals = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "provider.approved",
            AuditEntry.target_id == str(invite.provider_id),
        )
    ).all()
    assert [a.reason for a in approvals] == ["Licence checked"]
    assert session.exec(select(User).where(User.email == "marcus.hill@example.com")).all() == []
