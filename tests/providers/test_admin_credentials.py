"""Credentials staff record: expiry warnings 30 days ahead, and the dispatch gate they feed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, NotFound, ValidationFailed
from roadside_console.domain.providers import credentials
from roadside_console.domain.providers.models import CredentialKind, ProviderCredential
from tests.factories import actor_of, make_provider, make_tenant, make_user

# 22:00 in New York on Nov 30 is Dec 1 in UTC: the business day is still Nov 30.
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)
INSURANCE = CredentialKind.INSURANCE


@pytest.fixture()
def desk(session):
    tenant = make_tenant(session)
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    provider = make_provider(session, tenant)
    return tenant, dispatcher, provider


def _save(uow_factory, actor, provider, expires_on, **extra):
    with uow_factory() as uow:
        return credentials.save_credential(
            uow, actor=actor, provider_id=provider.id, expires_on=expires_on, now=NOW, **extra
        )


@pytest.mark.parametrize(
    ("expires_on", "state"),
    [
        (TODAY - timedelta(days=1), "expired"),
        (TODAY, "expiring"),
        (TODAY + timedelta(days=30), "expiring"),
        (TODAY + timedelta(days=31), "valid"),
    ],
)
def test_a_credential_warns_within_30_days_and_is_expired_after_its_date(expires_on, state):
    assert credentials.credential_state(expires_on, TODAY) == state


def test_only_an_expired_latest_licence_or_insurance_blocks_dispatch():
    latest = credentials.latest_by_kind(
        [
            ("insurance", TODAY - timedelta(days=10)),
            ("insurance", TODAY + timedelta(days=200)),  # the renewal supersedes the old copy
            ("drivers_licence", TODAY - timedelta(days=1)),
            ("certification", TODAY - timedelta(days=400)),  # informational only
        ]
    )
    assert credentials.dispatch_blockers(latest, TODAY) == [
        f"Drivers licence expired on {(TODAY - timedelta(days=1)).isoformat()}"
    ]


def test_staff_record_a_checked_credential_and_it_is_audited(session, uow_factory, desk):
    # given a provider with no credentials on file
    tenant, dispatcher, provider = desk
    # when the dispatcher records their insurance
    saved = _save(
        uow_factory,
        dispatcher,
        provider,
        date(2027, 6, 30),
        kind=INSURANCE,
        number=" POL-123 ",
        issuer="Peach State Mutual",
    )
    # then it is stored as verified now, and audited
    stored = session.get(ProviderCredential, saved.credential_id)
    assert (stored.kind, stored.number, stored.expires_on) == (
        INSURANCE,
        "POL-123",
        date(2027, 6, 30),
    )
    assert stored.verified_at is not None and saved.renewed is False
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.tenant_id == tenant.id, AuditEntry.action == "provider.credential_added"
        )
    ).one()
    assert audit.target_id == str(provider.id) and audit.actor_id == dispatcher.user_id


def test_renewing_moves_the_expiry_of_the_same_credential(session, uow_factory, desk):
    tenant, dispatcher, provider = desk
    first = _save(uow_factory, dispatcher, provider, TODAY + timedelta(days=5), kind=INSURANCE)
    renewed = _save(
        uow_factory,
        dispatcher,
        provider,
        date(2027, 12, 31),
        credential_id=first.credential_id,
        number="POL-999",
    )
    assert renewed.credential_id == first.credential_id and renewed.renewed is True
    rows = session.exec(
        select(ProviderCredential).where(ProviderCredential.provider_id == provider.id)
    ).all()
    assert [(r.kind, r.expires_on, r.number) for r in rows] == [
        (INSURANCE, date(2027, 12, 31), "POL-999")
    ]
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.tenant_id == tenant.id, AuditEntry.action == "provider.credential_renewed"
        )
    ).one()
    assert audit.changes["from"]["expires_on"] == (TODAY + timedelta(days=5)).isoformat()


@pytest.mark.parametrize(
    ("expires_on", "extra", "field"),
    [
        (TODAY - timedelta(days=1), {"kind": INSURANCE}, "expires_on"),
        (TODAY + timedelta(days=366 * 21), {"kind": INSURANCE}, "expires_on"),
        (TODAY + timedelta(days=90), {}, "kind"),
        (TODAY + timedelta(days=90), {"kind": INSURANCE, "number": "9" * 81}, "number"),
    ],
)
def test_an_implausible_credential_is_refused_with_the_field_to_fix(
    session, uow_factory, desk, expires_on, extra, field
):
    _, dispatcher, provider = desk
    with pytest.raises(ValidationFailed) as refused:
        _save(uow_factory, dispatcher, provider, expires_on, **extra)
    assert refused.value.field == field
    assert (
        session.exec(
            select(ProviderCredential).where(ProviderCredential.provider_id == provider.id)
        ).all()
        == []
    )


def test_the_business_day_decides_expiry_not_the_utc_date(uow_factory, desk):
    # given it is still Nov 30 in New York (Dec 1 in UTC)
    _, dispatcher, provider = desk
    # then a document expiring on Nov 30 is still accepted
    assert _save(uow_factory, dispatcher, provider, TODAY, kind=INSURANCE).expires_on == TODAY


def test_a_credential_of_another_provider_cannot_be_renewed_through_this_one(
    session, uow_factory, desk
):
    tenant, dispatcher, provider = desk
    other = make_provider(session, tenant)
    theirs = _save(uow_factory, dispatcher, other, date(2027, 1, 31), kind=INSURANCE)
    with pytest.raises(NotFound):
        _save(
            uow_factory,
            dispatcher,
            provider,
            date(2028, 1, 31),
            credential_id=theirs.credential_id,
        )


def test_finance_cannot_record_credentials(session, uow_factory, desk):
    tenant, _, provider = desk
    finance = actor_of(make_user(session, tenant, role=Role.FINANCE))
    with pytest.raises(Forbidden):
        _save(uow_factory, finance, provider, date(2027, 1, 31), kind=INSURANCE)
