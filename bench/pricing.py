"""Price-estimate benchmark: how long one in-process estimate takes with the config cached.

`python -m bench.pricing` seeds the demo operator into a throwaway SQLite file (and a throwaway
PostgreSQL database when one answers at `BENCH_POSTGRES_URL`), then times, per call:

- the pure rules (`rules.quote_price`) alone;
- an estimate as a request makes it: open a unit of work, `price_request` (config from the
  in-process cache, providers online counted live), close; the target is a median under 1 ms;
- the same with the cache invalidated before every call (what the cache saves);
- `create_quote` (the estimate stored as a price lock, one commit).

The figures go to docs/benchmarks.md between the `bench:pricing` markers.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

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
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.db import create_db_engine
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing import rules
from roadside_console.domain.pricing import service as pricing
from roadside_console.domain.pricing.cache import get_pricing_config, invalidate_pricing_config
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG, seed_demo
from roadside_console.domain.tenants.models import Tenant

START = "<!-- bench:pricing:start -->"
END = "<!-- bench:pricing:end -->"
TARGET_MS = 1.0
NOW = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)  # 18:30 in Atlanta: After-Hours


@dataclass(frozen=True)
class Timing:
    """Latency figures of one measured operation, in milliseconds."""

    name: str
    calls: int
    median_ms: float
    p95_ms: float
    p99_ms: float


def main(argv: list[str]) -> int:
    """Run the benchmark; return 1 if the cached estimate misses its target."""
    parser = argparse.ArgumentParser(prog="python -m bench.pricing")
    parser.add_argument("--calls", type=int, default=5_000, help="timed calls per operation")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)

    results: dict[str, list[Timing]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        results["SQLite"] = _run_on(url, args.calls)
    pg_version = None
    if not args.sqlite_only and _postgres_available():
        url = create_database()
        try:
            results["PostgreSQL"] = _run_on(url, args.calls)
            pg_version = _server_version(url)
        finally:
            drop_database(url)
    for backend, timings in results.items():
        print(f"-- {backend}")
        for t in timings:
            print(f"{t.name:<55} median {t.median_ms:7.3f} ms  p95 {t.p95_ms:7.3f} ms")
    ok = all(timings[1].median_ms < TARGET_MS for timings in results.values())
    if not args.no_doc:
        _write_doc(_render(results, argv, _machine(pg_version)))
        print(f"updated {DOC.relative_to(ROOT)}")
    return 0 if ok else 1


def _run_on(url: str, calls: int) -> list[Timing]:
    migrate(url)
    engine = create_db_engine(url)
    try:
        with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
            seed_demo(uow, now=NOW)
        with Session(engine) as session:
            tenant_id = session.exec(select(Tenant.id).where(Tenant.slug == DEMO_TENANT_SLUG)).one()
            towing_id = session.exec(
                select(Service.id).where(Service.tenant_id == tenant_id, Service.slug == "towing")
            ).one()
        return _measure(engine, tenant_id, towing_id, calls)
    finally:
        engine.dispose()


def _measure(
    engine: Engine, tenant_id: uuid.UUID, towing_id: uuid.UUID, calls: int
) -> list[Timing]:
    request = QuoteRequest(service_id=towing_id, towing_miles=25, lat=33.75, lng=-84.39)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(lambda: Session(engine, expire_on_commit=False))

    with Session(engine) as session:
        config = get_pricing_config(session, tenant_id)
    service = config.services[towing_id]

    def pure() -> None:
        rules.quote_price(
            service=service,
            blocks=config.blocks,
            policy=config.policy,
            providers_online=4,
            tz_name=config.tz_name,
            now=NOW,
            towing_miles=25,
        )

    def cached() -> None:
        with new_uow() as uow:
            pricing.price_request(
                uow.session, tenant_id=tenant_id, actor=None, request=request, now=NOW
            )

    def uncached() -> None:
        invalidate_pricing_config(tenant_id)
        cached()

    def stored() -> None:
        with new_uow() as uow:
            pricing.create_quote(
                uow, tenant_id=tenant_id, actor_or_none=None, request=request, now=NOW
            )

    return [
        _time("pure rules (rules.quote_price)", pure, calls),
        _time("estimate, config cached (unit of work + price_request)", cached, calls),
        _time("estimate, cache invalidated before every call", uncached, max(calls // 5, 100)),
        _time("stored quote (create_quote, one commit)", stored, max(calls // 5, 100)),
    ]


def _time(name: str, call: Callable[[], None], calls: int) -> Timing:
    for _ in range(min(200, calls)):
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    return Timing(
        name=name,
        calls=calls,
        median_ms=statistics.median(samples),
        p95_ms=samples[int(len(samples) * 0.95) - 1],
        p99_ms=samples[int(len(samples) * 0.99) - 1],
    )


def _render(results: dict[str, list[Timing]], argv: list[str], machine: dict[str, str]) -> str:
    lines = [
        START,
        f"### Price estimate in-process ({datetime.now(UTC):%Y-%m-%d})",
        "",
        "```",
        " ".join(["python -m bench.pricing", *argv]),
        "```",
        "",
        "Demo operator (7 services, 5 time blocks), Towing 25 mi at 18:30 local (After-Hours), "
        "asked by a guest. A cached estimate opens a unit of work, takes the tenant's config "
        "and providers-online count from the in-process cache (5 s TTL, dropped at once in this "
        "process when storm mode, time blocks or settings change) and applies the rules; it "
        "sends no query. The invalidated row pays for reloading both (five queries); the "
        "stored quote adds one INSERT and a commit.",
        "",
        "| backend | operation | calls | median | p95 | p99 |",
        "|---|---|---|---|---|---|",
    ]
    for backend, timings in results.items():
        for t in timings:
            lines.append(
                f"| {backend} | {t.name} | {t.calls:,} | **{t.median_ms:.3f} ms** | "
                f"{t.p95_ms:.3f} ms | {t.p99_ms:.3f} ms |"
            )
    verdicts = [
        f"{backend} {timings[1].median_ms:.3f} ms "
        f"({'within' if timings[1].median_ms < TARGET_MS else 'OVER'} the {TARGET_MS:g} ms target)"
        for backend, timings in results.items()
    ]
    lines += [
        "",
        "Cached estimate median: " + "; ".join(verdicts) + ".",
        "",
        "Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()) + ".",
        END,
    ]
    return "\n".join(lines)


def _write_doc(section: str) -> None:
    replace_doc_section(section, START, END)


def _machine(pg_version: str | None) -> dict[str, str]:
    machine = {
        **host_facts(),
        "SQLite": sqlite3.sqlite_version,
    }
    if pg_version:
        machine["PostgreSQL"] = f"{pg_version} (local, over TCP)"
    return machine


def _postgres_available() -> bool:
    try:
        engine = sa.create_engine(ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def _server_version(url: str) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version")).scalar_one()
    engine.dispose()
    return str(version)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
