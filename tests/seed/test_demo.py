from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import select

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Role
from roadside_console.domain.dispatch.models import DispatchLog
from roadside_console.domain.identity import service as identity
from roadside_console.domain.identity.models import User
from roadside_console.domain.payments.models import Payment
from roadside_console.domain.payouts.models import ProviderPayout
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.providers.models import Provider, ProviderStatus
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG, seed_demo
from roadside_console.domain.tenants.models import Tenant


@pytest.fixture()
def demo(session, uow_factory):
    with uow_factory() as uow:
        logins = seed_demo(uow, password="demo-password-123")
    tenant = session.exec(select(Tenant).where(Tenant.slug == DEMO_TENANT_SLUG)).one()
    return tenant, logins


def _count(session, model, *where):
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_the_demo_operator_has_the_people_the_product_documents_describe(session, demo):
    tenant, _ = demo
    roles = Counter(session.exec(select(User.role).where(User.tenant_id == tenant.id)).all())
    assert roles == {
        Role.ADMIN: 2,
        Role.DISPATCHER: 1,
        Role.FINANCE: 1,
        Role.PROVIDER: 5,
        Role.CUSTOMER: 12,
    }
    statuses = Counter(
        session.exec(select(Provider.status).where(Provider.tenant_id == tenant.id)).all()
    )
    assert statuses[ProviderStatus.PENDING] == 1
    online = _count(
        session,
        Provider,
        Provider.tenant_id == tenant.id,
        Provider.status == ProviderStatus.ACTIVE,
        Provider.is_available,
    )
    assert online >= 3


def test_the_demo_catalog_has_the_documented_prices(session, demo):
    tenant, _ = demo
    prices = {
        s.slug: (s.base_price_cents, s.per_mile_cents, s.included_miles)
        for s in session.exec(select(Service).where(Service.tenant_id == tenant.id))
    }
    assert prices["jump-start"] == (10000, 0, 0)
    assert prices["towing"] == (12500, 300, 10)
    assert prices["lockout"][0] == 13500
    assert prices["flat-tire"][0] == 10000
    assert prices["fuel-delivery"][0] == 7500
    assert [prices[f"diagnostics-{t}"][0] for t in ("basic", "standard", "premium")] == [
        15000,
        25000,
        39900,
    ]


def test_the_demo_history_has_the_documented_bookings_and_money(session, demo):
    tenant, _ = demo
    statuses = Counter(session.exec(select(Booking.status).where(Booking.tenant_id == tenant.id)))
    assert statuses[BookingStatus.COMPLETED] == 11
    assert statuses[BookingStatus.CANCELLED] == 1
    assert sum(statuses.values()) == 18
    payments = Counter(
        p.status.value for p in session.exec(select(Payment).where(Payment.tenant_id == tenant.id))
    )
    assert payments == {"confirmed": 11, "pending": 2}
    payouts = Counter(
        p.status.value
        for p in session.exec(select(ProviderPayout).where(ProviderPayout.tenant_id == tenant.id))
    )
    assert payouts == {"paid": 7, "pending": 4}
    assert _count(session, DispatchLog, DispatchLog.tenant_id == tenant.id) == 13


def test_every_demo_price_breakdown_sums_to_the_booking_total(session, demo):
    tenant, _ = demo
    for booking in session.exec(select(Booking).where(Booking.tenant_id == tenant.id)):
        assert sum(line["amount_cents"] for line in booking.price_breakdown) == (
            booking.estimated_price_cents
        )


def test_every_payout_plus_platform_fee_equals_the_job_price(session, demo):
    tenant, _ = demo
    for payout in session.exec(select(ProviderPayout).where(ProviderPayout.tenant_id == tenant.id)):
        assert payout.amount_cents + payout.platform_fee_cents == payout.gross_cents
        assert 0 <= payout.amount_cents <= payout.gross_cents


def test_the_demo_time_blocks_and_storm_templates_exist(session, demo):
    tenant, _ = demo
    blocks = {
        b.name: (b.start_hour, b.end_hour, b.multiplier_bp, b.active)
        for b in session.exec(select(TimeBlock).where(TimeBlock.tenant_id == tenant.id))
    }
    assert blocks["Standard"] == (6, 18, 10000, True)
    assert blocks["After-Hours"] == (18, 6, 12500, True)
    assert blocks["Ice Storm"][2:] == (15000, False)
    assert blocks["Game Day"][2:] == (13000, False)
    assert blocks["Holiday Weekend"][2:] == (12000, False)


def test_seeding_twice_changes_nothing(session, uow_factory, demo):
    before = _count(session, Booking)
    with uow_factory() as uow:
        assert seed_demo(uow, password="another-password-1") is None
    assert _count(session, Booking) == before


def test_every_printed_demo_login_can_sign_in_to_its_workspace(uow_factory, demo):
    _, logins = demo
    assert logins is not None
    for login in logins.logins:
        with uow_factory() as uow:
            signed_in = identity.sign_in(
                uow, tenant_slug=login.workspace, email=login.email, password=logins.password
            )
        assert signed_in.actor.role.value == login.role


def test_the_second_tenant_sees_none_of_the_first_tenants_bookings(session, demo):
    tenant, _ = demo
    second = session.exec(select(Tenant).where(Tenant.slug == "gulf-coast-tow")).one()
    assert _count(session, Booking, Booking.tenant_id == second.id) == 1
    assert _count(session, Booking, Booking.tenant_id == tenant.id) == 18
