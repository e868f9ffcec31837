from sqlmodel import select

from roadside_console.domain.core.auth import Role
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger.models import LedgerEntry
from roadside_console.domain.ledger.service import reconcile, reconcile_tenant
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG, SECOND_TENANT_SLUG, seed_demo
from roadside_console.domain.tenants.models import Tenant
from tests.factories import actor_of


def test_a_fresh_demo_install_reconciles_with_zero_differences(session, uow_factory):
    # given
    with uow_factory() as uow:
        seed_demo(uow, password="demo-password-123")
    tenant = session.exec(select(Tenant).where(Tenant.slug == DEMO_TENANT_SLUG)).one()
    finance = session.exec(
        select(User).where(User.tenant_id == tenant.id, User.role == Role.FINANCE)
    ).first()
    # when
    with uow_factory() as uow:
        report = reconcile(uow, actor=actor_of(finance))
    # then
    assert report.differences == []
    assert report.transactions > 0
    assert session.exec(select(LedgerEntry).where(LedgerEntry.tenant_id == tenant.id)).first()
    second = session.exec(select(Tenant).where(Tenant.slug == SECOND_TENANT_SLUG)).one()
    assert reconcile_tenant(session, tenant_id=second.id).reconciled
