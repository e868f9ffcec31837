"""Bulk-seed benchmark: N bookings into a fresh, migrated PostgreSQL database.

`python -m bench.bulk_seed --bookings 1000000` creates a throwaway database (next to the admin
database named by `BENCH_POSTGRES_URL`), migrates it, seeds the demo, times the bulk generator,
checks the data with a few queries, times `reconcile` over the whole tenant, drops the database
and records the figures in docs/benchmarks.md (between the `bench:bulk_seed` markers; `--no-doc`
leaves the doc alone, for trial runs).

The database is the run's own, so the generator runs `exclusive` (secondary indexes and foreign
keys off during the load, rebuilt and validated after); `--shared` keeps them in place, as a run
next to other writers must. Each phase is timed with the CPU the server's connections spent in
it, and the run checks that the schema it leaves is the migrated one.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench.common import (
    ADMIN_URL,
    DOC,
    ROOT,
    create_database,
    drop_database,
    host_facts,
    migrate,
    replace_doc_section,
)
from roadside_console.domain.core.db import create_db_engine
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.ledger.service import ReconciliationReport, reconcile_tenant
from roadside_console.domain.seed import bulk
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG, seed_demo

START = "<!-- bench:bulk_seed:start -->"
END = "<!-- bench:bulk_seed:end -->"
TARGET_SECONDS = 180  # 120 s until the run also wrote the ledger (7 more rows per job)


@dataclass(frozen=True)
class Result:
    """Figures of one run, as printed and written to the docs."""

    report: bulk.BulkReport
    peak_rss_mb: float
    rss_before_mb: float
    python_cpu_seconds: float
    server_cpu_seconds: float | None
    server_cpu_by_phase: dict[str, float]
    load_before: float
    load_after: float
    statuses: dict[str, int]
    checks: dict[str, bool]
    reconciliation: ReconciliationReport
    reconcile_seconds: float


def main(argv: list[str]) -> int:
    """Run the benchmark; return 1 if a sanity check fails."""
    parser = argparse.ArgumentParser(prog="python -m bench.bulk_seed")
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=bulk.DEFAULT_BATCH_SIZE)
    parser.add_argument("--workers", type=int, default=bulk.DEFAULT_WORKERS)
    parser.add_argument("--full-history", action="store_true")
    parser.add_argument(
        "--shared",
        action="store_true",
        help="keep indexes and foreign keys in place during the load (no exclusive mode)",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)

    url = create_database()
    engine = create_db_engine(url)
    try:
        print(f"database {make_url(url).database}: migrating and seeding the demo", flush=True)
        migrate(url)
        with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
            seed_demo(uow)
        result = _run(engine, args)
    finally:
        engine.dispose()
        drop_database(url)

    text = _render(result, args, argv, _machine(url=ADMIN_URL))
    print(text)
    if not args.no_doc:
        _write_doc(text)
        print(f"updated {DOC.relative_to(ROOT)}")
    return 0 if all(result.checks.values()) else 1


def _run(engine: Engine, args: argparse.Namespace) -> Result:
    schema_before = _schema(engine)
    samples: list[tuple[str, float | None]] = []
    with engine.connect() as probe:  # one connection of its own, outside the generator's pool use

        def on_phase(name: str) -> None:
            samples.append((name, _backend_cpu_seconds(probe)))
            probe.rollback()  # pg_stat_activity is a snapshot per transaction: see new writers

        rss_before = _peak_rss_mb()
        cpu_before = _cpu_seconds()
        load_before = os.getloadavg()[0]
        report = _generate(engine, args, on_phase)
    by_phase: dict[str, float] = {}
    for (name, cpu), (_, cpu_next) in itertools.pairwise(samples):
        if cpu is not None and cpu_next is not None:
            by_phase[name] = cpu_next - cpu
    print()
    python_cpu = _cpu_seconds() - cpu_before
    load_after = os.getloadavg()[0]
    with engine.connect() as conn:
        server_cpu = _backend_cpu_seconds(conn)
        statuses, checks = _sanity(conn)
    checks["the schema afterwards is the migrated one"] = _schema(engine) == schema_before
    print("reconciling the tenant's ledger", flush=True)
    with Session(engine) as session:
        tenant = session.execute(
            sa.text("SELECT id FROM tenants WHERE slug = :slug"), {"slug": DEMO_TENANT_SLUG}
        ).scalar_one()
        started = time.perf_counter()
        reconciliation = reconcile_tenant(session, tenant_id=tenant)
        reconcile_seconds = time.perf_counter() - started
    checks["reconcile finds zero differences"] = reconciliation.reconciled
    return Result(
        report=report,
        peak_rss_mb=_peak_rss_mb(),
        rss_before_mb=rss_before,
        python_cpu_seconds=python_cpu,
        server_cpu_seconds=server_cpu,
        server_cpu_by_phase=by_phase,
        load_before=load_before,
        load_after=load_after,
        statuses=statuses,
        checks=checks,
        reconciliation=reconciliation,
        reconcile_seconds=reconcile_seconds,
    )


def _generate(
    engine: Engine, args: argparse.Namespace, on_phase: Callable[[str], None]
) -> bulk.BulkReport:
    return bulk.generate_bookings(
        engine,
        tenant_slug=DEMO_TENANT_SLUG,
        count=args.bookings,
        rng_seed=args.seed,
        batch_size=args.batch_size,
        workers=args.workers,
        full_history=args.full_history,
        progress=lambda done: print(f"\r  {done:,} bookings", end="", flush=True),
        exclusive=not args.shared,
        on_phase=on_phase,
    )


def _schema(engine: Engine) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Every index and constraint definition of the public schema, to compare before and after."""
    with engine.connect() as conn:
        indexes = conn.execute(
            sa.text(
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() ORDER BY 1, 2"
            )
        ).all()
        constraints = conn.execute(
            sa.text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
                "convalidated::text FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"
            )
        ).all()
    return [tuple(row) for row in indexes], [tuple(row) for row in constraints]


def _backend_cpu_seconds(conn: sa.Connection) -> float | None:
    """CPU used by the database's connections (the writers, this one among them), from /proc.

    Only works when the server runs on this machine; None otherwise.
    """
    pids = conn.execute(
        sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    ).scalars()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def _sanity(conn: sa.Connection) -> tuple[dict[str, int], dict[str, bool]]:
    tenant = conn.execute(
        sa.text("SELECT id FROM tenants WHERE slug = :slug"), {"slug": DEMO_TENANT_SLUG}
    ).scalar_one()
    p = {"t": tenant}
    statuses = dict(
        conn.execute(
            sa.text(
                "SELECT status, count(*) FROM bookings WHERE tenant_id = :t "
                "GROUP BY status ORDER BY count(*) DESC"
            ),
            p,
        ).all()
    )
    paid = conn.execute(
        sa.text(
            "SELECT (SELECT sum(amount_cents) FROM payments "
            "        WHERE tenant_id = :t AND status = 'confirmed'),"
            "       (SELECT sum(final_price_cents) FROM bookings "
            "        WHERE tenant_id = :t AND status = 'completed')"
        ),
        p,
    ).one()
    checks = {
        "sum of confirmed payments = sum of completed booking prices": paid[0] == paid[1],
        "every payout + platform fee = gross": not conn.execute(
            sa.text(
                "SELECT count(*) FROM provider_payouts WHERE tenant_id = :t "
                "AND amount_cents + platform_fee_cents <> gross_cents"
            ),
            p,
        ).scalar_one(),
        "every breakdown sums to the estimated price": not conn.execute(
            sa.text(
                "SELECT count(*) FROM bookings b WHERE tenant_id = :t AND estimated_price_cents <> "
                "(SELECT sum((line->>'amount_cents')::int) "
                " FROM jsonb_array_elements(b.price_breakdown) line)"
            ),
            p,
        ).scalar_one(),
        "one payment and one payout per completed booking": conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM bookings WHERE tenant_id = :t "
                "        AND status = 'completed') "
                "     = (SELECT count(*) FROM payments WHERE tenant_id = :t "
                "        AND status = 'confirmed') "
                "   AND (SELECT count(*) FROM bookings WHERE tenant_id = :t "
                "        AND status = 'completed') "
                "     = (SELECT count(*) FROM provider_payouts WHERE tenant_id = :t)"
            ),
            p,
        ).scalar_one(),
    }
    return statuses, checks


def _render(
    result: Result, args: argparse.Namespace, argv: list[str], machine: dict[str, str]
) -> str:
    r = result.report
    verdict = "within" if r.seconds < TARGET_SECONDS else "OVER"
    status_line = ", ".join(f"{status} {count:,}" for status, count in result.statuses.items())
    lines = [
        START,
        f"### Bulk seed: {r.bookings:,} bookings ({datetime.now(UTC):%Y-%m-%d})",
        "",
        "```",
        " ".join(["python -m bench.bulk_seed", *argv]) if argv else "python -m bench",
        "```",
        "",
        "| figure | value |",
        "|---|---|",
        f"| wall time (generator) | **{r.seconds:.1f} s** ({verdict} the {TARGET_SECONDS} s target) |",
        f"| bookings / events / payments / payouts | {r.bookings:,} / {r.events:,} / "
        f"{r.payments:,} / {r.payouts:,} |",
        f"| ledger transactions / entries | {r.ledger_transactions:,} / {r.ledger_entries:,} |",
        f"| rows written | {r.rows:,} ({r.rows_per_second:,.0f} rows/s, "
        f"{r.bookings / r.seconds:,.0f} bookings/s) |",
        f"| peak RSS of the Python process | {result.peak_rss_mb:,.0f} MB "
        f"({result.rss_before_mb:,.0f} MB before generating) |",
        f"| CPU time: Python / PostgreSQL backends | {result.python_cpu_seconds:.1f} s / "
        + (
            f"{result.server_cpu_seconds:.1f} s"
            if result.server_cpu_seconds is not None
            else "n/a (server not local)"
        )
        + " |",
        f"| load average (1 min) before / after | {result.load_before:.2f} / "
        f"{result.load_after:.2f} |",
        f"| options | seed {args.seed}, batch size {args.batch_size:,}, {args.workers} COPY "
        f"connections, {'full' if args.full_history else 'compact'} event history, "
        + (
            "indexes and foreign keys in place (`--shared`)"
            if args.shared
            else "exclusive: secondary indexes and foreign keys rebuilt and validated after the load"
        )
        + " |",
        *_phase_rows(result),
        f"| bookings by status | {status_line} |",
        f"| reconcile over the whole tenant (after the run) | {result.reconcile_seconds:.1f} s, "
        f"{len(result.reconciliation.differences)} differences, "
        f"{result.reconciliation.transactions:,} transactions |",
        "",
        "Checks: "
        + "; ".join(f"{name}: {'ok' if ok else 'FAILED'}" for name, ok in result.checks.items())
        + ".",
        "",
        "Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()) + ".",
        END,
    ]
    return "\n".join(lines)


def _phase_rows(result: Result) -> list[str]:
    """One row per phase (wall and server CPU), then where the load's own seconds went."""
    phases, cpu = result.report.phases, result.server_cpu_by_phase
    rows = []
    for name in ("load", "restore indexes and foreign keys"):
        if name in phases:
            spent = f", PostgreSQL CPU {cpu[name]:.1f} s" if name in cpu else ""
            rows.append(f"| phase: {name} | {phases[name]:.1f} s{spent} |")
    python = [
        (k.removeprefix("python: "), v) for k, v in phases.items() if k.startswith("python: ")
    ]
    if python:
        rows.append(
            "| load: the producer thread (wall) | "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in python)
            + " |"
        )
    copies = [(k.removeprefix("copy "), v) for k, v in phases.items() if k.startswith("copy ")]
    if copies:
        rows.append(
            "| load: COPY time per table, summed over the writers | "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in copies)
            + " |"
        )
    return rows


def _write_doc(section: str) -> None:
    replace_doc_section(section, START, END)


def _machine(*, url: str) -> dict[str, str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version")).scalar_one()
        settings = dict(
            conn.execute(
                sa.text(
                    "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
                    "('shared_buffers', 'max_wal_size', 'synchronous_commit', 'fsync')"
                )
            ).all()
        )
    engine.dispose()
    return {
        **host_facts(),
        "PostgreSQL": f"{version} (local, "
        + ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))
        + ")",
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
