"""Bulk bookings on SQLite and PostgreSQL, each in a database of its own.

The generator commits (and uses COPY on PostgreSQL), so it cannot run inside the rolled-back
`session` fixture; each backend gets a fresh migrated database with the demo seeded once.
"""

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.db import create_db_engine, get_engine
from roadside_console.domain.core.money import apply_bp
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger.service import reconcile, reconcile_tenant
from roadside_console.domain.payments.models import Payment, PaymentMethod
from roadside_console.domain.payments.rules import METHOD_LABELS
from roadside_console.domain.payments.service import refund_payment
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.seed import bulk
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG, seed_demo
from roadside_console.domain.tenants.models import Tenant
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    REQUIRE_POSTGRES,
    alembic_config,
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
)
from tests.factories import actor_of

NOW = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)
COUNT = 2_000
FIRST_RUN = "BK-001-%"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.pg)])
def bulk_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Engine]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('bulk') / 'bulk.db'}"
    else:
        if not postgres_available():
            if REQUIRE_POSTGRES:
                pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_ADMIN_URL}")
            pytest.skip("PostgreSQL not reachable")
        url = create_postgres_database()
    command.upgrade(alembic_config(url), "head")
    engine = create_db_engine(url)
    with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
        seed_demo(uow, password="demo-password-123", now=NOW)
    yield url, engine
    engine.dispose()
    if request.param == "postgres":
        drop_postgres_database(url)


@pytest.fixture(scope="module")
def bulk_engine(bulk_db: tuple[str, Engine]) -> Engine:
    return bulk_db[1]


@pytest.fixture(scope="module")
def migrated_schema(bulk_engine: Engine) -> object:
    return _schema(bulk_engine)


@pytest.fixture(scope="module")
def first_run(bulk_engine: Engine, migrated_schema: object) -> bulk.BulkReport:
    # Small chunks, so several transactions (and both COPY connections) take part; exclusive, as
    # the benchmark runs it (on PostgreSQL: indexes and foreign keys restored after the load).
    # Later runs in this module keep them in place.
    return bulk.generate_bookings(
        bulk_engine,
        tenant_slug=DEMO_TENANT_SLUG,
        count=COUNT,
        rng_seed=7,
        now=NOW,
        batch_size=300,
        exclusive=True,
    )


def _schema(engine: Engine) -> object:
    """Every index and constraint (with whether it is validated), as the database prints them."""
    if engine.dialect.name != "postgresql":  # a table's SQL carries its keys and constraints
        return _rows(engine, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
    with engine.connect() as conn:
        indexes = conn.execute(
            sa.text(
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() ORDER BY 1, 2"
            )
        ).all()
        constraints = conn.execute(
            sa.text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
                "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace "
                "ORDER BY 1, 2"
            )
        ).all()
    return [tuple(row) for row in indexes], [tuple(row) for row in constraints]


def _rows(engine: Engine, sql: str, **params: object) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql), {"run": FIRST_RUN, **params}))


def _tenant_id(engine: Engine) -> object:
    return _rows(engine, "SELECT id FROM tenants WHERE slug = :slug", slug=DEMO_TENANT_SLUG)[0][0]


def test_a_run_writes_bookings_with_their_events_payments_and_payouts(bulk_engine, first_run):
    # given a run of 2,000 bookings
    # when we count what it wrote
    statuses = Counter(
        dict(
            _rows(
                bulk_engine,
                "SELECT status, count(*) FROM bookings WHERE reference LIKE :run GROUP BY status",
            )
        )
    )
    events = Counter(
        dict(
            _rows(
                bulk_engine,
                "SELECT e.kind, count(*) FROM booking_events e JOIN bookings b ON b.id = e.booking_id "
                "WHERE b.reference LIKE :run GROUP BY e.kind",
            )
        )
    )
    payments, payouts = _rows(
        bulk_engine,
        "SELECT (SELECT count(*) FROM payments p JOIN bookings b ON b.id = p.booking_id "
        "        WHERE b.reference LIKE :run AND p.status = 'confirmed'), "
        "       (SELECT count(*) FROM provider_payouts o JOIN bookings b ON b.id = o.booking_id "
        "        WHERE b.reference LIKE :run)",
    )[0]
    # then the counts match the report and the documented mix
    live = COUNT // 100
    assert first_run.bookings == sum(statuses.values()) == COUNT
    assert (
        statuses["pending"]
        + statuses["confirmed"]
        + statuses["dispatched"]
        + statuses["in_progress"]
        == live
    )
    assert 0.03 * COUNT < statuses["cancelled"] < 0.07 * COUNT
    assert statuses["completed"] == COUNT - live - statuses["cancelled"]
    assert events["booking_created"] == COUNT
    assert events["status_changed"] == COUNT - statuses["pending"]
    assert first_run.events == events.total()
    assert first_run.payments == payments == statuses["completed"]
    assert first_run.payouts == payouts == statuses["completed"]
    assert first_run.customers_created == 188 and first_run.providers_created == 51


def test_every_breakdown_sums_to_the_estimated_price(bulk_engine, first_run):
    # given the generated bookings
    rows = _rows(
        bulk_engine,
        "SELECT price_breakdown, estimated_price_cents, final_price_cents, status "
        "FROM bookings WHERE reference LIKE :run",
    )
    # then each breakdown explains its price exactly, and completed jobs were charged it
    for breakdown, estimate, final, status in rows:
        lines = json.loads(breakdown) if isinstance(breakdown, str) else breakdown
        assert sum(line["amount_cents"] for line in lines) == estimate
        assert lines[0]["code"] == "base"
        assert final == (estimate if status == "completed" else None)


def test_every_payout_and_its_platform_fee_add_up_to_the_price_paid(bulk_engine, first_run):
    # given completed bookings with their payment and payout
    rows = _rows(
        bulk_engine,
        "SELECT b.final_price_cents, p.amount_cents, o.amount_cents, o.platform_fee_cents, "
        "       o.gross_cents, o.status, o.batch_id "
        "FROM bookings b JOIN payments p ON p.booking_id = b.id "
        "JOIN provider_payouts o ON o.booking_id = b.id WHERE b.reference LIKE :run",
    )
    # then money balances to the cent, and most payouts were paid in a batch
    assert rows
    for price, paid, payout, fee, gross, _, _ in rows:
        assert paid == gross == price
        assert payout + fee == gross
        assert payout >= 0 and fee >= 0
    paid_share = sum(1 for row in rows if row[5] == "paid" and row[6] is not None) / len(rows)
    assert 0.8 < paid_share < 0.97


def test_the_books_of_the_demo_tenant_reconcile_after_a_bulk_run(bulk_engine, first_run):
    # given the demo tenant with a bulk run on top of the demo data
    with UnitOfWork(lambda: Session(bulk_engine, expire_on_commit=False)) as uow:
        tenant = uow.session.exec(select(Tenant).where(Tenant.slug == DEMO_TENANT_SLUG)).one()
        finance = uow.session.exec(
            select(User).where(User.tenant_id == tenant.id, User.role == Role.FINANCE)
        ).first()
        # when finance reconciles the ledger
        report = reconcile(uow, actor=actor_of(finance))
    # then nothing differs: payables, platform revenue and credits agree with the ledger
    assert report.differences == []
    assert report.transactions > 2 * first_run.payments


def test_every_completed_job_posts_its_payment_and_earning_to_the_ledger(bulk_engine, first_run):
    # given the completed bookings of the run with their payments and payouts
    payments = dict(
        _rows(
            bulk_engine,
            "SELECT p.method, sum(p.amount_cents) FROM payments p "
            "JOIN bookings b ON b.id = p.booking_id WHERE b.reference LIKE :run "
            "GROUP BY p.method",
        )
    )
    paid_out, fees = _rows(
        bulk_engine,
        "SELECT sum(o.amount_cents), sum(o.platform_fee_cents) FROM provider_payouts o "
        "JOIN bookings b ON b.id = o.booking_id WHERE b.reference LIKE :run",
    )[0]
    # when we total the run's ledger entries per account and count its transactions
    balances = dict(
        _rows(
            bulk_engine,
            "SELECT CASE WHEN a.code LIKE 'provider_payable:%' THEN 'provider_payable' "
            "            ELSE a.code END, sum(e.amount_cents) "
            "FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id "
            "JOIN bookings b ON b.id = e.booking_id WHERE b.reference LIKE :run "
            "GROUP BY 1",
        )
    )
    kinds = Counter(
        dict(
            _rows(
                bulk_engine,
                "SELECT t.kind, count(*) FROM ledger_transactions t "
                "JOIN bookings b ON b.id = t.booking_id WHERE b.reference LIKE :run "
                "GROUP BY t.kind",
            )
        )
    )
    # then each method's clearing holds its payments, receivables net to zero, the providers'
    # payables hold their payouts and platform revenue the fees, one transaction each per job
    clearing = {"stripe": "stripe_clearing"}
    for method, cents in payments.items():
        assert balances[clearing.get(method, f"cash_clearing:{method}")] == cents
    assert balances["customer_receivable"] == 0
    assert balances["provider_payable"] == -paid_out
    assert balances["platform_revenue"] == -fees
    assert kinds == {"payment_confirmed": first_run.payments, "job_earned": first_run.payments}


def test_the_report_counts_the_ledger_rows_it_wrote(bulk_engine, first_run):
    # given the run's job entries and the weekly batches that paid its providers
    job_entries = _rows(
        bulk_engine,
        "SELECT count(*) FROM ledger_entries e JOIN bookings b ON b.id = e.booking_id "
        "WHERE b.reference LIKE :run",
    )[0][0]
    paid_per_batch = [
        providers
        for _, providers in _rows(
            bulk_engine,
            "SELECT o.batch_id, count(DISTINCT o.provider_id) FROM provider_payouts o "
            "JOIN bookings b ON b.id = o.booking_id WHERE b.reference LIKE :run "
            "AND o.status = 'paid' AND o.amount_cents > 0 GROUP BY o.batch_id",
        )
    ]
    # then two transactions per job plus one per batch, and a line per provider paid and the bank
    assert first_run.ledger_transactions == 2 * first_run.payments + len(paid_per_batch)
    assert first_run.ledger_entries == job_entries + sum(n + 1 for n in paid_per_batch)


def test_what_the_batches_paid_left_the_bank_account_for_payouts(bulk_engine, first_run):
    # given the tenant's payout batches, the demo's and the bulk run's weekly ones
    tenant = _tenant_id(bulk_engine)
    batches, paid = _rows(
        bulk_engine,
        "SELECT (SELECT sum(total_cents) FROM payout_batches WHERE tenant_id = :t), "
        "       (SELECT sum(amount_cents) FROM provider_payouts "
        "        WHERE tenant_id = :t AND status = 'paid')",
        t=tenant,
    )[0]
    # when we read the payouts clearing account
    clearing = _rows(
        bulk_engine,
        "SELECT sum(e.amount_cents) FROM ledger_entries e "
        "JOIN ledger_accounts a ON a.id = e.account_id "
        "WHERE a.tenant_id = :t AND a.code = 'payouts_clearing'",
        t=tenant,
    )[0][0]
    # then it was credited exactly what the batches paid, which is every paid payout
    assert -clearing == batches == paid


def test_a_percentage_provider_earns_what_the_service_cut_leaves(bulk_engine, first_run):
    # given percentage providers' payouts on services with a platform cut (and no rules)
    rows = _rows(
        bulk_engine,
        "SELECT o.gross_cents, o.platform_fee_cents, s.platform_cut_bp FROM provider_payouts o "
        "JOIN bookings b ON b.id = o.booking_id JOIN services s ON s.id = b.service_id "
        "JOIN providers v ON v.id = o.provider_id WHERE b.reference LIKE :run "
        "AND v.commission_type = 'percentage' AND s.platform_cut_bp IS NOT NULL",
    )
    # then the platform fee is the service's cut, as when the domain earns a job
    assert rows
    for gross, fee, cut in rows:
        assert fee == apply_bp(gross, cut)


def test_references_are_unique_and_readable(bulk_engine, first_run):
    # given the references of the run
    references = [
        row[0]
        for row in _rows(bulk_engine, "SELECT reference FROM bookings WHERE reference LIKE :run")
    ]
    # then they are distinct and follow BK-<run>-<counter>
    assert len(references) == len(set(references)) == COUNT
    assert all(re.fullmatch(r"BK-001-[0-9A-Z]{6}", reference) for reference in references)


def test_every_row_carries_the_tenant_of_its_booking(bulk_engine, first_run):
    # given the demo tenant
    tenant = str(_tenant_id(bulk_engine)).replace("-", "")
    # when we look at the tenant of each generated row and of everyone it points to
    tenants = _rows(
        bulk_engine,
        "SELECT DISTINCT b.tenant_id FROM bookings b WHERE b.reference LIKE :run "
        "UNION SELECT DISTINCT e.tenant_id FROM booking_events e JOIN bookings b ON b.id = e.booking_id "
        "  WHERE b.reference LIKE :run "
        "UNION SELECT DISTINCT p.tenant_id FROM payments p JOIN bookings b ON b.id = p.booking_id "
        "  WHERE b.reference LIKE :run "
        "UNION SELECT DISTINCT o.tenant_id FROM provider_payouts o JOIN bookings b ON b.id = o.booking_id "
        "  WHERE b.reference LIKE :run "
        "UNION SELECT DISTINCT u.tenant_id FROM bookings b JOIN users u ON u.id = b.customer_id "
        "  WHERE b.reference LIKE :run "
        "UNION SELECT DISTINCT v.tenant_id FROM bookings b JOIN providers v ON v.id = b.provider_id "
        "  WHERE b.reference LIKE :run "
        "UNION SELECT DISTINCT s.tenant_id FROM bookings b JOIN services s ON s.id = b.service_id "
        "  WHERE b.reference LIKE :run",
    )
    # then there is exactly one: the demo tenant
    assert [str(row[0]).replace("-", "") for row in tenants] == [tenant]


def test_the_same_seed_and_clock_give_the_same_bookings(bulk_engine, first_run):
    # given the first run with seed 7
    fields = (
        "status, service_id, customer_id, provider_id, estimated_price_cents, created_at, "
        "completed_at"
    )
    before = _rows(
        bulk_engine, f"SELECT {fields} FROM bookings WHERE reference LIKE :run ORDER BY reference"
    )
    # when the generator runs again with the same seed and clock
    again = bulk.generate_bookings(
        bulk_engine, tenant_slug=DEMO_TENANT_SLUG, count=COUNT, rng_seed=7, now=NOW, batch_size=999
    )
    after = _rows(
        bulk_engine,
        f"SELECT {fields} FROM bookings WHERE reference LIKE :run ORDER BY reference",
        run="BK-002-%",
    )
    # then it writes the same bookings under new references (and tops up nobody)
    assert again.customers_created == again.providers_created == 0
    assert after == before
    payouts = "SELECT sum(o.amount_cents) FROM provider_payouts o JOIN bookings b ON b.id = o.booking_id WHERE b.reference LIKE :run"
    assert _rows(bulk_engine, payouts) == _rows(bulk_engine, payouts, run="BK-002-%")


def test_another_seed_gives_other_bookings(bulk_engine, first_run):
    # when a small run uses another seed
    bulk.generate_bookings(
        bulk_engine, tenant_slug=DEMO_TENANT_SLUG, count=200, rng_seed=8, now=NOW
    )
    # then its prices differ from the first run's first 200
    sql = (
        "SELECT estimated_price_cents FROM bookings WHERE reference LIKE :run "
        "ORDER BY reference LIMIT 200"
    )
    last = _rows(bulk_engine, "SELECT max(reference) FROM bookings WHERE reference LIKE 'BK-%'")[0][
        0
    ]
    assert _rows(bulk_engine, sql) != _rows(bulk_engine, sql, run=last[:7] + "%")


def test_a_missing_tenant_is_refused_with_a_clear_message(bulk_engine):
    # when the target tenant does not exist
    with pytest.raises(bulk.TenantMissing, match="'nowhere' does not exist"):
        bulk.generate_bookings(bulk_engine, tenant_slug="nowhere", count=10)


def test_the_command_line_reports_a_missing_tenant_and_seeds_the_demo_one(
    bulk_db, monkeypatch, capsys
):
    # given the command line pointed at the test database
    url, _ = bulk_db
    monkeypatch.setenv("DATABASE_URL", url)
    get_engine.cache_clear()
    try:
        # when it targets an unknown tenant, then the demo one
        missing = bulk.main(["--bookings", "10", "--tenant", "nowhere"])
        done = bulk.main(["--bookings", "30", "--seed", "3", "--now", "2026-06-15T14:30:00+00:00"])
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
    # then the first fails with a message and the second adds the bookings
    out = capsys.readouterr()
    assert missing == 2 and "'nowhere' does not exist" in out.err
    assert done == 0 and "30 bookings" in out.out


def test_refunding_a_bulk_job_claws_back_the_providers_share_like_any_job(bulk_engine, first_run):
    # given a run of its own, and one of its cash jobs whose earning was paid in a batch
    bulk.generate_bookings(bulk_engine, count=300, rng_seed=11, now=NOW)
    run = _rows(bulk_engine, "SELECT max(reference) FROM bookings WHERE reference LIKE 'BK-%'")
    run_prefix = run[0][0][:7]
    with UnitOfWork(lambda: Session(bulk_engine, expire_on_commit=False)) as uow:
        session = uow.session
        tenant = session.exec(select(Tenant).where(Tenant.slug == DEMO_TENANT_SLUG)).one()
        finance = session.exec(
            select(User).where(User.tenant_id == tenant.id, User.role == Role.FINANCE)
        ).first()
        payment, earning = session.exec(
            select(Payment, ProviderPayout)
            .join(ProviderPayout, ProviderPayout.booking_id == Payment.booking_id)
            .where(
                Payment.tenant_id == tenant.id,
                col(Payment.reference).like(f"CASH-{run_prefix}%"),
                ProviderPayout.status == PayoutStatus.PAID,
                ProviderPayout.kind == PayoutKind.EARNING,
            )
            .order_by(col(Payment.created_at).desc())
        ).first()
        share, fee = earning.amount_cents, earning.platform_fee_cents
        # when finance refunds it in full through the payment core
        refund = refund_payment(
            uow,
            actor=actor_of(finance),
            payment_id=payment.id,
            amount_cents=payment.amount_cents,
            method=PaymentMethod.CASH,
            reference="CASH-BACK-1",
        )
        clawback = session.exec(
            select(ProviderPayout).where(
                ProviderPayout.booking_id == payment.booking_id,
                ProviderPayout.kind == PayoutKind.CLAWBACK,
            )
        ).one()
        report = reconcile_tenant(session, tenant_id=tenant.id)
    # then the provider's whole share comes back in their next batch and the books still agree
    assert refund.provider_cents == share > 0
    assert refund.platform_cents == fee
    assert clawback.amount_cents == -share
    assert report.differences == []


def test_an_exclusive_run_leaves_exactly_the_migrated_indexes_and_keys(
    bulk_engine, migrated_schema, first_run
):
    # given the schema right after the migrations, and an exclusive run since
    # when we read the schema again
    after = _schema(bulk_engine)
    # then every index and constraint is back with its definition, foreign keys validated
    assert after == migrated_schema
    if bulk_engine.dialect.name == "postgresql":
        names = {row[1] for row in after[0]}
        assert {"ix_bookings_reference_trgm", "ix_ledger_entries_account"} <= names


def test_a_failed_exclusive_load_still_restores_the_indexes_and_keys(
    bulk_engine, migrated_schema, first_run, monkeypatch
):
    # given a writer that fails before anything is committed (the books stay balanced)
    if bulk_engine.dialect.name != "postgresql":
        pytest.skip("the exclusive mode changes nothing on SQLite")

    def failing(self, rendered):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk._PostgresWriter, "copy", failing)
    # when an exclusive run hits it
    with pytest.raises(RuntimeError, match="disk full"):
        bulk.generate_bookings(
            bulk_engine, count=900, rng_seed=5, now=NOW, batch_size=300, workers=1, exclusive=True
        )
    # then the schema is the migrated one again
    assert _schema(bulk_engine) == migrated_schema


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def test_events_name_their_actor_reason_and_time_and_the_ledger_its_job(bulk_engine, first_run):
    # given the first run's events with their bookings
    rows = _rows(
        bulk_engine,
        "SELECT b.status, b.cancel_reason, b.customer_id, p.user_id, p.id, b.created_at, "
        "       b.completed_at, b.cancelled_at, e.kind, e.from_status, e.to_status, "
        "       e.actor_id, e.actor_role, e.reason, e.payload, e.created_at "
        "FROM booking_events e JOIN bookings b ON b.id = e.booking_id "
        "LEFT JOIN providers p ON p.id = b.provider_id WHERE b.reference LIKE :run",
    )
    # when we look at each event
    # then creation is the customer's, cancelling gives the booking's reason, completing is
    # the provider's, each at the booking's own time
    seen = Counter()
    for booking in rows:
        status, cancel_reason, customer, provider_user, provider, created = booking[:6]
        completed, cancelled, kind, before, after, actor, role, reason, payload, at = booking[6:]
        dispatched = {"provider_id": str(UUID(str(provider)))} if after == "dispatched" else {}
        assert _json(payload) == dispatched
        if kind == "booking_created":
            assert (before, after, actor, role, reason, at) == (
                None, "pending", customer, "customer", None, created,
            )  # fmt: skip
        elif after == "cancelled":
            assert (status, actor, role, reason, at) == (
                "cancelled", customer, "customer", cancel_reason, cancelled,
            )  # fmt: skip
            assert before in ("pending", "confirmed")
        elif after == "completed":
            assert (before, actor, role, reason, at) == (
                "in_progress", provider_user, "provider", None, completed,
            )  # fmt: skip
        seen[kind, after] += 1
    assert seen["status_changed", "completed"] == first_run.payments
    # and every ledger transaction of a job is dated at its completion and names it
    ledger = _rows(
        bulk_engine,
        "SELECT t.kind, t.description, b.reference, p.reference, p.method, "
        "       t.created_at = b.completed_at, "
        "       (SELECT count(*) FROM ledger_entries e WHERE e.transaction_id = t.id "
        "        AND e.booking_id = b.id AND e.created_at = b.completed_at "
        "        AND e.tenant_id = b.tenant_id) "
        "FROM ledger_transactions t JOIN bookings b ON b.id = t.booking_id "
        "JOIN payments p ON p.booking_id = b.id WHERE b.reference LIKE :run",
    )
    labels = {method.value: label for method, label in METHOD_LABELS.items()}
    for kind, description, reference, paid_ref, method, same_time, entries in ledger:
        assert same_time and entries >= 2
        if kind == "job_earned":
            assert description == f"Job {reference} completed and paid"
        else:
            assert description == f"{labels[method]} payment {paid_ref or ''}".strip()


def test_a_full_history_names_the_dispatched_provider(bulk_engine, first_run):
    # given a small run with one event per status change
    bulk.generate_bookings(bulk_engine, count=200, rng_seed=3, now=NOW, full_history=True)
    run = (
        _rows(bulk_engine, "SELECT max(reference) FROM bookings WHERE reference LIKE 'BK-%'")[0][0][
            :7
        ]
        + "%"
    )
    # when we read its dispatch events
    rows = _rows(
        bulk_engine,
        "SELECT b.provider_id, e.payload, e.from_status, e.actor_role, e.created_at, "
        "       b.dispatched_at "
        "FROM booking_events e JOIN bookings b ON b.id = e.booking_id "
        "WHERE b.reference LIKE :run AND e.to_status = 'dispatched'",
        run=run,
    )
    # then each names its booking's provider, from confirmed, by the admin, at dispatch time
    assert rows
    for provider, payload, before, role, at, dispatched in rows:
        assert _json(payload) == {"provider_id": str(UUID(str(provider)))}
        assert (before, role, at) == ("confirmed", "admin", dispatched)
