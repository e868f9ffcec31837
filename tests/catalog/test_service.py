"""Editing the service catalog: permissioned, validated, audited, priced at once."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.catalog.service import list_catalog, update_service
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, NotFound, ValidationFailed
from roadside_console.domain.pricing import service as pricing
from roadside_console.domain.pricing.schemas import QuoteRequest
from tests.factories import actor_of, make_provider, make_service, make_tenant, make_user
from tests.pricing.builders import at_local_hour

NOON = at_local_hour(12)


def _estimate(session, tenant, service, miles=None) -> int:
    return pricing.price_request(
        session,
        tenant_id=tenant.id,
        actor=None,
        request=QuoteRequest(service_id=service.id, towing_miles=miles),
        now=NOON,
    ).total_cents


def _staffed_tenant(session):
    """A tenant with enough providers online that scarcity adds nothing."""
    tenant = make_tenant(session)
    for _ in range(3):
        make_provider(session, tenant)
    return tenant


def _audit(session, tenant) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.tenant_id == tenant.id)))


def test_the_catalog_lists_every_service_of_the_tenant_including_inactive_ones(
    session, uow_factory
):
    # given
    tenant, other = make_tenant(session), make_tenant(session)
    admin = actor_of(make_user(session, tenant))
    make_service(session, tenant, name="Towing", sort_order=1)
    make_service(session, tenant, name="Lockout", active=False, sort_order=2)
    make_service(session, other, name="Elsewhere")

    # when
    with uow_factory() as uow:
        rows = list_catalog(uow, actor=admin)

    # then
    assert [(r.name, r.active) for r in rows] == [("Towing", True), ("Lockout", False)]


def test_a_new_price_is_audited_and_priced_by_the_next_estimate(session, uow_factory):
    # given a towing service at $125 + $3.00/mile, already priced once (so it is cached)
    tenant = _staffed_tenant(session)
    admin = actor_of(make_user(session, tenant))
    towing = make_service(
        session, tenant, name="Towing", base_price_cents=12500, per_mile_cents=300
    )
    assert _estimate(session, tenant, towing, miles=10) == 12500 + 3000

    # when the admin sets $130.05 and $3.25/mile
    with uow_factory() as uow:
        row = update_service(
            uow,
            actor=admin,
            service_id=towing.id,
            name="  Towing (flatbed) ",
            base_price_cents=13005,
            per_mile_cents=325,
            active=True,
            reason="Fuel costs",
        )

    # then
    assert (row.name, row.base_price_cents, row.per_mile_cents) == ("Towing (flatbed)", 13005, 325)
    assert _estimate(session, tenant, towing, miles=10) == 13005 + 3250
    [entry] = _audit(session, tenant)
    assert (entry.action, entry.target_type, entry.target_id) == (
        "service.updated",
        "service",
        str(towing.id),
    )
    assert (entry.actor_id, entry.reason) == (admin.user_id, "Fuel costs")
    assert entry.changes == {
        "name": {"from": "Towing", "to": "Towing (flatbed)"},
        "base_price_cents": {"from": 12500, "to": 13005},
        "per_mile_cents": {"from": 300, "to": 325},
    }


def test_a_service_switched_off_can_no_longer_be_priced(session, uow_factory):
    # given
    tenant = _staffed_tenant(session)
    admin = actor_of(make_user(session, tenant))
    jump = make_service(session, tenant, name="Jump Start")
    assert _estimate(session, tenant, jump) == 10000

    # when
    with uow_factory() as uow:
        update_service(
            uow,
            actor=admin,
            service_id=jump.id,
            name="Jump Start",
            base_price_cents=10000,
            per_mile_cents=0,
            active=False,
        )

    # then
    with pytest.raises(ValidationFailed) as error:
        _estimate(session, tenant, jump)
    assert error.value.code == "service_inactive"


def test_saving_without_a_change_writes_no_audit_entry(session, uow_factory):
    tenant = make_tenant(session)
    admin = actor_of(make_user(session, tenant))
    jump = make_service(session, tenant, name="Jump Start")
    with uow_factory() as uow:
        update_service(
            uow,
            actor=admin,
            service_id=jump.id,
            name="Jump Start",
            base_price_cents=10000,
            per_mile_cents=0,
            active=True,
        )
    assert _audit(session, tenant) == []


@pytest.mark.parametrize(
    ("name", "base", "per_mile", "field"),
    [
        ("   ", 10000, 0, "name"),
        ("x" * 121, 10000, 0, "name"),
        ("Jump", -1, 0, "base_price_cents"),
        ("Jump", 10000, -5, "per_mile_cents"),
        ("Jump", 10_000_001, 0, "base_price_cents"),
        ("Jump", 100.5, 0, "base_price_cents"),
    ],
)
def test_invalid_terms_are_refused_naming_the_field_and_change_nothing(
    session, uow_factory, name, base, per_mile, field
):
    # given
    tenant = make_tenant(session)
    admin = actor_of(make_user(session, tenant))
    jump = make_service(session, tenant, name="Jump Start")

    # when
    with uow_factory() as uow, pytest.raises(ValidationFailed) as error:
        update_service(
            uow,
            actor=admin,
            service_id=jump.id,
            name=name,
            base_price_cents=base,
            per_mile_cents=per_mile,
            active=True,
        )

    # then
    assert error.value.field == field
    session.expire_all()
    assert session.get(Service, jump.id).base_price_cents == 10000
    assert _audit(session, tenant) == []


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.FINANCE, Role.CUSTOMER])
def test_only_someone_who_manages_pricing_can_edit_the_catalog(session, uow_factory, role):
    tenant = make_tenant(session)
    user = actor_of(make_user(session, tenant, role=role))
    jump = make_service(session, tenant)
    with uow_factory() as uow, pytest.raises(Forbidden):
        list_catalog(uow, actor=user)
    with uow_factory() as uow, pytest.raises(Forbidden):
        update_service(
            uow,
            actor=user,
            service_id=jump.id,
            name="Cheap",
            base_price_cents=1,
            per_mile_cents=0,
            active=True,
        )


def test_another_tenants_service_is_not_found(session, uow_factory):
    tenant, other = make_tenant(session), make_tenant(session)
    admin = actor_of(make_user(session, tenant))
    foreign = make_service(session, other)
    for service_id in (foreign.id, uuid.uuid4()):
        with uow_factory() as uow, pytest.raises(NotFound):
            update_service(
                uow,
                actor=admin,
                service_id=service_id,
                name="Mine now",
                base_price_cents=1,
                per_mile_cents=0,
                active=True,
            )
    session.expire_all()
    assert session.get(Service, foreign.id).name == "Jump Start"
