"""CSV exports: the period's rows on the tenant's clock, dollars from cents, formulas defused."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, ValidationFailed
from roadside_console.domain.payments.models import PaymentMethod, PaymentStatus
from roadside_console.domain.reports.exports import (
    export_bookings_csv,
    export_payments_csv,
)
from roadside_console.domain.reports.revenue import revenue_report
from tests.factories import actor_of, make_provider, make_service, make_tenant, make_user
from tests.reports.support import booking_at, paid

SAT_2330 = datetime(2026, 3, 8, 4, 30, tzinfo=UTC)  # Sat 7 Mar 23:30 EST
SUN_0030 = datetime(2026, 3, 8, 5, 30, tzinfo=UTC)  # Sun 8 Mar 00:30 EST
MON_2330 = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)  # Mon 9 Mar 23:30 EDT
TUE_0030 = datetime(2026, 3, 10, 4, 30, tzinfo=UTC)  # Tue 10 Mar 00:30 EDT
MARCH_8_TO_9 = {"start": date(2026, 3, 8), "end": date(2026, 3, 9)}


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture()
def shop(session):
    tenant, other = make_tenant(session), make_tenant(session)
    towing = make_service(session, tenant, name="Towing")
    provider = make_provider(session, tenant, name="Dana Driver")
    before = booking_at(session, tenant, towing, SAT_2330, reference="RS-SAT")
    sunday = booking_at(
        session,
        tenant,
        towing,
        SUN_0030,
        reference="RS-SUN",
        contact_name='=HYPERLINK("http://evil.example","Click")',
        contact_phone="+14045550199",
        towing_miles=12,
        estimated_price_cents=17375,
        final_price_cents=18005,
        provider_id=provider.id,
        status=BookingStatus.COMPLETED,
    )
    monday = booking_at(session, tenant, towing, MON_2330, reference="RS-MON")
    booking_at(session, tenant, towing, TUE_0030, reference="RS-TUE")
    booking_at(session, other, make_service(session, other), SUN_0030, reference="RS-OTHER")
    paid(session, before, 5000, SAT_2330)
    paid(
        session,
        sunday,
        18005,
        SUN_0030,
        method=PaymentMethod.ZELLE,
        status=PaymentStatus.PARTIALLY_REFUNDED,
        refunded_cents=2501,
        reference="ZL-881",
    )
    paid(session, monday, 4444, None, status=PaymentStatus.PENDING)
    paid(session, monday, 3001, MON_2330, method=PaymentMethod.STRIPE)
    paid(session, monday, 7000, TUE_0030)
    return actor_of(make_user(session, tenant, role=Role.FINANCE))


def test_the_bookings_export_has_the_periods_bookings_on_the_local_clock(
    session, uow_factory, shop
):
    # when
    out = io.StringIO()
    with uow_factory() as uow:
        count = export_bookings_csv(uow, actor=shop, out=out, **MARCH_8_TO_9)

    # then
    rows = rows_of(out.getvalue())
    assert count == 2
    assert [r["reference"] for r in rows] == ["RS-SUN", "RS-MON"]
    sunday = rows[0]
    assert sunday["created"] == "2026-03-08 00:30"
    assert (sunday["status"], sunday["service"], sunday["provider"]) == (
        "completed",
        "Towing",
        "Dana Driver",
    )
    assert (sunday["estimated_price"], sunday["final_price"], sunday["towing_miles"]) == (
        "173.75",
        "180.05",
        "12",
    )
    assert sunday["contact_name"].startswith("'=HYPERLINK")
    assert sunday["contact_phone"] == "+14045550199"
    assert rows[1]["created"] == "2026-03-09 23:30" and rows[1]["final_price"] == ""


def test_the_payments_export_adds_up_to_the_revenue_report(session, uow_factory, shop):
    # when
    out = io.StringIO()
    with uow_factory() as uow:
        count = export_payments_csv(uow, actor=shop, out=out, **MARCH_8_TO_9)
    with uow_factory() as uow:
        report = revenue_report(uow, actor=shop, **MARCH_8_TO_9)

    # then: confirmed in the period, or recorded in it and never confirmed
    rows = rows_of(out.getvalue())
    assert count == 3
    assert sorted((r["booking_reference"], r["status"], r["net"]) for r in rows) == [
        ("RS-MON", "confirmed", "30.01"),
        ("RS-MON", "pending", "44.44"),
        ("RS-SUN", "partially_refunded", "155.04"),
    ]
    zelle = rows[0]
    assert (zelle["method"], zelle["amount"], zelle["refunded"], zelle["reference"]) == (
        "zelle",
        "180.05",
        "25.01",
        "ZL-881",
    )
    assert zelle["confirmed"] == "2026-03-08 00:30"
    confirmed_net = sum(int(r["net"].replace(".", "")) for r in rows if r["status"] != "pending")
    assert confirmed_net == report.total.net_cents == 15504 + 3001


def test_an_empty_period_exports_just_the_header(session, uow_factory, shop):
    out = io.StringIO()
    with uow_factory() as uow:
        count = export_bookings_csv(
            uow, actor=shop, out=out, start=date(2026, 1, 1), end=date(2026, 1, 31)
        )
    assert count == 0
    assert out.getvalue().splitlines() == [out.getvalue().splitlines()[0]]
    assert out.getvalue().startswith("reference,created,status")


def test_exports_check_the_period_and_the_role(session, uow_factory, shop):
    with uow_factory() as uow, pytest.raises(ValidationFailed):
        export_payments_csv(
            uow, actor=shop, out=io.StringIO(), start=date(2026, 3, 9), end=date(2026, 3, 8)
        )
    tenant = make_tenant(session)
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    for export in (export_bookings_csv, export_payments_csv):
        with uow_factory() as uow, pytest.raises(Forbidden):
            export(uow, actor=dispatcher, out=io.StringIO(), **MARCH_8_TO_9)
