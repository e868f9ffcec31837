"""Payout-batch benchmark: one batch over 10,000 providers with 100,000 pending payouts.

`python -m bench.payouts` creates a throwaway PostgreSQL database (at `BENCH_POSTGRES_URL`),
bulk-loads a tenant with the providers, their pending earnings and the matching ledger entries
(so the books reconcile before and after), then times `run_payout_batch` (one transaction: one
UPDATE ... RETURNING, the carried-forward rows, one ledger transaction, the audit rows) and
checks `reconcile` is clean afterwards. The target is under 10 s. The figures go to
docs/benchmarks.md between the `bench:payouts` markers.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import insert
from sqlmodel import Session

from bench.common import (
    create_database,
    drop_database,
    migrate,
    replace_doc_section,
)
from roadside_console.domain.core.auth import Actor, Role
from roadside_console.domain.core.db import create_db_engine
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger import service as ledger
from roadside_console.domain.ledger.models import LedgerEntry, LedgerTransaction
from roadside_console.domain.payouts.batches import run_payout_batch
from roadside_console.domain.payouts.models import ProviderPayout
from roadside_console.domain.providers.models import Provider, ProviderStatus
from roadside_console.domain.tenants.models import Tenant, TenantSettings

START = "<!-- bench:payouts:start -->"
END = "<!-- bench:payouts:end -->"
TARGET_S = 10.0
NOW = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)


def main(argv: list[str]) -> int:
    """Run the benchmark; return non-zero when the batch misses the target or fails to reconcile."""
    parser = argparse.ArgumentParser(prog="python -m bench.payouts")
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--payouts", type=int, default=100_000)
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    url = _create_database()
    try:
        seconds, load_seconds, paid, total = _run(url, args.providers, args.payouts)
    finally:
        drop_database(url)
    verdict = "within" if seconds < TARGET_S else "OVER"
    line = (
        f"Payout batch over {args.providers:,} providers / {args.payouts:,} payouts on "
        f"PostgreSQL: {seconds:.2f} s ({verdict} the {TARGET_S:.0f} s target); "
        f"{paid:,} transfers, ${total / 100:,.2f}; load {load_seconds:.1f} s; reconciled."
    )
    print(line)
    if not args.no_doc:
        _write_doc(line)
    return 0 if seconds < TARGET_S else 1


def _run(url: str, providers: int, payouts: int) -> tuple[float, float, int, int]:
    engine = create_db_engine(url)
    started = time.perf_counter()
    actor, tenant_id = _load(engine, providers, payouts)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
        result = run_payout_batch(uow, actor=actor, now=NOW)
    seconds = time.perf_counter() - started
    with Session(engine) as session:
        report = ledger.reconcile_tenant(session, tenant_id=tenant_id)
    engine.dispose()
    if report.differences:
        raise SystemExit(f"the books do not reconcile after the batch: {report.differences[:3]}")
    return seconds, load_seconds, result.provider_count, result.total_cents


def _load(engine: sa.Engine, providers: int, payouts: int) -> tuple[Actor, uuid.UUID]:
    rng = random.Random(7)
    with Session(engine) as session:
        tenant = Tenant(name="Bench Payouts", slug=f"bench-{uuid.uuid4().hex[:8]}")
        session.add(tenant)
        session.flush()
        session.add(TenantSettings(tenant_id=tenant.id))
        finance = User(
            tenant_id=tenant.id,
            email="finance@bench.example",
            name="Bench Finance",
            role=Role.FINANCE,
            password_hash="!",  # noqa: S106 - a placeholder that matches no password
        )
        session.add(finance)
        session.flush()
        provider_ids = [uuid.uuid4() for _ in range(providers)]
        session.execute(
            insert(Provider),
            [
                {
                    "id": pid,
                    "tenant_id": tenant.id,
                    "name": f"Provider {i}",
                    "email": f"p{i}@bench.example",
                    "phone": "+14045550000",
                    "status": ProviderStatus.ACTIVE.value,
                    "commission_type": "percentage",
                    "commission_rate_bp": 7000,
                    "specialties": [],
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i, pid in enumerate(provider_ids)
            ],
        )
        rows = []
        owed: dict[uuid.UUID, int] = {}
        gross_of: dict[uuid.UUID, int] = {}
        for i in range(payouts):
            pid = provider_ids[i % providers]
            gross = rng.randrange(5_000, 40_000)
            share = gross * 7 // 10
            owed[pid] = owed.get(pid, 0) + share
            gross_of[pid] = gross_of.get(pid, 0) + gross
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant.id,
                    "provider_id": pid,
                    "kind": "earning",
                    "status": "pending",
                    "amount_cents": share,
                    "gross_cents": gross,
                    "platform_fee_cents": gross - share,
                    "commission": {},
                    "created_at": NOW - timedelta(minutes=i % 10_000),
                }
            )
        for start in range(0, len(rows), 10_000):
            session.execute(insert(ProviderPayout), rows[start : start + 10_000])
        # One line per provider on each side: ledger amounts are 32-bit integers per entry.
        lines = []
        for p, cents in owed.items():
            lines += [
                (ledger.provider_payable(p), -cents),
                (ledger.PLATFORM_REVENUE, cents - gross_of[p]),
                (ledger.CUSTOMER_RECEIVABLE, gross_of[p]),
            ]
        accounts = ledger.ensure_accounts(session, tenant_id=tenant.id, codes=[c for c, _ in lines])
        txn = LedgerTransaction(tenant_id=tenant.id, kind="bench_load", created_at=NOW)
        session.add(txn)
        session.flush()
        entries = [
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant.id,
                "transaction_id": txn.id,
                "account_id": accounts[code],
                "amount_cents": cents,
                "created_at": NOW,
            }
            for code, cents in lines
        ]
        session.execute(insert(LedgerEntry), entries)
        session.commit()
        session.execute(sa.text("ANALYZE"))
        session.commit()
        return Actor(finance.id, tenant.id, Role.FINANCE, finance.name), tenant.id


def _create_database() -> str:
    url = create_database()
    migrate(url)
    return url


def _write_doc(line: str) -> None:
    section = (
        f"{START}\n### Payout batch ({NOW.date().isoformat()} data, run "
        f"{datetime.now(UTC).date().isoformat()})\n\n```\npython -m bench.payouts\n```\n\n"
        "One `run_payout_batch` in one transaction on PostgreSQL: a guarded UPDATE ... RETURNING "
        "marks every pending payout paid and yields the rows it summed, per-provider nets are "
        "added in Python, one ledger transaction debits each provider's payable and credits the "
        "bank, and one audit row per provider is bulk-inserted. `reconcile` is clean afterwards."
        f"\n\n{line}\n{END}"
    )
    replace_doc_section(section, START, END)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
