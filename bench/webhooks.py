"""Stripe webhook benchmark: signed events through the ASGI app, on PostgreSQL and SQLite.

`python -m bench.webhooks` migrates a throwaway database per backend, seeds a tenant with
completed card jobs awaiting payment, then posts real signed `checkout.session.completed` events
(each confirms a payment, posts the ledger, counts trust and creates the provider's payout),
their replays (claim refused: a no-op), partial `charge.refunded` events and unknown types to
`POST /api/v1/webhooks/stripe` in process (httpx over ASGI), one at a time, and times each
request inside the app (from the ASGI call to its return: middleware, signature check, the
handling transaction, the answer) and end to end as the client saw it (plus httpx's own work
building the request and reading the answer). The target, a median under 20 ms, is for the
handling inside the app. `reconcile` must be clean afterwards. Each request's SQL statements and the
time spent inside the driver's execute calls are counted too, to show where the time goes. The
figures go to docs/benchmarks.md between the `bench:webhooks` markers.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import Session

from bench.common import create_database, drop_database, host_facts, migrate, replace_doc_section

START = "<!-- bench:webhooks:start -->"
END = "<!-- bench:webhooks:end -->"
TARGET_MS = 20.0
SECRET = "whsec_bench_roadside_console"
KINDS = ("completed", "replay", "refund", "unknown")


@dataclass
class Timings:
    """Per event kind: request times, SQL statements and time inside the driver, per request."""

    server_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)


class AppClock:
    """Wrap the ASGI app and time each request inside it, from the call until it returns."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last_ms = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last_ms = (time.perf_counter() - started) * 1000


class SqlMeter:
    """Count statements and time the driver's execute calls on one engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements = 0
        self.seconds = 0.0
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.statements, self.seconds = 0, 0.0

    def _before(self, conn: Any, *_: Any) -> None:
        self.statements += 1  # counted here: a statement that fails (the replay's INSERT) counts
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, *_: Any) -> None:
        self.seconds += time.perf_counter() - conn.info.pop("bench_started")


def main(argv: list[str]) -> int:
    """Run on both backends; return non-zero when a median misses the target or books differ."""
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks")
    parser.add_argument("--events", type=int, default=300, help="payments per backend")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    os.environ["STRIPE_WEBHOOK_SECRET"] = SECRET
    os.environ.setdefault("ROADSIDE_ENV", "test")
    os.environ.setdefault("EMBEDDED_WORKER", "false")
    logging.disable(logging.INFO)
    from roadside_console.domain.core.settings import get_settings

    get_settings.cache_clear()
    results: dict[str, dict[str, Timings]] = {}
    load_before = os.getloadavg()[0]
    for backend in ("sqlite",) if args.sqlite_only else ("postgresql", "sqlite"):
        url, cleanup = _create_database(backend)
        try:
            results[backend] = asyncio.run(_run(url, args.events))
        finally:
            cleanup()
    lines = _lines(results)
    lines.append(
        f"\nLoad average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}."
    )
    print("\n".join(lines))
    if not args.no_doc:
        _write_doc(lines, args.events)
    ok = all(statistics.median(r["completed"].server_ms) < TARGET_MS for r in results.values())
    return 0 if ok else 1


async def _run(url: str, events: int) -> dict[str, Timings]:
    from api.app import create_api
    from api.deps import get_uow
    from roadside_console.domain.core.db import create_db_engine
    from roadside_console.domain.core.uow import UnitOfWork
    from roadside_console.domain.ledger.service import reconcile_tenant

    engine = create_db_engine(url)
    tenant_id, payments = _seed(engine, events)
    app = create_api()
    app.dependency_overrides[get_uow] = lambda: UnitOfWork(
        lambda: Session(engine, expire_on_commit=False)
    )
    timings = {kind: Timings() for kind in KINDS}
    meter = SqlMeter(engine)
    clock = AppClock(app)
    transport = httpx.ASGITransport(app=clock)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def post(kind: str, evt: dict[str, Any], expected: str) -> None:
            meter.reset()
            timings[kind].total_ms.append(await _post(client, evt, expected))
            timings[kind].server_ms.append(clock.last_ms)
            timings[kind].statements.append(meter.statements)
            timings[kind].sql_ms.append(meter.seconds * 1000)

        for i in range(20):  # warm-up: connections, prepared statements, imports
            await _post(client, _event("customer.updated", {"id": f"cus_w{i}"}), "skipped")
        completed = [_completed(p, i) for i, p in enumerate(payments)]
        for evt in completed:
            await post("completed", evt, "processed")
        for evt in completed:
            await post("replay", evt, "duplicate")
        for i, _ in enumerate(payments):
            await post("refund", _refunded(i), "processed")
        for i in range(events):
            evt = _event("customer.created", {"id": f"cus_{i}", "object": "customer"})
            await post("unknown", evt, "skipped")
    with Session(engine) as session:
        report = reconcile_tenant(session, tenant_id=tenant_id)
        if not report.reconciled:
            raise SystemExit(f"books do not reconcile: {report}")
    engine.dispose()
    return timings


async def _post(client: httpx.AsyncClient, evt: dict[str, Any], expected: str) -> float:
    payload = json.dumps(evt).encode()
    ts = int(time.time())
    digest = hmac.new(SECRET.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    headers = {"Stripe-Signature": f"t={ts},v1={digest}", "Content-Type": "application/json"}
    started = time.perf_counter()
    response = await client.post("/api/v1/webhooks/stripe", content=payload, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or response.json()["outcome"] != expected:
        raise SystemExit(f"unexpected answer {response.status_code}: {response.text}")
    return elapsed


def _event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def _completed(payment: dict[str, str], i: int) -> dict[str, Any]:
    return _event(
        "checkout.session.completed",
        {
            "id": payment["session_id"],
            "object": "checkout.session",
            "amount_total": 10000,
            "payment_status": "paid",
            "payment_intent": f"pi_bench_{i}",
            "metadata": {"payment_id": payment["payment_id"], "tenant_id": payment["tenant_id"]},
        },
    )


def _refunded(i: int) -> dict[str, Any]:
    return _event(
        "charge.refunded",
        {
            "id": f"ch_bench_{i}",
            "object": "charge",
            "amount": 10000,
            "amount_refunded": 2500,
            "payment_intent": f"pi_bench_{i}",
            "refunds": {"data": [{"id": f"re_bench_{i}"}]},
        },
    )


def _seed(engine: sa.Engine, count: int) -> tuple[uuid.UUID, list[dict[str, str]]]:
    """One tenant, a tier-2 customer, a provider and `count` completed jobs with card payments."""
    from roadside_console.domain.bookings.models import Booking, BookingStatus
    from roadside_console.domain.catalog.models import Service, ServiceCategory
    from roadside_console.domain.core.auth import Role
    from roadside_console.domain.identity.models import User
    from roadside_console.domain.payments.models import Payment, PaymentMethod
    from roadside_console.domain.providers.models import Provider, ProviderStatus
    from roadside_console.domain.tenants.models import Tenant

    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        tenant = Tenant(name="Bench Towing", slug=f"bench-{uuid.uuid4().hex[:8]}")
        session.add(tenant)
        session.flush()
        customer = User(
            tenant_id=tenant.id,
            email="customer@bench.test",
            name="Bench Customer",
            role=Role.CUSTOMER,
            password_hash=None,
            trust_tier=2,
        )
        tech = User(
            tenant_id=tenant.id,
            email="tech@bench.test",
            name="Bench Tech",
            role=Role.PROVIDER,
            password_hash=None,
        )
        service = Service(
            tenant_id=tenant.id,
            slug="jump-start",
            name="Jump Start",
            category=ServiceCategory.ROADSIDE,
            base_price_cents=10000,
        )
        session.add_all([customer, tech, service])
        session.flush()
        provider = Provider(
            tenant_id=tenant.id,
            user_id=tech.id,
            name=tech.name,
            email=tech.email,
            phone="+14045550123",
            status=ProviderStatus.ACTIVE,
            home_lat=33.75,
            home_lng=-84.39,
        )
        session.add(provider)
        session.flush()
        payments = []
        for i in range(count):
            booking = Booking(
                tenant_id=tenant.id,
                reference=f"RS-B{i:05d}",
                service_id=service.id,
                customer_id=customer.id,
                provider_id=provider.id,
                status=BookingStatus.COMPLETED,
                completed_at=now,
                address="265 Park Ave W NW, Atlanta, GA 30313",
                lat=33.7628,
                lng=-84.3927,
                contact_name=customer.name,
                contact_phone="+14045550199",
                estimated_price_cents=10000,
                price_breakdown=[{"code": "base", "label": "Jump Start", "amount_cents": 10000}],
            )
            session.add(booking)
            session.flush()
            payment = Payment(
                tenant_id=tenant.id,
                booking_id=booking.id,
                customer_id=customer.id,
                method=PaymentMethod.STRIPE,
                amount_cents=10000,
                stripe_checkout_session_id=f"cs_bench_{i}",
                created_at=now,
                updated_at=now,
            )
            session.add(payment)
            session.flush()
            payments.append(
                {
                    "payment_id": str(payment.id),
                    "tenant_id": str(tenant.id),
                    "session_id": f"cs_bench_{i}",
                }
            )
        session.commit()
        return tenant.id, payments


def _create_database(backend: str) -> tuple[str, Any]:
    if backend == "sqlite":
        directory = tempfile.TemporaryDirectory()
        url = f"sqlite:///{directory.name}/bench.db"
        migrate(url)
        return url, directory.cleanup
    url = create_database()
    migrate(url)
    return url, lambda: drop_database(url)


def _lines(results: dict[str, dict[str, Timings]]) -> list[str]:
    labels = {
        "completed": "checkout.session.completed (confirm + ledger + payout)",
        "replay": "replay of the same event (claim refused, no-op)",
        "refund": "charge.refunded, partial (refund + payout reduced + ledger)",
        "unknown": "unknown event type (recorded as skipped)",
    }
    rows = [
        "| backend | event | median in the app | p95 | max | end to end (median) | SQL statements "
        "| in the driver (median) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for backend, by_kind in results.items():
        for kind in KINDS:
            values = sorted(by_kind[kind].server_ms)
            median = statistics.median(values)
            p95 = values[int(len(values) * 0.95) - 1]
            bold = "**" if kind == "completed" else ""
            verdict = (
                f" ({'within' if median < TARGET_MS else 'OVER'} the {TARGET_MS:.0f} ms target)"
                if kind == "completed"
                else ""
            )
            statements = statistics.median(by_kind[kind].statements)
            rows.append(
                f"| {backend} | {labels[kind]} | {bold}{median:.1f} ms{bold}{verdict} | "
                f"{p95:.1f} ms | {values[-1]:.1f} ms | "
                f"{statistics.median(by_kind[kind].total_ms):.1f} ms | {statements:.0f} | "
                f"{statistics.median(by_kind[kind].sql_ms):.1f} ms |"
            )
    return rows


NOTE = (
    "Reading the figures: the replay and unknown-type rows are the webhook machinery alone "
    "(signature check, one INSERT of the event's row that finds it already there or records it "
    "as skipped, HTTP in process). A `checkout.session.completed` is one transaction: find the "
    "payment, record the event, lock the booking, the confirming UPDATE (Stripe ids and the "
    "trust mark included), the ledger account ids (read once for both postings), the "
    "customer's clean-payment count, the audit row, one read of payment, earning flag, "
    "provider, service and pending referral, the commission rules, the earning INSERT, the "
    "booking's final price, and both ledger transactions in one INSERT per table. The driver "
    "column is the time inside the DBAPI execute calls (round trips and server work); the rest "
    "is Python: SQLAlchemy building, binding and loading rows, the model objects, JSON and the "
    "signature check. End to end adds the in-process client's own work (httpx builds each "
    "request and reads each answer). On this shared 2-core machine every part grows with the "
    "load average, so the load is recorded with each run."
)


def _write_doc(lines: list[str], events: int) -> None:
    machine = ", ".join(f"{name} {value}" for name, value in host_facts().items())
    command = "python -m bench.webhooks" + (f" --events {events}" if events != 300 else "")
    section = (
        f"{START}\n### Stripe webhooks ({datetime.now(UTC).date().isoformat()})\n\n"
        f"```\n{command}\n```\n\n"
        f"{events} payments per backend; each request is a real signed event posted in process "
        "(httpx over ASGI) to `POST /api/v1/webhooks/stripe`, one at a time, timed inside the "
        "app (middleware, signature check with the SDK's `WebhookSignature.verify_header`, the "
        "one transaction that records and handles the event, the answer) and end to end as the "
        "client saw it. `reconcile` is clean afterwards.\n\n"
        + "\n".join(lines)
        + "\n\n"
        + NOTE
        + f"\n\nMachine: {machine}; "
        "PostgreSQL local over TCP.\n" + END
    )
    replace_doc_section(section, START, END)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
