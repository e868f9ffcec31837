"""Revenue by local day, service and method: exact cents, the tenant's wall clock, its data only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, ValidationFailed
from roadside_console.domain.payments.models import PaymentMethod, PaymentStatus
from roadside_console.domain.reports.revenue import revenue_report
from tests.factories import actor_of, make_service, make_tenant, make_user
from tests.reports.support import booking_at, paid

# New York moves to daylight time at 02:00 on Sunday 8 March 2026 (EST −5 → EDT −4).
SAT_2330 = datetime(2026, 3, 8, 4, 30, tzinfo=UTC)  # Sat 7 Mar 23:30 EST
SUN_0030 = datetime(2026, 3, 8, 5, 30, tzinfo=UTC)  # Sun 8 Mar 00:30 EST
SUN_2330 = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)  # Sun 8 Mar 23:30 EDT
MON_2330 = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)  # Mon 9 Mar 23:30 EDT
TUE_0030 = datetime(2026, 3, 10, 4, 30, tzinfo=UTC)  # Tue 10 Mar 00:30 EDT


@pytest.fixture()
def shop(session):
    tenant, other = make_tenant(session), make_tenant(session)
    towing = make_service(session, tenant, name="Towing", base_price_cents=12500)
    jump = make_service(session, tenant, name="Jump Start", base_price_cents=10000)
    tow = booking_at(session, tenant, towing, SAT_2330)
    jump_a = booking_at(session, tenant, jump, SAT_2330)
    jump_b = booking_at(session, tenant, jump, SUN_0030)
    paid(session, tow, 17375, SAT_2330, method=PaymentMethod.STRIPE)
    paid(session, jump_a, 10001, SUN_0030, method=PaymentMethod.ZELLE)
    paid(
        session,
        jump_b,
        12500,
        SUN_2330,
        status=PaymentStatus.PARTIALLY_REFUNDED,
        refunded_cents=2499,
    )
    paid(session, jump_b, 9999, MON_2330, status=PaymentStatus.REFUNDED, refunded_cents=9999)
    paid(session, tow, 3333, MON_2330, method=PaymentMethod.CASHAPP)
    # not revenue: never confirmed, failed, outside the period, another tenant's
    paid(session, jump_b, 5000, None, status=PaymentStatus.PENDING)
    paid(session, jump_b, 5000, SUN_0030, status=PaymentStatus.FAILED)
    paid(session, jump_b, 7777, TUE_0030)
    foreign = booking_at(session, other, make_service(session, other), SUN_0030)
    paid(session, foreign, 99999, SUN_0030)
    finance = actor_of(make_user(session, tenant, role=Role.FINANCE))
    return finance, towing, jump


def test_revenue_counts_each_payment_on_its_local_day_across_the_dst_change(
    session, uow_factory, shop
):
    # given
    finance, _, _ = shop

    # when
    with uow_factory() as uow:
        report = revenue_report(uow, actor=finance, start=date(2026, 3, 7), end=date(2026, 3, 9))

    # then
    days = {d.day.isoformat(): (d.figures.payments, d.figures.net_cents) for d in report.days}
    assert days == {
        "2026-03-07": (1, 17375),
        "2026-03-08": (2, 10001 + 12500 - 2499),
        "2026-03-09": (2, 0 + 3333),
    }
    assert report.total.payments == 5
    assert (report.total.gross_cents, report.total.refunded_cents) == (53208, 12498)
    assert report.total.net_cents == 40710
    assert report.timezone == "America/New_York"


def test_revenue_by_service_and_by_method_add_up_to_the_total(session, uow_factory, shop):
    # given
    finance, towing, _ = shop

    # when
    with uow_factory() as uow:
        report = revenue_report(uow, actor=finance, start=date(2026, 3, 7), end=date(2026, 3, 9))

    # then
    services = [(g.label, g.figures.payments, g.figures.net_cents) for g in report.by_service]
    assert services == [("Towing", 2, 17375 + 3333), ("Jump Start", 3, 10001 + 10001)]
    assert report.by_service[0].key == str(towing.id)
    methods = {g.label: g.figures.net_cents for g in report.by_method}
    assert methods == {"Card": 17375, "Zelle": 10001, "Cash": 10001, "Cash App": 3333}
    assert sum(methods.values()) == report.total.net_cents


def test_a_day_without_payments_is_reported_at_zero(session, uow_factory, shop):
    finance, _, _ = shop
    with uow_factory() as uow:
        report = revenue_report(uow, actor=finance, start=date(2026, 3, 1), end=date(2026, 3, 2))
    assert [(d.day, d.figures.net_cents) for d in report.days] == [
        (date(2026, 3, 1), 0),
        (date(2026, 3, 2), 0),
    ]
    assert report.by_service == () and report.by_method == ()


def test_the_period_must_run_forwards_and_at_most_a_year(session, uow_factory, shop):
    finance, _, _ = shop
    for start, end in [(date(2026, 3, 9), date(2026, 3, 7)), (date(2025, 1, 1), date(2026, 1, 2))]:
        with uow_factory() as uow, pytest.raises(ValidationFailed):
            revenue_report(uow, actor=finance, start=start, end=end)


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.PROVIDER, Role.CUSTOMER])
def test_only_finance_and_admins_read_revenue(session, uow_factory, role):
    tenant = make_tenant(session)
    user = actor_of(make_user(session, tenant, role=role))
    with uow_factory() as uow, pytest.raises(Forbidden):
        revenue_report(uow, actor=user, start=date(2026, 3, 7), end=date(2026, 3, 9))
