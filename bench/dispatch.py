"""Dispatch benchmark: decisions among 10,000 online providers, and the offer-expiry sweep.

`python -m bench.dispatch` creates a throwaway PostgreSQL database (next to the admin database
named by `BENCH_POSTGRES_URL`), migrates it to head, seeds one tenant with 10,000 active,
available providers scattered within 45 miles of downtown Atlanta (live fixes fresh or stale,
licences and insurance, some expired, jobs in progress, a week of earnings), then

1. dispatches `--bookings` confirmed bookings one by one through `dispatch_booking` (the whole
   use case: candidate query, scoring, log, offer, transition, commit) and reports p50/p95/p99;
2. builds `--offers` dispatched bookings whose pending offers have lapsed and times
   `expire_offers` clearing them all (batches of 1,000, one transaction each), then times the
   cascade re-dispatch of a sample of the freed bookings.

It drops the database and writes the figures to docs/benchmarks.md (between the
`bench:dispatch` markers). Targets: p95 under 50 ms; the sweep under 1 s.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

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
from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.catalog.models import Service, ServiceCategory
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.db import create_db_engine
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import expiry, queries, service
from roadside_console.domain.dispatch import settings as dispatch_settings
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from roadside_console.domain.dispatch.rules import JobFacts
from roadside_console.domain.identity.models import User
from roadside_console.domain.payouts.models import ProviderPayout
from roadside_console.domain.providers.models import (
    CredentialKind,
    Provider,
    ProviderCredential,
    ProviderStatus,
)
from roadside_console.domain.tenants.models import Tenant
from roadside_console.domain.tenants.service import get_tenant_settings

START = "<!-- bench:dispatch:start -->"
END = "<!-- bench:dispatch:end -->"
DOWNTOWN = (33.7490, -84.3880)
MILES_PER_DEG = 69.094
P95_TARGET_MS = 50.0
SWEEP_TARGET_S = 1.0


@dataclass(frozen=True)
class Result:
    """Figures of one run."""

    load: tuple[float, float]
    providers: int
    seed_seconds: float
    decisions_ms: list[float]
    query_ms: list[float]
    offered: int
    manual: int
    offers: int
    sweep_seconds: float
    sweep_batches: int
    returned: int
    cascade_ms: list[float]


def main(argv: list[str]) -> int:
    """Run the benchmark; return 1 if a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch")
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--cascade-sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)

    url = create_database()
    engine = create_db_engine(url)
    try:
        print(f"database {make_url(url).database}: migrating", flush=True)
        migrate(url)
        result = _run(engine, args)
    finally:
        engine.dispose()
        drop_database(url)

    text = _render(result, args, argv, _machine())
    print(text)
    if not args.no_doc:
        _write_doc(text)
        print(f"updated {DOC.relative_to(ROOT)}")
    ok = _p(result.decisions_ms, 95) < P95_TARGET_MS and result.sweep_seconds < SWEEP_TARGET_S
    return 0 if ok else 1


def _run(engine: Engine, args: argparse.Namespace) -> Result:
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    tenant_id, service_id, provider_ids = _seed(engine, rng, now, args.providers)
    load_before = os.getloadavg()[0]
    seed_seconds = time.perf_counter() - started
    print(f"seeded {args.providers:,} providers in {seed_seconds:.1f} s", flush=True)

    def uow() -> UnitOfWork:
        return UnitOfWork(lambda: Session(engine, expire_on_commit=False))

    # 1. decisions
    bookings = _bookings(
        engine, rng, tenant_id, service_id, now, args.bookings + 10, BookingStatus.CONFIRMED
    )
    decisions, query_ms = [], []
    offered = manual = 0
    for n, booking_id in enumerate(bookings):
        with uow() as u:
            booking = u.session.get(Booking, booking_id)
            assert booking is not None
            t0 = time.perf_counter()
            queries.find_candidates(
                u.session,
                tenant_id=tenant_id,
                booking_id=booking_id,
                job=_job(booking),
                config=dispatch_settings.config_from_settings(
                    get_tenant_settings(u.session, tenant_id)
                ),
                radius_miles=50,
                now=now,
                today=now.date(),
            )
            if n >= 10:
                query_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        with uow() as u:
            outcome = service.dispatch_booking(u, actor=None, booking_id=booking_id, now=now)
        if n >= 10:  # the first ten warm the caches and connection pool
            decisions.append((time.perf_counter() - t0) * 1000)
            offered += outcome.offered
            manual += not outcome.offered
    print(
        f"decisions: p50 {_p(decisions, 50):.1f} ms, p95 {_p(decisions, 95):.1f} ms",
        flush=True,
    )

    # 2. expiry sweep over lapsed offers, then the cascade on a sample
    lapsed_at = now - timedelta(seconds=5)
    _lapsed_offers(engine, rng, tenant_id, service_id, provider_ids, now, lapsed_at, args.offers)
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    sweep_now = now + timedelta(seconds=1)
    t0 = time.perf_counter()
    batches = returned = 0
    while True:
        with uow() as u:
            report = expiry.expire_offers(u, now=sweep_now)
        batches += 1
        returned += len(report.returned_booking_ids)
        if not report.has_more:
            break
    sweep_seconds = time.perf_counter() - t0
    print(f"sweep: {args.offers:,} offers in {sweep_seconds * 1000:.0f} ms", flush=True)
    with uow() as u:
        waiting = queries.bookings_awaiting_redispatch(u.session, limit=args.cascade_sample)
    cascade = []
    for booking_id in waiting:
        t0 = time.perf_counter()
        with uow() as u:
            service.dispatch_booking(u, actor=None, booking_id=booking_id, now=sweep_now)
        cascade.append((time.perf_counter() - t0) * 1000)
    return Result(
        load=(load_before, os.getloadavg()[0]),
        providers=args.providers,
        seed_seconds=seed_seconds,
        decisions_ms=decisions,
        query_ms=query_ms,
        offered=offered,
        manual=manual,
        offers=args.offers,
        sweep_seconds=sweep_seconds,
        sweep_batches=batches,
        returned=returned,
        cascade_ms=cascade,
    )


def _job(booking: Booking) -> JobFacts:
    return JobFacts(
        lat=booking.lat, lng=booking.lng, service_slug="towing", service_category="roadside"
    )


# --- seeding --------------------------------------------------------------------------------


def _point(rng: random.Random, max_miles: float) -> tuple[float, float]:
    """A uniformly random point within `max_miles` of downtown."""
    r = max_miles * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = DOWNTOWN[0] + r * math.cos(theta) / MILES_PER_DEG
    lng = DOWNTOWN[1] + r * math.sin(theta) / (MILES_PER_DEG * math.cos(math.radians(DOWNTOWN[0])))
    return lat, lng


def _row(obj: SQLModel) -> dict[str, Any]:
    """A model instance as a dict of its table's columns (for fast multi-row inserts)."""
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}  # type: ignore[attr-defined]


def _insert(engine: Engine, model: type[SQLModel], objs: list[SQLModel]) -> None:
    with engine.begin() as conn:
        for i in range(0, len(objs), 5000):
            conn.execute(sa.insert(model), [_row(o) for o in objs[i : i + 5000]])


def _seed(
    engine: Engine, rng: random.Random, now: datetime, count: int
) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    with Session(engine, expire_on_commit=False) as session:
        tenant = Tenant(name="Bench Towing", slug=f"bench-{uuid.uuid4().hex[:8]}")
        session.add(tenant)
        session.flush()
        get_tenant_settings(session, tenant.id)
        towing = Service(
            tenant_id=tenant.id,
            name="Towing",
            slug="towing",
            category=ServiceCategory.ROADSIDE,
            base_price_cents=12500,
            per_mile_cents=300,
            included_miles=10,
        )
        session.add(towing)
        session.commit()
    users, providers, credentials, payouts = [], [], [], []
    today = now.date()
    for n in range(count):
        user = User(
            tenant_id=tenant.id,
            email=f"provider-{n}@bench.example",
            name=f"Provider {n}",
            role=Role.PROVIDER,
        )
        home = _point(rng, 45)
        fix = _point(rng, 45)
        kind = rng.random()
        provider = Provider(
            tenant_id=tenant.id,
            user_id=user.id,
            name=user.name,
            email=user.email,
            phone="+14045550000",
            status=ProviderStatus.ACTIVE,
            is_available=True,
            home_lat=home[0],
            home_lng=home[1],
            current_lat=fix[0],
            current_lng=fix[1],
            location_updated_at=now - timedelta(seconds=rng.randint(0, 900)),
            specialties=["roadside", "towing"]
            if kind < 0.45
            else ["roadside"]
            if kind < 0.9
            else ["diagnostics"],
            rating_total=(reviews := rng.randint(0, 40)) * rng.choice([3, 4, 4, 5]),
            review_count=reviews,
        )
        users.append(user)
        providers.append(provider)
        for credential_kind in (CredentialKind.DRIVERS_LICENCE, CredentialKind.INSURANCE):
            expired = rng.random() < 0.03
            credentials.append(
                ProviderCredential(
                    tenant_id=tenant.id,
                    provider_id=provider.id,
                    kind=credential_kind,
                    expires_on=today - timedelta(days=3) if expired else date(today.year + 1, 1, 1),
                )
            )
        for _ in range(rng.choice([0, 1, 2, 3])):
            payouts.append(
                ProviderPayout(
                    tenant_id=tenant.id,
                    provider_id=provider.id,
                    amount_cents=rng.randint(5_000, 20_000),
                    created_at=now - timedelta(hours=rng.randint(1, 24 * 10)),
                )
            )
    _insert(engine, User, users)
    _insert(engine, Provider, providers)
    _insert(engine, ProviderCredential, credentials)
    _insert(engine, ProviderPayout, payouts)
    provider_ids = [p.id for p in providers]
    # a quarter of the providers are on one or two jobs already
    busy = rng.sample(provider_ids, count // 4)
    jobs = []
    for provider_id in busy:
        for _ in range(rng.choice([1, 2])):
            jobs.append(
                _booking(rng, tenant.id, towing.id, now, BookingStatus.IN_PROGRESS, provider_id)
            )
    _insert(engine, Booking, jobs)
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    return tenant.id, towing.id, provider_ids


_reference = iter(range(1, 10**9))


def _booking(
    rng: random.Random,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    now: datetime,
    status: BookingStatus,
    provider_id: uuid.UUID | None = None,
) -> Booking:
    lat, lng = _point(rng, 25)
    return Booking(
        tenant_id=tenant_id,
        reference=f"BN-{next(_reference):07d}",
        service_id=service_id,
        provider_id=provider_id,
        status=status,
        address="Somewhere in Atlanta, GA",
        lat=lat,
        lng=lng,
        contact_name="Bench Customer",
        contact_phone="+14045550199",
        estimated_price_cents=12500,
        confirmed_at=now,
        created_at=now,
        updated_at=now,
    )


def _bookings(
    engine: Engine,
    rng: random.Random,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    now: datetime,
    count: int,
    status: BookingStatus,
) -> list[uuid.UUID]:
    rows = [_booking(rng, tenant_id, service_id, now, status) for _ in range(count)]
    _insert(engine, Booking, rows)
    return [b.id for b in rows]


def _lapsed_offers(
    engine: Engine,
    rng: random.Random,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    provider_ids: list[uuid.UUID],
    now: datetime,
    lapsed_at: datetime,
    count: int,
) -> None:
    """`count` dispatched bookings, each with a pending offer that expired at `lapsed_at`."""
    chosen = [provider_ids[i % len(provider_ids)] for i in range(count)]
    bookings = [
        _booking(rng, tenant_id, service_id, now, BookingStatus.DISPATCHED, provider_id)
        for provider_id in chosen
    ]
    for booking in bookings:
        booking.dispatch_attempts = 1
    offers = [
        DispatchOffer(
            tenant_id=tenant_id,
            booking_id=booking.id,
            provider_id=booking.provider_id,
            attempt=1,
            status=OfferStatus.PENDING,
            expires_at=lapsed_at,
            created_at=lapsed_at - timedelta(seconds=60),
        )
        for booking in bookings
    ]
    _insert(engine, Booking, bookings)
    _insert(engine, DispatchOffer, offers)


# --- report ---------------------------------------------------------------------------------


def _p(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1)]


def _render(
    result: Result, args: argparse.Namespace, argv: list[str], machine: dict[str, str]
) -> str:
    d, q, c = result.decisions_ms, result.query_ms, result.cascade_ms
    p95 = _p(d, 95)
    lines = [
        START,
        f"### Dispatch: {result.providers:,} online providers, {result.offers:,} lapsed offers "
        f"({datetime.now(UTC):%Y-%m-%d})",
        "",
        "```",
        " ".join(["python -m bench.dispatch", *argv]),
        "```",
        "",
        "| figure | value |",
        "|---|---|",
        f"| dispatch decision, whole use case incl. commit ({len(d)} bookings) | p50 "
        f"{_p(d, 50):.1f} ms, **p95 {p95:.1f} ms** "
        f"({'within' if p95 < P95_TARGET_MS else 'OVER'} the {P95_TARGET_MS:.0f} ms target), "
        f"p99 {_p(d, 99):.1f} ms, max {max(d):.1f} ms |",
        f"| of which the candidate query (SQL prefilter + nearest {queries.CANDIDATE_POOL}) | "
        f"p50 {_p(q, 50):.1f} ms, p95 {_p(q, 95):.1f} ms |",
        f"| outcomes | {result.offered} offered, {result.manual} to the manual queue |",
        f"| offer-expiry sweep over {result.offers:,} lapsed offers | **{result.sweep_seconds * 1000:.0f} ms** "
        f"({'within' if result.sweep_seconds < SWEEP_TARGET_S else 'OVER'} the "
        f"{SWEEP_TARGET_S:.0f} s target; {result.sweep_batches} transactions of up to "
        f"{expiry.EXPIRY_BATCH:,}; {result.returned:,} bookings back to confirmed) |",
        f"| cascade re-dispatch of freed bookings ({len(c)} sampled) | p50 {_p(c, 50):.1f} ms, "
        f"p95 {_p(c, 95):.1f} ms per booking, each its own transaction |",
        f"| seeding (not timed above) | {result.seed_seconds:.1f} s |",
        f"| load average (1 min) before / after the timed part | {result.load[0]:.2f} / "
        f"{result.load[1]:.2f} (a shared 2-core box: other work runs alongside) |",
        "",
        f"Data: one tenant, {result.providers:,} active and available providers within 45 mi of "
        "downtown Atlanta (live fixes up to 15 min old, so about two thirds are stale and use the "
        "home base), licence and insurance each (3 % expired), a quarter on one or two jobs, "
        f"0–3 payouts in the last 10 days; bookings within 25 mi of downtown; seed {args.seed}. "
        "The sweep figure covers expiring the offers and returning their bookings; the worker "
        f"then re-dispatches them {expiry.REDISPATCH_BATCH} per run at the per-booking cost "
        "shown.",
        "",
        "How: the candidate query never reads the fleet. It searches growing bounding boxes "
        "(5, 20, 80 mi, capped at the radius) on the `(tenant_id, current_lat, current_lng)` and "
        "`(tenant_id, home_lat, home_lng)` indexes (a BitmapOr), stops as soon as the "
        f"{queries.CANDIDATE_POOL} nearest eligible providers are provably inside the box, counts "
        "active jobs, checks credentials and sums weekly earnings per row through indexes, and is "
        "built once with bound parameters so psycopg prepares it. Exact great-circle distances "
        "and scores are computed in Python for those rows only. The sweep is one statement per "
        "batch on PostgreSQL (data-modifying CTEs: claim with `FOR UPDATE SKIP LOCKED`, expire, "
        "return the bookings, append their events).",
        "",
        "Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()) + ".",
        END,
    ]
    return "\n".join(lines)


def _write_doc(section: str) -> None:
    replace_doc_section(section, START, END)


def _machine() -> dict[str, str]:
    engine = sa.create_engine(ADMIN_URL)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version")).scalar_one()
    engine.dispose()
    return {
        **host_facts(),
        "PostgreSQL": f"{version} (local)",
    }


# --- database -------------------------------------------------------------------------------


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
