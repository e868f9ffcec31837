"""Bulk bookings for performance work: a year of realistic history for one tenant.

`python -m roadside_console.domain.seed --bookings 1000000` fills the demo operator with bookings
spread over the last 365 days (most completed, about 5% cancelled, a few hundred live ones), each
with its events, and with a confirmed payment and a provider payout for every completed job.
Prices follow the tenant's catalog and time blocks the way an estimate explains them, and the
provider's share follows the commission resolution the domain applies when a job is earned.

The money is in the ledger too, so `reconcile` agrees with the bulk data: every completed job
gets the two transactions the domain posts when a completed job's payment is confirmed
(`payment_confirmed`: clearing debit, receivable credit; `job_earned`: receivable debit, provider
payable and platform revenue credits), and every weekly batch the `payout_batch` transaction of
`pay_pending` (payables debited, payouts clearing credited). Same accounts (the ledger's own
`ensure_accounts`), same amounts, zero lines skipped as `ledger.post` skips them.

PostgreSQL is written with `COPY ... FROM STDIN` (text format) from two connections at once; each
chunk (its bookings, events, payments, payouts and ledger rows) is one transaction (`SET LOCAL
synchronous_commit = off`), so a failure never leaves half a chunk. Indexes and foreign keys stay
in place, unless the run is `exclusive` (the database's only writer, as in the benchmark): then
the six tables' secondary indexes and foreign keys are dropped for the load and rebuilt and
validated once after it, from the definitions PostgreSQL printed (`deferred.py`), which costs
a fraction of maintaining them row by row. SQLite gets multi-row inserts through SQLAlchemy Core. Bulk rows get UUIDv7-style ids
(the run's start time, then a counter) so primary keys and the indexes that point at them grow at
their right edge instead of at random pages.

Events are `booking_created` plus the move into the final status (`--full-history` writes one per
status change, about twice the events). Dispatch logs are not generated: each would be a wide
JSON row per dispatched job, which the performance work this serves does not need.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import secrets
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from roadside_console.domain.bookings.models import Booking, BookingEvent, BookingStatus
from roadside_console.domain.catalog.models import SchedulingMode, Service, ServiceCategory
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.db import get_engine
from roadside_console.domain.core.money import apply_bp
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.passwords import hash_password
from roadside_console.domain.ledger import service as ledger
from roadside_console.domain.ledger.models import LedgerEntry, LedgerTransaction
from roadside_console.domain.payments.models import Payment, PaymentMethod
from roadside_console.domain.payments.rules import METHOD_LABELS
from roadside_console.domain.payouts.models import (
    CommissionRule,
    CommissionScope,
    PayoutBatch,
    PayoutBatchStatus,
    ProviderPayout,
)
from roadside_console.domain.payouts.rules import (
    Commission,
    JobTerms,
    ProviderTerms,
    RuleTerms,
    resolve_commission,
)
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.providers.models import (
    CommissionType,
    CredentialKind,
    Provider,
    ProviderCredential,
    ProviderStatus,
)
from roadside_console.domain.seed import deferred
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG, seed_demo
from roadside_console.domain.tenants.models import Tenant

DEFAULT_BATCH_SIZE = 20_000
DEFAULT_WORKERS = 2
MIN_CUSTOMERS = 200
MIN_ACTIVE_PROVIDERS = 55  # the demo's four plus about fifty bulk providers
MAX_LIVE_BOOKINGS = 300
CANCELLED_SHARE = 0.05
HISTORY_DAYS = 365
LIVE_DWELL = (10 * 60, 15 * 60, 30 * 60, 60 * 60)  # longest wait in each live status, seconds
PAID_AFTER_DAYS = 35  # payouts for jobs older than this were paid in a weekly batch (~90%)
SUB_BATCH = 5_000  # rows per COPY write: a few MB, so libpq never holds a whole chunk twice

CENTER = (33.75, -84.39)
LAT_SPAN, LNG_SPAN = 0.25, 0.30  # the bounding box: ±0.25° latitude, ±0.30° longitude
ADDRESS_POOL = 8_192

DAY = 86_400
HOUR = 3_600
MINUTE = 60
WEEK = 7 * DAY

BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: sorts like the numbers it encodes
REFERENCE_PREFIX = "BK-"

S = BookingStatus
PENDING, CONFIRMED, DISPATCHED, IN_PROGRESS, COMPLETED, CANCELLED = range(6)
STATUS_VALUES = [s.value for s in (S.PENDING, S.CONFIRMED, S.DISPATCHED, S.IN_PROGRESS)] + [
    S.COMPLETED.value,
    S.CANCELLED.value,
]
METHODS = ["cash", "cashapp", "zelle", "stripe"]
STRIPE = METHODS.index("stripe")
METHOD_WEIGHTS = [30, 15, 15, 40]
SERVICE_WEIGHTS = {
    "jump-start": 22,
    "towing": 25,
    "lockout": 14,
    "flat-tire": 18,
    "fuel-delivery": 9,
    "diagnostics-basic": 6,
    "diagnostics-standard": 4,
    "diagnostics-premium": 2,
}
CANCEL_REASONS = [
    "Customer got a jump start from a friend.",
    "Customer found the spare and changed it.",
    "Vehicle started on its own.",
    "Customer booked by mistake.",
    "Wait was longer than the customer could stay.",
]

STREETS = [
    "Peachtree St NE", "Ponce De Leon Ave NE", "Piedmont Ave NE", "Spring St NW",
    "Marietta St NW", "Northside Dr NW", "Howell Mill Rd NW", "Moreland Ave SE",
    "Memorial Dr SE", "Boulevard SE", "Roswell Rd", "Buford Hwy NE", "Lawrenceville Hwy",
    "Cobb Pkwy SE", "Campbellton Rd SW", "Cascade Rd SW", "Candler Rd", "Clairmont Rd",
    "Briarcliff Rd NE", "Jimmy Carter Blvd", "Windy Hill Rd SE", "Chamblee Tucker Rd",
    "Old National Hwy", "Fulton Industrial Blvd SW", "Glenwood Ave SE", "Metropolitan Pkwy SW",
]  # fmt: skip
CITIES = [
    ("Atlanta", "30303", 33.749, -84.388), ("Decatur", "30030", 33.775, -84.296),
    ("Marietta", "30060", 33.953, -84.550), ("Smyrna", "30080", 33.884, -84.514),
    ("Sandy Springs", "30328", 33.930, -84.373), ("East Point", "30344", 33.680, -84.439),
    ("College Park", "30337", 33.653, -84.449), ("Tucker", "30084", 33.855, -84.217),
    ("Stone Mountain", "30083", 33.808, -84.170), ("Dunwoody", "30338", 33.946, -84.334),
    ("Forest Park", "30297", 33.622, -84.369), ("Austell", "30106", 33.813, -84.634),
    ("Lithonia", "30038", 33.712, -84.105), ("Conley", "30288", 33.645, -84.326),
]  # fmt: skip
REPAIR_SHOPS = [
    ("Peach State Auto Repair, 1190 Chattahoochee Ave NW, Atlanta, GA", 33.8052, -84.4290),
    ("Midtown Tire & Auto, 880 Spring St NW, Atlanta, GA", 33.7786, -84.3890),
    ("Decatur Car Care, 410 E College Ave, Decatur, GA", 33.7700, -84.2900),
    ("Cobb Auto Service, 2250 Cobb Pkwy SE, Smyrna, GA", 33.8790, -84.4980),
    ("Southside Transmission, 1985 Metropolitan Pkwy SW, Atlanta, GA", 33.7000, -84.4060),
    ("Buford Hwy Collision, 5100 Buford Hwy NE, Doraville, GA", 33.8960, -84.2840),
]
FIRST_NAMES = [
    "James", "Mary", "Michael", "Patricia", "Robert", "Jennifer", "David", "Linda", "William",
    "Elizabeth", "Kevin", "Jasmine", "Marcus", "Keisha", "Andre", "Tiffany", "Carlos", "Sofia",
    "Minh", "Mei", "Omar", "Fatima", "Raj", "Anjali", "Tyler", "Brittany", "DeShawn", "Imani",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Davis", "Rodriguez", "Wilson",
    "Martinez", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Nguyen", "Kim", "Patel", "Okafor", "Washington", "Brooks",
]  # fmt: skip
VEHICLES = [
    ("Honda", "Accord"), ("Honda", "Civic"), ("Toyota", "Camry"), ("Toyota", "RAV4"),
    ("Ford", "F-150"), ("Ford", "Escape"), ("Chevrolet", "Malibu"), ("Chevrolet", "Silverado"),
    ("Nissan", "Altima"), ("Hyundai", "Elantra"), ("Kia", "Sorento"), ("Jeep", "Grand Cherokee"),
    ("Tesla", "Model 3"), ("Subaru", "Outback"), ("Dodge", "Charger"), ("BMW", "3 Series"),
]  # fmt: skip
COLORS = ["Black", "White", "Silver", "Gray", "Blue", "Red", "Green", "Beige"]
SPECIALTIES = [("roadside", "towing"), ("roadside",), ("roadside", "diagnostics"), ("diagnostics",)]
SPECIALTY_WEIGHTS = [45, 30, 17, 8]


@dataclass(frozen=True, slots=True)
class BulkReport:
    """What one run wrote and how long it took."""

    tenant_slug: str
    bookings: int
    events: int
    payments: int
    payouts: int
    ledger_transactions: int
    ledger_entries: int
    customers_created: int
    providers_created: int
    seconds: float
    rng_seed: int
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows written to the six big tables."""
        return (
            self.bookings
            + self.events
            + self.payments
            + self.payouts
            + self.ledger_transactions
            + self.ledger_entries
        )

    @property
    def rows_per_second(self) -> float:
        """Throughput over the six big tables."""
        return self.rows / self.seconds if self.seconds else 0.0


class BulkSeedError(Exception):
    """The tenant cannot take bulk bookings; the message says what to do."""


class TenantMissing(BulkSeedError):
    """The target tenant does not exist (only the demo tenant is created on demand)."""


class _Job(NamedTuple):
    """One planned booking: indexes into the run's lookup tables and epoch-second times."""

    number: int
    status: int
    service: int
    price: int
    customer: int
    provider: int
    place: int
    destination: int
    created: int
    scheduled: int
    confirmed: int
    dispatched: int
    started: int
    finished: int
    method: int
    reason: int


@dataclass(frozen=True, slots=True)
class _Price:
    total: int
    miles: int | None
    lines: list[dict[str, Any]]


@dataclass(slots=True)
class _Person:
    id: UUID
    name: str
    email: str
    phone: str
    user_id: UUID | None = None
    commission_type: CommissionType = CommissionType.PERCENTAGE
    rate_bp: int = 7000
    flat_fee_cents: int | None = None
    specialties: tuple[str, ...] = ()


@dataclass(slots=True)
class _Context:
    """Everything the planner and the writers need, loaded once per run."""

    tenant_id: UUID
    now: int
    services: list[Service]
    blocks_by_hour: list[TimeBlock | None]
    customers: list[_Person]
    providers: list[_Person]
    vehicles: list[dict[str, Any]]
    places: list[tuple[str, float, float]]
    admin_id: UUID
    finance_id: UUID
    reference_run: int
    batch_ids: list[UUID]
    history_start: int
    hour_base: int
    local_hours: bytes
    accounts: dict[str, UUID] = field(default_factory=dict)
    commission_rules: list[RuleTerms] = field(default_factory=list)
    prices: list[_Price] = field(default_factory=list)
    price_index: dict[tuple[int, int, int | None], int] = field(default_factory=dict)
    eligible: list[list[int]] = field(default_factory=list)

    def price_of(self, service: int, at: int, miles: int | None) -> int:
        """Return the index of the price for `service` started at epoch `at` with `miles`."""
        hour = self.local_hours[(at - self.hour_base) // HOUR]
        key = (service, hour, miles)
        index = self.price_index.get(key)
        if index is None:
            index = len(self.prices)
            self.prices.append(_price(self.services[service], self.blocks_by_hour[hour], miles))
            self.price_index[key] = index
        return index


def main(argv: list[str]) -> int:
    """Generate bulk bookings in the configured database."""
    parser = argparse.ArgumentParser(prog="python -m roadside_console.domain.seed.bulk")
    parser.add_argument("--bookings", type=int, required=True, help="how many bookings to add")
    parser.add_argument("--tenant", default=DEMO_TENANT_SLUG, help="tenant slug")
    parser.add_argument("--seed", type=int, default=None, help="seed for reproducible data")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="PostgreSQL only")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="end of the history, ISO 8601 with offset (default: now); fix it with --seed to "
        "reproduce a data set exactly",
    )
    parser.add_argument(
        "--full-history", action="store_true", help="one event per status change (slower)"
    )
    parser.add_argument(
        "--exclusive",
        action="store_true",
        help="PostgreSQL, when nothing else writes to the database: drop the secondary indexes "
        "and foreign keys of the bulk tables during the load, rebuild and validate them after",
    )
    args = parser.parse_args(argv)
    if args.now is not None and args.now.tzinfo is None:
        parser.error("--now needs a UTC offset, e.g. 2026-01-31T12:00:00+00:00")
    if args.bookings < 1 or args.batch_size < 1 or args.workers < 1:
        parser.error("--bookings, --batch-size and --workers must be positive")

    engine = get_engine()
    if args.tenant == DEMO_TENANT_SLUG:
        ensure_demo_tenant()
    started = time.perf_counter()

    def progress(done: int) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(f"\r  {done:,} / {args.bookings:,} bookings ({rate:,.0f}/s)", end="", file=sys.stderr)

    try:
        report = generate_bookings(
            engine,
            tenant_slug=args.tenant,
            count=args.bookings,
            rng_seed=args.seed,
            batch_size=args.batch_size,
            workers=args.workers,
            full_history=args.full_history,
            now=args.now,
            progress=progress,
            exclusive=args.exclusive,
        )
    except BulkSeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    print(
        f"Tenant {report.tenant_slug}: {report.bookings:,} bookings, {report.events:,} events, "
        f"{report.payments:,} payments, {report.payouts:,} payouts, "
        f"{report.ledger_transactions:,} ledger transactions with {report.ledger_entries:,} "
        f"entries (+{report.customers_created} customers, +{report.providers_created} providers) "
        f"in {report.seconds:.1f} s, {report.rows_per_second:,.0f} rows/s, "
        f"seed {report.rng_seed}."
    )
    return 0


def ensure_demo_tenant() -> None:
    """Create the demo tenants in the configured database unless they exist."""
    with UnitOfWork() as uow:
        logins = seed_demo(uow, password=get_settings().roadside_demo_password)
    if logins is not None:
        print(f"Created the demo tenants (demo password: {logins.password}).")


def generate_bookings(
    engine: Engine,
    *,
    tenant_slug: str = DEMO_TENANT_SLUG,
    count: int,
    rng_seed: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = DEFAULT_WORKERS,
    full_history: bool = False,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    exclusive: bool = False,
    on_phase: Callable[[str], None] | None = None,
) -> BulkReport:
    """Add `count` bookings with their events, payments, payouts and ledger entries to a tenant.

    The same `rng_seed` and `now` give the same bookings (statuses, services, times, prices,
    splits); ids and references are new on every run so runs can be repeated on one database.
    Events are `booking_created` plus the transition into the final status, or one per status
    change with `full_history`.

    `exclusive` (PostgreSQL; only when nothing else writes meanwhile) drops the bulk tables'
    secondary indexes and foreign keys for the load and restores them after (see `deferred`).
    `on_phase` is called with each phase's name as it starts ("load", then "restore indexes and
    foreign keys" if exclusive) and with "done", so a caller can sample the server's CPU per phase.
    The report's `phases` has the seconds of each, and where the load's own time went.
    """
    clock = time.perf_counter()
    phases: dict[str, float] = {}
    mark = on_phase or (lambda _name: None)
    seed = rng_seed if rng_seed is not None else secrets.randbelow(2**31)
    now_s = int((now or datetime.now(UTC)).timestamp())
    with engine.begin() as conn:
        tenant = conn.execute(
            sa.select(Tenant.__table__).where(Tenant.__table__.c.slug == tenant_slug)
        ).first()
        if tenant is None:
            raise TenantMissing(
                f"tenant {tenant_slug!r} does not exist; create it first "
                f"(only {DEMO_TENANT_SLUG!r} is created on demand, from the demo seed)"
            )
        created_customers, created_providers = _top_up_people(
            conn, tenant.id, _rng(seed, "people"), now_s
        )
        ctx = _load_context(conn, tenant.id, ZoneInfo(tenant.timezone), now_s, seed)

    postgres = engine.dialect.name == "postgresql"
    totals = [0] * len(TABLES)
    batch_sums: BatchSums = {}
    chunks = _plan(ctx, _rng(seed, "bookings"), count, batch_size)
    phases["setup"] = time.perf_counter() - clock
    dropped = deferred.drop(engine, TABLES) if postgres and exclusive else None
    try:
        mark("load")
        started = time.perf_counter()
        if postgres:
            writer = _PostgresWriter(engine, ctx, full_history)
            rendered = _timed_render(chunks, writer.render, phases)
            results = _pipeline(rendered, writer.copy, max(1, workers), progress, phases)
            for table, seconds in writer.copy_seconds.items():
                phases[f"copy {table}"] = seconds
        else:
            results = _run_serial(engine, ctx, full_history, chunks, progress)
        for counts, sums in results:
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            _add_sums(batch_sums, sums)
        with engine.begin() as conn:
            batch_rows = _close_batches(conn, ctx, batch_sums)
        phases["load"] = time.perf_counter() - started
    finally:
        if dropped is not None:
            deferred.restore(
                engine, dropped, workers=max(1, workers), on_phase=mark, timings=phases
            )
    mark("done")
    return BulkReport(
        tenant_slug=tenant_slug,
        bookings=totals[0],
        events=totals[1],
        payments=totals[2],
        payouts=totals[3],
        ledger_transactions=totals[4] + batch_rows[0],
        ledger_entries=totals[5] + batch_rows[1],
        customers_created=created_customers,
        providers_created=created_providers,
        seconds=time.perf_counter() - clock,
        rng_seed=seed,
        phases=phases,
    )


def _timed_render(
    chunks: Iterator[list[_Job]],
    render: Callable[[list[_Job]], _Rendered],
    phases: dict[str, float],
) -> Iterator[_Rendered]:
    """Render each planned chunk, adding the producer's planning and formatting seconds."""
    phases["python: plan"] = phases["python: render"] = 0.0
    while True:
        started = time.perf_counter()
        chunk = next(chunks, None)
        planned = time.perf_counter()
        phases["python: plan"] += planned - started
        if chunk is None:
            return
        item = render(chunk)
        phases["python: render"] += time.perf_counter() - planned
        yield item


def _rng(seed: int, stream: str) -> random.Random:
    """Return a seeded generator per purpose, so adding people never shifts the bookings."""
    return random.Random(f"{seed}:{stream}")  # noqa: S311 - test data, not secrets


# --- setup: people, lookups, payout batches ---------------------------------------------------


def _top_up_people(
    conn: Connection, tenant_id: UUID, rng: random.Random, now: int
) -> tuple[int, int]:
    """Add customers and active providers until the tenant has enough to spread jobs over."""
    users, providers = User.__table__, Provider.__table__
    customers = conn.execute(
        sa.select(sa.func.count())
        .select_from(users)
        .where(users.c.tenant_id == tenant_id, users.c.role == Role.CUSTOMER.value)
    ).scalar_one()
    active = conn.execute(
        sa.select(sa.func.count())
        .select_from(providers)
        .where(
            providers.c.tenant_id == tenant_id,
            providers.c.status == ProviderStatus.ACTIVE.value,
        )
    ).scalar_one()
    add_customers = max(0, MIN_CUSTOMERS - customers)
    add_providers = max(0, MIN_ACTIVE_PROVIDERS - active)
    if not add_customers and not add_providers:
        return 0, 0
    joined = datetime.fromtimestamp(now - (HISTORY_DAYS + 30) * DAY, UTC)
    # One hash for every bulk account: hashing is deliberately slow and nobody signs in as them.
    password_hash = hash_password(secrets.token_urlsafe(16))
    run = secrets.token_hex(3)  # keeps emails unique when a tenant is topped up twice
    user_rows, provider_rows, credential_rows = [], [], []
    for n in range(customers + 1, customers + add_customers + 1):
        user_rows.append(
            _user_row(tenant_id, f"bulk-{n}-{run}@example.com", Role.CUSTOMER, rng, joined)
            | {"password_hash": password_hash, "trust_tier": 2 if rng.random() < 0.3 else 1}
        )
    for n in range(active + 1, active + add_providers + 1):
        user = _user_row(
            tenant_id, f"bulk-provider-{n}-{run}@example.com", Role.PROVIDER, rng, joined
        ) | {"password_hash": password_hash}
        user_rows.append(user)
        provider = _provider_row(user, rng, joined, now)
        provider_rows.append(provider)
        credential_rows += _credential_rows(provider, rng, joined, now)
    conn.execute(users.insert(), user_rows)
    if provider_rows:
        conn.execute(providers.insert(), provider_rows)
        conn.execute(ProviderCredential.__table__.insert(), credential_rows)
    return add_customers, add_providers


def _user_row(
    tenant_id: UUID, email: str, role: Role, rng: random.Random, joined: datetime
) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "tenant_id": tenant_id,
        "email": email,
        "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "phone": f"+1{rng.choice(['404', '470', '678', '770'])}555{rng.randrange(10_000):04d}",
        "role": role.value,
        "is_active": True,
        "email_verified_at": joined,
        "trust_tier": 1,
        "clean_payment_count": 0,
        "created_at": joined,
        "updated_at": joined,
    }


def _provider_row(
    user: dict[str, Any], rng: random.Random, joined: datetime, now: int
) -> dict[str, Any]:
    address, lat, lng = _random_place(rng)
    specialties = rng.choices(SPECIALTIES, weights=SPECIALTY_WEIGHTS)[0]
    flat = rng.random() < 0.2
    available = rng.random() < 0.6
    return {
        "id": uuid4(),
        "tenant_id": user["tenant_id"],
        "user_id": user["id"],
        "name": user["name"],
        "email": user["email"],
        "phone": user["phone"],
        "status": ProviderStatus.ACTIVE.value,
        "commission_type": (
            CommissionType.FLAT_PER_JOB if flat else CommissionType.PERCENTAGE
        ).value,
        "commission_rate_bp": rng.choice([6500, 7000, 7500, 8000]),
        "flat_fee_cents": rng.choice([6000, 7500, 9000]) if flat else None,
        "home_address": address,
        "home_lat": lat,
        "home_lng": lng,
        "is_available": available,
        "current_lat": round(lat + 0.01, 5) if available else None,
        "current_lng": round(lng + 0.01, 5) if available else None,
        "location_updated_at": datetime.fromtimestamp(now, UTC) if available else None,
        "specialties": list(specialties),
        "created_at": joined,
        "updated_at": joined,
    }


def _credential_rows(
    provider: dict[str, Any], rng: random.Random, joined: datetime, now: int
) -> list[dict[str, Any]]:
    """A driver's licence and an insurance policy, both valid: the dispatch gate passes."""
    today = datetime.fromtimestamp(now, UTC).date()
    documents = [
        (CredentialKind.DRIVERS_LICENCE, f"GA-DL-{rng.randrange(10**7):07d}", "Georgia DDS"),
        (CredentialKind.INSURANCE, f"POL-{rng.randrange(10**6):06d}", "Peach State Mutual"),
    ]
    return [
        {
            "id": uuid4(),
            "tenant_id": provider["tenant_id"],
            "provider_id": provider["id"],
            "kind": kind.value,
            "number": number,
            "issuer": issuer,
            "expires_on": today + timedelta(days=120 + rng.randrange(600)),
            "verified_at": joined,
            "created_at": joined,
            "updated_at": joined,
        }
        for kind, number, issuer in documents
    ]


def _random_place(rng: random.Random) -> tuple[str, float, float]:
    """Return an address, latitude and longitude in the Atlanta-metro bounding box."""
    lat = round(CENTER[0] + (rng.random() * 2 - 1) * LAT_SPAN, 5)
    lng = round(CENTER[1] + (rng.random() * 2 - 1) * LNG_SPAN, 5)
    city, zip_code, _, _ = min(CITIES, key=lambda c: (c[2] - lat) ** 2 + (c[3] - lng) ** 2)
    return f"{rng.randrange(10, 9990)} {rng.choice(STREETS)}, {city}, GA {zip_code}", lat, lng


def _load_context(conn: Connection, tenant_id: UUID, tz: ZoneInfo, now: int, seed: int) -> _Context:
    users, providers = User.__table__, Provider.__table__
    services = [
        Service.model_validate(dict(row._mapping))
        for row in conn.execute(
            sa.select(Service.__table__)
            .where(Service.__table__.c.tenant_id == tenant_id, Service.__table__.c.active)
            .order_by(Service.__table__.c.sort_order, Service.__table__.c.slug)
        )
    ]
    if not services:
        raise BulkSeedError("the tenant has no active services to book")
    blocks = [
        TimeBlock.model_validate(dict(row._mapping))
        for row in conn.execute(
            sa.select(TimeBlock.__table__).where(
                TimeBlock.__table__.c.tenant_id == tenant_id, TimeBlock.__table__.c.active
            )
        )
    ]
    blocks.sort(key=lambda b: -b.priority)
    blocks_by_hour = [
        next((b for b in blocks if _hour_in_block(hour, b.start_hour, b.end_hour)), None)
        for hour in range(24)
    ]
    staff: dict[str, UUID] = {}  # the longest-serving admin and finance user
    for row in conn.execute(
        sa.select(users.c.role, users.c.id)
        .where(
            users.c.tenant_id == tenant_id,
            users.c.role.in_([Role.ADMIN.value, Role.FINANCE.value]),
        )
        .order_by(users.c.created_at, users.c.email)
    ):
        staff.setdefault(row.role, row.id)
    customers = [
        _Person(id=row.id, name=row.name, email=row.email, phone=row.phone or "")
        for row in conn.execute(
            sa.select(users.c.id, users.c.name, users.c.email, users.c.phone)
            .where(users.c.tenant_id == tenant_id, users.c.role == Role.CUSTOMER.value)
            .order_by(users.c.email)
        )
    ]
    provider_list = [
        _Person(
            id=row.id,
            name=row.name,
            email=row.email,
            phone=row.phone,
            user_id=row.user_id,
            commission_type=CommissionType(row.commission_type),
            rate_bp=row.commission_rate_bp,
            flat_fee_cents=row.flat_fee_cents,
            specialties=tuple(row.specialties or ()),
        )
        for row in conn.execute(
            sa.select(providers)
            .where(
                providers.c.tenant_id == tenant_id,
                providers.c.status == ProviderStatus.ACTIVE.value,
            )
            .order_by(providers.c.email)
        )
    ]
    if Role.ADMIN.value not in staff:
        raise BulkSeedError("the tenant needs an admin user to record the dispatch history")
    rng = _rng(seed, "lookups")
    vehicles = []
    for _ in customers:
        make, model = rng.choice(VEHICLES)
        vehicles.append(
            {
                "year": rng.randrange(2008, 2026),
                "make": make,
                "model": model,
                "color": rng.choice(COLORS),
                "plate": f"{rng.choice(['GA', 'GA', 'GA', 'AL', 'TN'])}{rng.randrange(10**6):06d}",
            }
        )
    places = [_random_place(rng) for _ in range(ADDRESS_POOL)]

    history_start = now - HISTORY_DAYS * DAY
    hour_base = history_start - history_start % HOUR - DAY
    hours = (now + 3 * DAY - hour_base) // HOUR
    local_hours = bytes(
        datetime.fromtimestamp(hour_base + h * HOUR, UTC).astimezone(tz).hour for h in range(hours)
    )
    ctx = _Context(
        tenant_id=tenant_id,
        now=now,
        services=services,
        blocks_by_hour=blocks_by_hour,
        customers=customers,
        providers=provider_list,
        vehicles=vehicles,
        places=places,
        admin_id=staff[Role.ADMIN.value],
        finance_id=staff.get(Role.FINANCE.value, staff[Role.ADMIN.value]),
        reference_run=_next_reference_run(conn, tenant_id),
        batch_ids=[],
        history_start=history_start,
        hour_base=hour_base,
        local_hours=local_hours,
    )
    ctx.eligible = [_eligible_providers(service, provider_list) for service in services]
    ctx.commission_rules = _commission_rules(conn, tenant_id)
    ctx.accounts = _ledger_accounts(conn, tenant_id, provider_list)
    ctx.batch_ids = _open_batches(conn, ctx)
    return ctx


def _commission_rules(conn: Connection, tenant_id: UUID) -> list[RuleTerms]:
    """The tenant's active commission rules, as `create_earning_if_due` resolves them."""
    rules = CommissionRule.__table__
    return [
        RuleTerms(
            id=row.id,
            scope=CommissionScope(row.scope),
            created_at=row.created_at,
            service_id=row.service_id,
            provider_id=row.provider_id,
            b2b_account_id=row.b2b_account_id,
            provider_share_bp=row.provider_share_bp,
            flat_fee_cents=row.flat_fee_cents,
            priority=row.priority,
            active=row.active,
        )
        for row in conn.execute(
            sa.select(rules).where(rules.c.tenant_id == tenant_id, rules.c.active)
        )
    ]


def _ledger_accounts(
    conn: Connection, tenant_id: UUID, providers: list[_Person]
) -> dict[str, UUID]:
    """Return the ids of every account a bulk job posts to, created by the ledger if missing."""
    codes = [
        ledger.CUSTOMER_RECEIVABLE,
        ledger.PLATFORM_REVENUE,
        ledger.PAYOUTS_CLEARING,
        *(ledger.clearing_account(PaymentMethod(method)) for method in METHODS),
        *(ledger.provider_payable(person.id) for person in providers),
    ]
    with Session(bind=conn) as session:
        return ledger.ensure_accounts(session, tenant_id=tenant_id, codes=codes)


def _eligible_providers(service: Service, providers: list[_Person]) -> list[int]:
    """Providers whose specialties cover the service (everyone, if nobody does)."""
    if service.per_mile_cents:
        needed = "towing"
    elif service.category is ServiceCategory.DIAGNOSTICS:
        needed = "diagnostics"
    else:
        needed = "roadside"
    eligible = [i for i, p in enumerate(providers) if needed in p.specialties]
    return eligible or list(range(len(providers)))


def _next_reference_run(conn: Connection, tenant_id: UUID) -> int:
    bookings = Booking.__table__
    last = conn.execute(
        sa.select(sa.func.max(bookings.c.reference)).where(
            bookings.c.tenant_id == tenant_id,
            bookings.c.reference.like(f"{REFERENCE_PREFIX}%"),
        )
    ).scalar()
    if last is None:
        return 1
    run = _decode_base32(last[len(REFERENCE_PREFIX) : len(REFERENCE_PREFIX) + 3])
    if run + 1 >= len(BASE32) ** 3:
        raise BulkSeedError("this tenant has used up its bulk reference runs")
    return run + 1


def _decode_base32(text: str) -> int:
    value = 0
    for char in text:
        value = value * 32 + BASE32.index(char)
    return value


def _open_batches(conn: Connection, ctx: _Context) -> list[UUID]:
    """Create one weekly payout batch per week whose jobs are paid; totals come at the end."""
    weeks = (ctx.now - PAID_AFTER_DAYS * DAY - ctx.history_start) // WEEK + 1
    rows = []
    for week in range(weeks):
        start = ctx.history_start + week * WEEK
        rows.append(
            {
                "id": uuid4(),
                "tenant_id": ctx.tenant_id,
                "period_start": datetime.fromtimestamp(start, UTC).date(),
                "period_end": datetime.fromtimestamp(start + WEEK - DAY, UTC).date(),
                "status": PayoutBatchStatus.COMPLETED.value,
                "total_cents": 0,
                "provider_count": 0,
                "created_by_id": ctx.finance_id,
                "completed_at": datetime.fromtimestamp(_batch_paid_at(ctx, week), UTC),
                "created_at": datetime.fromtimestamp(_batch_paid_at(ctx, week) - HOUR, UTC),
            }
        )
    if rows:
        conn.execute(PayoutBatch.__table__.insert(), rows)
    return [row["id"] for row in rows]


def _batch_paid_at(ctx: _Context, week: int) -> int:
    return ctx.history_start + (week + 1) * WEEK + 3 * DAY + 10 * HOUR


def _close_batches(conn: Connection, ctx: _Context, sums: BatchSums) -> tuple[int, int]:
    """Set each batch's totals and post what it paid, as `pay_pending` does; drop empty ones.

    Returns the ledger transactions and entries written.
    """
    batches = PayoutBatch.__table__
    paid = {
        week: {ctx.providers[p].id: net for p, net in nets.items() if net > 0}
        for week, nets in sorted(sums.items())
    }
    if paid:
        conn.execute(
            batches.update()
            .where(batches.c.id == sa.bindparam("batch"))
            .values(total_cents=sa.bindparam("total"), provider_count=sa.bindparam("count")),
            [
                {"batch": ctx.batch_ids[week], "total": sum(nets.values()), "count": len(nets)}
                for week, nets in paid.items()
            ],
        )
    empty = [batch for week, batch in enumerate(ctx.batch_ids) if week not in sums]
    if empty:
        conn.execute(batches.delete().where(batches.c.id.in_(empty)))
    transactions = entries = 0
    with Session(bind=conn) as session:
        for week, nets in paid.items():
            batch_id = ctx.batch_ids[week]
            posted = ledger.post(
                session,
                tenant_id=ctx.tenant_id,
                kind="payout_batch",
                description=f"Payout batch {batch_id}",
                lines=[
                    *(
                        (ledger.provider_payable(p), net)
                        for p, net in sorted(nets.items(), key=str)
                    ),
                    (ledger.PAYOUTS_CLEARING, -sum(nets.values())),
                ],
                now=datetime.fromtimestamp(_batch_paid_at(ctx, week), UTC),
            )
            if posted is not None:
                transactions += 1
                entries += len(nets) + 1
        session.flush()
    return transactions, entries


def _add_sums(total: BatchSums, chunk: BatchSums) -> None:
    for week, nets in chunk.items():
        into = total.setdefault(week, {})
        for provider, cents in nets.items():
            into[provider] = into.get(provider, 0) + cents


# --- planning: what happens to each booking (pure, seeded) ------------------------------------


def _plan(ctx: _Context, rng: random.Random, count: int, batch_size: int) -> Iterator[list[_Job]]:
    """Yield chunks of jobs in time order: the history first, then the live bookings."""
    live = min(MAX_LIVE_BOOKINGS, count // 100)
    history = count - live
    services = [
        i
        for i, service in enumerate(ctx.services)
        for _ in range(SERVICE_WEIGHTS.get(service.slug, 5))
    ]
    methods = [i for i, weight in enumerate(METHOD_WEIGHTS) for _ in range(weight)]
    scheduled_only = [s.scheduling_mode is SchedulingMode.SCHEDULED for s in ctx.services]
    towing = [bool(s.per_mile_cents) for s in ctx.services]
    n_customers, n_services, n_methods = len(ctx.customers), len(services), len(methods)
    start = ctx.history_start
    span = (ctx.now - DAY) - start
    slot = span / history if history else 0.0
    random_ = rng.random
    chunk: list[_Job] = []
    for number in range(count):
        service = services[int(random_() * n_services)]
        confirm = MINUTE + int(random_() * 3 * MINUTE)
        dispatch = MINUTE + int(random_() * 5 * MINUTE)
        drive = 10 * MINUTE + int(random_() * 40 * MINUTE)
        work = 15 * MINUTE + int(random_() * 75 * MINUTE)
        if number < history:
            created = start + int((number + random_()) * slot)
            status = CANCELLED if random_() < CANCELLED_SHARE else COMPLETED
        else:
            # A live job started as long ago as its steps so far took, plus a wait in this one.
            status = CONFIRMED if scheduled_only[service] else int(random_() * 4)
            steps = (0, confirm, confirm + dispatch, confirm + dispatch + drive)[status]
            created = ctx.now - MINUTE - steps - int(random_() * LIVE_DWELL[status])
        scheduled = 0
        if scheduled_only[service]:
            lead = (2 + int(random_() * 20)) * HOUR
            scheduled = created + lead - (created + lead) % (30 * MINUTE)
        miles = 2 + int(random_() ** 1.6 * 44) if towing[service] else None
        price = ctx.price_of(service, scheduled or created, miles)
        confirmed = dispatched = started = finished = 0
        provider = method = reason = -1
        if status == CANCELLED:
            confirmed = created + confirm if random_() < 0.3 else 0
            finished = (confirmed or created) + 3 * MINUTE + int(random_() * 20 * MINUTE)
            reason = int(random_() * len(CANCEL_REASONS))
        elif status >= CONFIRMED:
            confirmed = created + confirm
            if status >= DISPATCHED:
                eligible = ctx.eligible[service]
                provider = eligible[int(random_() * len(eligible))]
                dispatched = max(scheduled, confirmed) + dispatch
            if status >= IN_PROGRESS:
                started = dispatched + drive
            if status == COMPLETED:
                finished = started + work
                method = methods[int(random_() * n_methods)]
        chunk.append(
            _Job(
                number,
                status,
                service,
                price,
                int(random_() * n_customers),
                provider,
                int(random_() * ADDRESS_POOL),
                int(random_() * len(REPAIR_SHOPS)) if miles else -1,
                created,
                scheduled,
                confirmed,
                dispatched,
                started,
                finished,
                method,
                reason,
            )
        )
        if len(chunk) >= batch_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _price(service: Service, block: TimeBlock | None, miles: int | None) -> _Price:
    """Price a job the way the estimate explains it: base, time-block multiplier, mileage."""
    multiplier = block.multiplier_bp if block else 10_000
    adjusted = apply_bp(service.base_price_cents, multiplier)
    lines: list[dict[str, Any]] = [
        {"code": "base", "label": service.name, "amount_cents": service.base_price_cents}
    ]
    if block is not None and adjusted != service.base_price_cents:
        lines.append(
            {
                "code": "time_block",
                "label": f"{block.name} ×{multiplier / 10000:.2f}",
                "amount_cents": adjusted - service.base_price_cents,
            }
        )
    extra = max(0, (miles or 0) - service.included_miles) if service.per_mile_cents else 0
    if extra:
        lines.append(
            {
                "code": "mileage",
                "label": f"{extra} mi beyond {service.included_miles} included",
                "amount_cents": extra * service.per_mile_cents,
            }
        )
    return _Price(total=sum(line["amount_cents"] for line in lines), miles=miles, lines=lines)


def _hour_in_block(hour: int, start: int, end: int) -> bool:
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def _history(job: _Job, full: bool) -> list[tuple[int, int, int, int]]:
    """Return the job's events as (from status, to status, time, actor), -1 meaning none.

    Times index `(created, confirmed, dispatched, started, finished)`; actors index
    `(customer, admin, provider)`. Without `full`, only creation and the final transition.
    """
    events = [(-1, PENDING, 0, 0)]
    if job.status == CANCELLED:
        if full and job.confirmed:
            events.append((PENDING, CONFIRMED, 1, 1))
        events.append((CONFIRMED if job.confirmed else PENDING, CANCELLED, 4, 0))
        return events
    for step in range(CONFIRMED if full else job.status, job.status + 1):
        if step != PENDING:
            events.append((step - 1, step, step, 2 if step >= IN_PROGRESS else 1))
    return events


# --- writing ----------------------------------------------------------------------------------

BatchSums = dict[int, dict[int, int]]  # payout week -> provider index -> cents paid
ChunkResult = tuple[list[int], BatchSums]
# COPY rows per table (text, or bytes for the binary tables), batch sums
_Rendered = tuple[dict[str, list[str] | list[bytes]], BatchSums]


SLOT_PAYMENT = 7  # id slots per booking: 0 the booking, 1-6 its events, then these
SLOT_PAYOUT = 8
SLOT_PAID_TXN = 9  # ledger transaction payment_confirmed, its entries in 11 and 12
SLOT_EARNED_TXN = 10  # ledger transaction job_earned, its entries in 13 to 15
SLOT_ENTRIES = 11
TABLES = (
    "bookings",
    "booking_events",
    "payments",
    "provider_payouts",
    "ledger_transactions",
    "ledger_entries",
)  # in foreign-key order: a chunk's rows point only at rows already written


class _Ids:
    """UUIDv7-layout ids that grow with the booking number, so index inserts stay at the edge.

    High 64 bits: the run's start in Unix ms, version 7, 12 random bits. Low 64 bits: variant,
    18 random bits, the booking number (40 bits) and a 4-bit slot for the row kind.
    """

    def __init__(self) -> None:
        rand = int.from_bytes(os.urandom(8), "big")
        self.high = (time.time_ns() // 1_000_000) << 16 | 0x7000 | (rand & 0xFFF)
        self.high_hex = f"{self.high:016x}"
        self.low = (0b10 << 62) | (((rand >> 12) & 0x3FFFF) << 44)

    def low_of(self, number: int, slot: int) -> int:
        """Return the low 64 bits of the id of a row of booking `number`."""
        return self.low | number << 4 | slot

    def uuid(self, number: int, slot: int) -> UUID:
        """Return a row's id as a UUID."""
        return UUID(int=self.high << 64 | self.low_of(number, slot))


def _batch_week(ctx: _Context, finished: int) -> int:
    if finished >= ctx.now - PAID_AFTER_DAYS * DAY:
        return -1
    return (finished - ctx.history_start) // WEEK


SplitCache = dict[tuple[int, int, int], Commission]


def _payout_split(
    ctx: _Context, cache: SplitCache, provider: int, service: int, total: int
) -> Commission:
    """Return the provider's share and the platform fee as `create_earning_if_due` resolves them."""
    key = (provider, service, total)
    split = cache.get(key)
    if split is None:
        person, offer = ctx.providers[provider], ctx.services[service]
        job = JobTerms(
            price_cents=total,
            service_id=offer.id,
            service_platform_cut_bp=offer.platform_cut_bp,
            provider=ProviderTerms(
                provider_id=person.id,
                commission_type=person.commission_type,
                share_bp=person.rate_bp,
                flat_fee_cents=person.flat_fee_cents,
            ),
        )
        split = cache[key] = resolve_commission(job, ctx.commission_rules)
    return split


def _earning_terms(commission: Commission, payment_id: str) -> dict[str, Any]:
    """The `commission` record `create_earning_if_due` keeps, which later refunds split by."""
    return {
        "source": commission.source,
        "rule_id": str(commission.rule_id) if commission.rule_id else None,
        "share_bp": commission.share_bp,
        "flat_fee_cents": commission.flat_fee_cents,
        "price_cents": commission.price_cents,
        "provider_cents": commission.provider_cents,
        "platform_cents": commission.platform_cents,
        "payment_id": payment_id,
        "base_cents": commission.price_cents,
        "refunded_at_earning_cents": 0,
        "refunded_since_cents": 0,
        "provider_refunded_cents": 0,
        "platform_refunded_cents": 0,
    }


def _payment_description(method: int, reference: str | None) -> str:
    """The description `confirm_payment` gives its ledger transaction."""
    label = METHOD_LABELS[PaymentMethod(METHODS[method])]
    return f"{label} payment {reference or ''}".strip()


def _pipeline(
    items: Iterator[_Rendered],
    write: Callable[[_Rendered], ChunkResult],
    workers: int,
    progress: Callable[[int], None] | None,
    phases: dict[str, float],
) -> list[ChunkResult]:
    """Produce chunks on this thread while `workers` threads write them, one connection each.

    One chunk waits in the queue and one in the producer's hands, so a writer that finishes
    never waits and memory stays at a few chunks. The first failure stops the producer; chunks
    not yet started are dropped, chunks already committed stay.
    """
    tasks: queue.Queue[_Rendered | None] = queue.Queue(maxsize=1)
    results: list[ChunkResult] = []
    errors: list[BaseException] = []
    failed = threading.Event()
    lock = threading.Lock()
    done = [0]

    def work() -> None:
        while (item := tasks.get()) is not None:
            if failed.is_set():
                continue
            try:
                result = write(item)
            except BaseException as exc:  # handed to the producer thread below
                errors.append(exc)
                failed.set()
                continue
            with lock:
                results.append(result)
                done[0] += result[0][0]
                if progress:
                    progress(done[0])

    threads = [
        threading.Thread(target=work, name=f"bulk-copy-{n}", daemon=True) for n in range(workers)
    ]
    for thread in threads:
        thread.start()
    waited = 0.0
    try:
        for item in items:
            if failed.is_set():
                break
            started = time.perf_counter()
            tasks.put(item)
            waited += time.perf_counter() - started
    except BaseException:
        failed.set()
        raise
    finally:
        for _ in threads:
            tasks.put(None)
        for thread in threads:
            thread.join()
        phases["python: waiting for the writers"] = waited
    if errors:
        raise errors[0]
    return results


def _run_serial(
    engine: Engine,
    ctx: _Context,
    full_history: bool,
    chunks: Iterator[list[_Job]],
    progress: Callable[[int], None] | None,
) -> list[ChunkResult]:
    """Insert each chunk with multi-row Core inserts in its own transaction (SQLite)."""
    ids, cache, results, done = _Ids(), {}, [], 0
    for chunk in chunks:
        with engine.begin() as conn:
            results.append(_insert_core(conn, ctx, ids, cache, chunk, full_history))
        done += len(chunk)
        if progress:
            progress(done)
    return results


def _insert_core(
    conn: Connection,
    ctx: _Context,
    ids: _Ids,
    cache: SplitCache,
    chunk: list[_Job],
    full_history: bool,
) -> ChunkResult:
    tenant, run = ctx.tenant_id, ctx.reference_run
    bookings, events, payments, payouts, transactions, entries = [], [], [], [], [], []
    sums: BatchSums = {}
    receivable = ctx.accounts[ledger.CUSTOMER_RECEIVABLE]
    revenue = ctx.accounts[ledger.PLATFORM_REVENUE]

    def at(epoch: int) -> datetime | None:
        return datetime.fromtimestamp(epoch, UTC) if epoch else None

    for job in chunk:
        times = (job.created, job.confirmed, job.dispatched, job.started, job.finished)
        booking_id = ids.uuid(job.number, 0)
        reference = _reference(run, job.number)
        price = ctx.prices[job.price]
        customer = ctx.customers[job.customer]
        provider = ctx.providers[job.provider] if job.provider >= 0 else None
        address, lat, lng = ctx.places[job.place]
        history = _history(job, full_history)
        completed = job.status == COMPLETED
        destination = REPAIR_SHOPS[job.destination] if job.destination >= 0 else None
        bookings.append(
            {
                "id": booking_id,
                "tenant_id": tenant,
                "reference": reference,
                "customer_id": customer.id,
                "service_id": ctx.services[job.service].id,
                "provider_id": provider.id if provider else None,
                "status": STATUS_VALUES[job.status],
                "mode": "scheduled" if job.scheduled else "immediate",
                "vehicle": ctx.vehicles[job.customer],
                "address": address,
                "lat": lat,
                "lng": lng,
                "destination_address": destination[0] if destination else None,
                "destination_lat": destination[1] if destination else None,
                "destination_lng": destination[2] if destination else None,
                "contact_name": customer.name,
                "contact_phone": customer.phone,
                "contact_email": customer.email,
                "scheduled_at": at(job.scheduled),
                "towing_miles": price.miles,
                "estimated_price_cents": price.total,
                "final_price_cents": price.total if completed else None,
                "price_breakdown": price.lines,
                "referral_credit_cents": 0,
                "cancellation_fee_cents": 0,
                "cancel_reason": CANCEL_REASONS[job.reason] if job.reason >= 0 else None,
                "needs_manual_dispatch": False,
                "dispatch_attempts": 1 if job.dispatched else 0,
                "confirmed_at": at(job.confirmed),
                "dispatched_at": at(job.dispatched),
                "started_at": at(job.started),
                "completed_at": at(job.finished) if completed else None,
                "cancelled_at": at(job.finished) if job.status == CANCELLED else None,
                "created_at": at(job.created),
                "updated_at": at(times[history[-1][2]]),
            }
        )
        for slot, (before, after, when, actor) in enumerate(history, start=1):
            actor_id = (customer.id, ctx.admin_id, provider.user_id if provider else None)[actor]
            events.append(
                {
                    "id": ids.uuid(job.number, slot),
                    "tenant_id": tenant,
                    "booking_id": booking_id,
                    "kind": "booking_created" if before < 0 else "status_changed",
                    "from_status": STATUS_VALUES[before] if before >= 0 else None,
                    "to_status": STATUS_VALUES[after],
                    "actor_id": actor_id,
                    "actor_role": ("customer", "admin", "provider")[actor],
                    "reason": CANCEL_REASONS[job.reason] if after == CANCELLED else None,
                    "payload": {"provider_id": str(provider.id)}
                    if after == DISPATCHED and provider
                    else {},
                    "created_at": at(times[when]),
                }
            )
        if not completed or provider is None:
            continue
        payment_id = ids.uuid(job.number, SLOT_PAYMENT)
        method = METHODS[job.method]
        stripe = method == "stripe"
        payment_reference = None if stripe else f"{method.upper()}-{reference}"
        payments.append(
            {
                "id": payment_id,
                "tenant_id": tenant,
                "booking_id": booking_id,
                "customer_id": customer.id,
                "method": method,
                "status": "confirmed",
                "amount_cents": price.total,
                "refunded_cents": 0,
                "reference": payment_reference,
                "stripe_checkout_session_id": f"cs_bulk_{payment_id.hex}" if stripe else None,
                "stripe_payment_intent_id": f"pi_bulk_{payment_id.hex}" if stripe else None,
                "confirmed_at": at(job.finished),
                "confirmed_by_id": None if stripe else ctx.finance_id,
                "counted_for_trust": True,
                "created_at": at(job.created),
                "updated_at": at(job.finished),
            }
        )
        commission = _payout_split(ctx, cache, job.provider, job.service, price.total)
        amount, fee = commission.provider_cents, commission.platform_cents
        week = _batch_week(ctx, job.finished)
        if week >= 0:
            nets = sums.setdefault(week, {})
            nets[job.provider] = nets.get(job.provider, 0) + amount
        payouts.append(
            {
                "id": ids.uuid(job.number, SLOT_PAYOUT),
                "tenant_id": tenant,
                "provider_id": provider.id,
                "booking_id": booking_id,
                "kind": "earning",
                "status": "paid" if week >= 0 else "pending",
                "amount_cents": amount,
                "gross_cents": price.total,
                "platform_fee_cents": fee,
                "commission": _earning_terms(commission, str(payment_id)),
                "batch_id": ctx.batch_ids[week] if week >= 0 else None,
                "paid_at": at(_batch_paid_at(ctx, week)) if week >= 0 else None,
                "created_at": at(job.finished),
            }
        )
        clearing = ctx.accounts[ledger.clearing_account(PaymentMethod(method))]
        payable = ctx.accounts[ledger.provider_payable(provider.id)]
        postings = (
            (
                SLOT_PAID_TXN,
                "payment_confirmed",
                _payment_description(job.method, payment_reference),
                ((clearing, price.total), (receivable, -price.total)),
            ),
            (
                SLOT_EARNED_TXN,
                "job_earned",
                f"Job {reference} completed and paid",
                ((receivable, price.total), (payable, -amount), (revenue, -fee)),
            ),
        )
        slot = SLOT_ENTRIES
        for txn_slot, kind, description, lines in postings:
            txn_id = ids.uuid(job.number, txn_slot)
            transactions.append(
                {
                    "id": txn_id,
                    "tenant_id": tenant,
                    "kind": kind,
                    "description": description,
                    "booking_id": booking_id,
                    "created_at": at(job.finished),
                }
            )
            for account, cents in lines:
                if cents:
                    entries.append(
                        {
                            "id": ids.uuid(job.number, slot),
                            "tenant_id": tenant,
                            "transaction_id": txn_id,
                            "account_id": account,
                            "amount_cents": cents,
                            "booking_id": booking_id,
                            "created_at": at(job.finished),
                        }
                    )
                slot += 1
    written = (bookings, events, payments, payouts, transactions, entries)
    for table, rows in zip(CORE_TABLES, written, strict=True):
        if rows:
            conn.execute(table.insert(), rows)
    return [len(rows) for rows in written], sums


CORE_TABLES = (
    Booking.__table__,
    BookingEvent.__table__,
    Payment.__table__,
    ProviderPayout.__table__,
    LedgerTransaction.__table__,
    LedgerEntry.__table__,
)


def _reference(run: int, number: int) -> str:
    return REFERENCE_PREFIX + _base32(run, 3) + "-" + _base32(number, 6)


def _base32(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 32)
        chars.append(BASE32[digit])
    if value:
        raise ValueError("value does not fit")
    return "".join(reversed(chars))


def _copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


NULL = "\\N"
# Binary COPY for the events and the ledger (the most rows, four or five uuids each): a field is its length
# and bytes, a uuid 16 bytes, a timestamptz microseconds since 2000-01-01 UTC, a bigint 8 bytes.
BINARY_TABLES = frozenset({"booking_events", "ledger_transactions", "ledger_entries"})
BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # then flags and header extension: none
BINARY_TRAILER = b"\xff\xff"
PG_EPOCH = 946_684_800  # 2000-01-01 in Unix seconds
LENGTH = struct.Struct(">i")
# entry: count+id length+id high | id low | tenant, transaction length, high | transaction low |
# account (length and bytes) | amount | booking length, high | booking low | created_at
ENTRY_ROW = struct.Struct(">14sQ32sQ20siq12sQiq")
TXN_HEAD = struct.Struct(">14sQ20s")  # count+id length+id high | id low | tenant length+bytes
TXN_TAIL = struct.Struct(">12sQiq")  # booking length+high | booking low | created_at
EVENT_HEAD = struct.Struct(">14sQ20s12sQ")  # count+id length+high | low | tenant | booking
STAMP = struct.Struct(">iq")  # a timestamptz field
NULL_FIELD = b"\xff\xff\xff\xff"  # length -1


def _uuid_field(value: UUID) -> bytes:
    """A uuid as a binary COPY field."""
    return LENGTH.pack(16) + value.bytes


def _text_field(value: str) -> bytes:
    """A text value as a binary COPY field."""
    data = value.encode()
    return LENGTH.pack(len(data)) + data


def _jsonb_field(value: object) -> bytes:
    """A jsonb value as a binary COPY field: format version 1, then the JSON text."""
    data = b"\x01" + json.dumps(value).encode()
    return LENGTH.pack(len(data)) + data


PAYMENT_CONFIRMED = _text_field("payment_confirmed")
JOB_EARNED = _text_field("job_earned")
BOOKING_CREATED = _text_field("booking_created")
STATUS_CHANGED = _text_field("status_changed")
EMPTY_PAYLOAD = _jsonb_field({})
ACTOR_ROLES = ("customer", "admin", "provider")
COPY_COLUMNS = {
    "bookings": (
        "id, tenant_id, reference, customer_id, service_id, provider_id, status, mode, vehicle, "
        "address, lat, lng, destination_address, destination_lat, destination_lng, contact_name, "
        "contact_phone, contact_email, scheduled_at, towing_miles, estimated_price_cents, "
        "final_price_cents, price_breakdown, referral_credit_cents, cancellation_fee_cents, "
        "cancel_reason, needs_manual_dispatch, dispatch_attempts, confirmed_at, dispatched_at, "
        "started_at, completed_at, cancelled_at, created_at, updated_at"
    ),
    "booking_events": (
        "id, tenant_id, booking_id, kind, from_status, to_status, actor_id, actor_role, reason, "
        "payload, created_at"
    ),
    "payments": (
        "id, tenant_id, booking_id, customer_id, method, status, amount_cents, refunded_cents, "
        "reference, stripe_checkout_session_id, stripe_payment_intent_id, confirmed_at, "
        "confirmed_by_id, counted_for_trust, created_at, updated_at"
    ),
    "provider_payouts": (
        "id, tenant_id, provider_id, booking_id, kind, status, amount_cents, gross_cents, "
        "platform_fee_cents, commission, batch_id, paid_at, created_at"
    ),
    "ledger_transactions": "id, tenant_id, kind, description, booking_id, created_at",
    "ledger_entries": (
        "id, tenant_id, transaction_id, account_id, amount_cents, booking_id, created_at"
    ),
}


class _PostgresWriter:
    """Render a chunk as COPY text in one pass, then COPY its six tables in one transaction.

    Everything that repeats (ids of customers and providers, vehicles, addresses, breakdowns,
    dates and clock times) is formatted once per run, so a row is one f-string of lookups.
    """

    def __init__(self, engine: Engine, ctx: _Context, full_history: bool) -> None:
        self.engine = engine
        self.ctx = ctx
        self.full_history = full_history
        self.ids = _Ids()
        self.split_cache: SplitCache = {}
        self.terms_text: dict[Commission, tuple[str, str]] = {}
        self.day0 = ctx.hour_base // DAY - 1
        self.days = [
            datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d ")
            for day in range(self.day0, (ctx.now + 4 * DAY) // DAY + 1)
        ]
        self.clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(DAY)]
        self.customers = [
            (
                person.id.hex,
                _copy_text(json.dumps(vehicle)),
                "\t".join(_copy_text(x) for x in (person.name, person.phone, person.email)),
            )
            for person, vehicle in zip(ctx.customers, ctx.vehicles, strict=True)
        ]
        self.providers = [
            (person.id.hex, person.user_id.hex if person.user_id else NULL)
            for person in ctx.providers
        ]
        self.places = [f"{_copy_text(a)}\t{lat}\t{lng}" for a, lat, lng in ctx.places]
        self.destinations = [f"{_copy_text(a)}\t{lat}\t{lng}" for a, lat, lng in REPAIR_SHOPS]
        self.destinations.append(f"{NULL}\t{NULL}\t{NULL}")  # index -1: no destination
        self.paid_at = [self.ts(_batch_paid_at(ctx, week)) for week in range(len(ctx.batch_ids))]
        self.prefix = REFERENCE_PREFIX + _base32(ctx.reference_run, 3) + "-"
        self.pairs = [BASE32[i // 32] + BASE32[i % 32] for i in range(1024)]
        accounts = ctx.accounts
        self.receivable_b = _uuid_field(accounts[ledger.CUSTOMER_RECEIVABLE])
        self.revenue_b = _uuid_field(accounts[ledger.PLATFORM_REVENUE])
        self.clearing_b = [
            _uuid_field(accounts[ledger.clearing_account(PaymentMethod(method))])
            for method in METHODS
        ]
        self.payables_b = [
            _uuid_field(accounts[ledger.provider_payable(p.id)]) for p in ctx.providers
        ]
        self.copy_seconds = dict.fromkeys(TABLES, 0.0)  # summed over the writers
        self.copy_lock = threading.Lock()

    @staticmethod
    def terms(commission: Commission) -> tuple[str, str]:
        """Return the earning's commission record as COPY text around its payment id."""
        marker = "<payment id>"
        head, _, tail = json.dumps(_earning_terms(commission, marker)).partition(marker)
        return _copy_text(head), _copy_text(tail)

    def ts(self, epoch: int) -> str:
        """Format epoch seconds as a UTC timestamptz literal."""
        return self.days[epoch // DAY - self.day0] + self.clock[epoch % DAY]

    def copy(self, rendered: _Rendered) -> ChunkResult:
        """COPY one rendered chunk (bookings to ledger entries, in that order) in one transaction."""
        tables, sums = rendered
        seconds = {}
        with self.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            with conn.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
                for table, rows in tables.items():
                    started = time.perf_counter()
                    binary = table in BINARY_TABLES
                    sql = f"COPY {table} ({COPY_COLUMNS[table]}) FROM STDIN"
                    with cursor.copy(sql + " (FORMAT BINARY)" if binary else sql) as copy:
                        if binary:
                            copy.write(BINARY_SIGNATURE)
                        for start in range(0, len(rows), SUB_BATCH):
                            copy.write(
                                (b"" if binary else "").join(rows[start : start + SUB_BATCH])
                            )
                        if binary:
                            copy.write(BINARY_TRAILER)
                    seconds[table] = time.perf_counter() - started
            started = time.perf_counter()
        seconds["commit"] = time.perf_counter() - started
        with self.copy_lock:
            for table, spent in seconds.items():
                self.copy_seconds[table] = self.copy_seconds.get(table, 0.0) + spent
        return [len(rows) for rows in tables.values()], sums

    def render(self, chunk: list[_Job]) -> _Rendered:
        """Format a chunk's rows as COPY text (on the producer thread, which owns the caches)."""
        ctx, full, cache = self.ctx, self.full_history, self.split_cache
        days, clock, day0, day = self.days, self.clock, self.day0, DAY
        customers, providers, places = self.customers, self.providers, self.places
        destinations, pairs, prefix = self.destinations, self.pairs, self.prefix
        terms_text = self.terms_text
        entry_row, txn_head, txn_tail = ENTRY_ROW.pack, TXN_HEAD.pack, TXN_TAIL.pack
        pack_length = LENGTH.pack
        high_b, tenant_b = self.ids.high.to_bytes(8, "big"), self.ctx.tenant_id.bytes
        entry_start = struct.pack(">hi8s", 7, 16, high_b)  # field count, then the id's length
        txn_start = struct.pack(">hi8s", 6, 16, high_b)
        entry_middle = struct.pack(">i16si8s", 16, tenant_b, 16, high_b)  # ends in transaction
        booking_head = struct.pack(">i8s", 16, high_b)
        tenant_field = _uuid_field(self.ctx.tenant_id)
        event_head, stamp = EVENT_HEAD.pack, STAMP.pack
        event_start = struct.pack(">hi8s", 11, 16, high_b)
        customer_fields = [_uuid_field(person.id) for person in ctx.customers]
        provider_fields = [
            _uuid_field(person.user_id) if person.user_id else NULL_FIELD
            for person in ctx.providers
        ]
        provider_payloads = [
            _jsonb_field({"provider_id": str(person.id)}) for person in ctx.providers
        ]
        admin_field = _uuid_field(ctx.admin_id)
        status_fields = [_text_field(status) for status in STATUS_VALUES]
        role_fields = [_text_field(role) for role in ACTOR_ROLES]
        reason_fields = [_text_field(reason) for reason in CANCEL_REASONS]
        receivable_b, revenue_b = self.receivable_b, self.revenue_b
        clearing_b, payables_b = self.clearing_b, self.payables_b
        high, low, tenant = self.ids.high_hex, self.ids.low, ctx.tenant_id.hex
        finance = ctx.finance_id.hex
        services = [service.id.hex for service in ctx.services]
        prices = [
            (p.total, NULL if p.miles is None else str(p.miles), _copy_text(json.dumps(p.lines)))
            for p in list(ctx.prices)
        ]
        reasons = [_copy_text(reason) for reason in CANCEL_REASONS]
        labels = [method.upper() for method in METHODS]
        paid_labels = [_payment_description(m, None) for m in range(len(METHODS))]
        batches = [batch.hex for batch in ctx.batch_ids]
        paid_at, paid_before = self.paid_at, ctx.now - PAID_AFTER_DAYS * DAY
        bookings: list[str] = []
        events: list[bytes] = []
        payments: list[str] = []
        payouts: list[str] = []
        transactions: list[bytes] = []
        entries: list[bytes] = []
        sums: BatchSums = {}
        for job in chunk:
            (number, status, service, price, customer, provider, place, destination) = job[:8]
            (created, scheduled, confirmed, dispatched, started, finished, method, reason) = job[8:]
            base = low | number << 4
            booking = f"{high}{base:016x}"
            reference = (
                f"{prefix}{pairs[number >> 20]}{pairs[number >> 10 & 1023]}{pairs[number & 1023]}"
            )
            stamps = (
                days[created // day - day0] + clock[created % day],
                days[confirmed // day - day0] + clock[confirmed % day] if confirmed else NULL,
                days[dispatched // day - day0] + clock[dispatched % day] if dispatched else NULL,
                days[started // day - day0] + clock[started % day] if started else NULL,
                days[finished // day - day0] + clock[finished % day] if finished else NULL,
            )
            total, miles, breakdown = prices[price]
            customer_id, vehicle, contact = customers[customer]
            provider_row = providers[provider] if provider >= 0 else (NULL,) * 2
            completed = status == COMPLETED
            history = _history(job, full)
            bookings.append(
                f"{booking}\t{tenant}\t{reference}\t{customer_id}\t{services[service]}\t"
                f"{provider_row[0]}\t{STATUS_VALUES[status]}\t"
                f"{'scheduled' if scheduled else 'immediate'}\t{vehicle}\t{places[place]}\t"
                f"{destinations[destination]}\t{contact}\t"
                f"{self.ts(scheduled) if scheduled else NULL}\t{miles}\t{total}\t"
                f"{total if completed else NULL}\t{breakdown}\t0\t0\t"
                f"{reasons[reason] if reason >= 0 else NULL}\tf\t{1 if dispatched else 0}\t"
                f"{stamps[1]}\t{stamps[2]}\t{stamps[3]}\t{stamps[4] if completed else NULL}\t"
                f"{stamps[4] if status == CANCELLED else NULL}\t{stamps[0]}\t"
                f"{stamps[history[-1][2]]}\n"
            )
            actors = (
                customer_fields[customer],
                admin_field,
                provider_fields[provider] if provider >= 0 else NULL_FIELD,
            )
            times = (created, confirmed, dispatched, started, finished)
            for slot, (before, after, when, actor) in enumerate(history, start=1):
                events.append(
                    event_head(event_start, base | slot, tenant_field, booking_head, base)
                    + (STATUS_CHANGED if before >= 0 else BOOKING_CREATED)
                    + (status_fields[before] if before >= 0 else NULL_FIELD)
                    + status_fields[after]
                    + actors[actor]
                    + role_fields[actor]
                    + (reason_fields[reason] if after == CANCELLED else NULL_FIELD)
                    + (provider_payloads[provider] if after == DISPATCHED else EMPTY_PAYLOAD)
                    + stamp(8, (times[when] - PG_EPOCH) * 1_000_000)
                )
            if not completed:
                continue
            payment = f"{high}{base | SLOT_PAYMENT:016x}"
            if method == STRIPE:
                paid_by = f"{NULL}\tcs_bulk_{payment}\tpi_bulk_{payment}\t{stamps[4]}\t{NULL}"
                paid_as = paid_labels[method]
            else:
                paid_by = f"{labels[method]}-{reference}\t{NULL}\t{NULL}\t{stamps[4]}\t{finance}"
                paid_as = f"{paid_labels[method]} {labels[method]}-{reference}"
            payments.append(
                f"{payment}\t{tenant}\t{booking}\t{customer_id}\t{METHODS[method]}\tconfirmed\t"
                f"{total}\t0\t{paid_by}\tt\t{stamps[0]}\t{stamps[4]}\n"
            )
            commission = _payout_split(ctx, cache, provider, service, total)
            amount, fee = commission.provider_cents, commission.platform_cents
            terms = terms_text.get(commission)
            if terms is None:
                terms = terms_text[commission] = self.terms(commission)
            payment_uuid = (
                f"{payment[:8]}-{payment[8:12]}-{payment[12:16]}-{payment[16:20]}-{payment[20:]}"
            )
            if finished < paid_before:
                week = (finished - ctx.history_start) // WEEK
                nets = sums.setdefault(week, {})
                nets[provider] = nets.get(provider, 0) + amount
                settled = (
                    f"paid\t{amount}\t{total}\t{fee}\t{terms[0]}{payment_uuid}{terms[1]}\t"
                    f"{batches[week]}\t{paid_at[week]}"
                )
            else:
                settled = (
                    f"pending\t{amount}\t{total}\t{fee}\t{terms[0]}{payment_uuid}{terms[1]}\t"
                    f"{NULL}\t{NULL}"
                )
            payouts.append(
                f"{high}{base | SLOT_PAYOUT:016x}\t{tenant}\t{provider_row[0]}\t{booking}\tearning\t"
                f"{settled}\t{stamps[4]}\n"
            )
            # payment_confirmed then job_earned, as confirm_payment posts them; zero lines skipped
            # In binary: parsing uuids and timestamps was a fifth of the server's load work.
            paid_txn, earned_txn = base | SLOT_PAID_TXN, base | SLOT_EARNED_TXN
            at_us = (finished - PG_EPOCH) * 1_000_000
            tail = txn_tail(booking_head, base, 8, at_us)
            description = paid_as.encode()
            transactions.append(
                txn_head(txn_start, paid_txn, tenant_field)
                + PAYMENT_CONFIRMED
                + pack_length(len(description))
                + description
                + tail
            )
            description = f"Job {reference} completed and paid".encode()
            transactions.append(
                txn_head(txn_start, earned_txn, tenant_field)
                + JOB_EARNED
                + pack_length(len(description))
                + description
                + tail
            )
            entry = base | SLOT_ENTRIES
            entries.append(
                entry_row(
                    entry_start,
                    entry,
                    entry_middle,
                    paid_txn,
                    clearing_b[method],
                    8,
                    total,
                    booking_head,
                    base,
                    8,
                    at_us,
                )
            )
            entries.append(
                entry_row(
                    entry_start,
                    entry + 1,
                    entry_middle,
                    paid_txn,
                    receivable_b,
                    8,
                    -total,
                    booking_head,
                    base,
                    8,
                    at_us,
                )
            )
            entries.append(
                entry_row(
                    entry_start,
                    entry + 2,
                    entry_middle,
                    earned_txn,
                    receivable_b,
                    8,
                    total,
                    booking_head,
                    base,
                    8,
                    at_us,
                )
            )
            if amount:
                entries.append(
                    entry_row(
                        entry_start,
                        entry + 3,
                        entry_middle,
                        earned_txn,
                        payables_b[provider],
                        8,
                        -amount,
                        booking_head,
                        base,
                        8,
                        at_us,
                    )
                )
            if fee:
                entries.append(
                    entry_row(
                        entry_start,
                        entry + 4,
                        entry_middle,
                        earned_txn,
                        revenue_b,
                        8,
                        -fee,
                        booking_head,
                        base,
                        8,
                        at_us,
                    )
                )
        tables = dict(
            zip(
                TABLES,
                (bookings, events, payments, payouts, transactions, entries),
                strict=True,
            )
        )
        return tables, sums
