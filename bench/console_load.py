"""Console under load: the real app on 100,000 bookings, driven by headless Chromium.

`python -m bench.console_load` creates a throwaway PostgreSQL database (next to the admin
database named by `BENCH_POSTGRES_URL`), migrates it, seeds the demo operator and bulk-generates
bookings for it (`roadside_console/domain/seed/bulk.py`), then builds and starts the app from the
checkout this file lives in (`reflex run --env prod` on a free port, embedded worker off), signs
in as the demo admin in Chromium with Playwright and times what a person waits for:

- the bookings page until its first table row is visible, from a full page load in a new tab and
  from the sidebar link (in-app navigation);
- a status filter change and a free-text search (a customer's phone) until the table shows the
  filtered rows (the summary line says the expected count);
- the dashboard until its four KPI cards hold numbers and both charts have drawn their bars,
  from a full page load in a new tab and from the sidebar link of a tab that has not shown
  the dashboard yet (so its numbers must come from the server, not from the tab's state).

It also records, for every main admin page, the largest websocket frame the server sends (the
state deltas), and runs the app with `REFLEX_PERF_MODE=warn` and `REFLEX_STATE_SIZE_LIMIT`
at the 200 KB target so Reflex logs any state that serializes larger. The figures go to
docs/benchmarks.md between the `bench:console_load` markers; the database is dropped.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
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
from roadside_console.domain.seed import bulk
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG, seed_demo

START = "<!-- bench:console_load:start -->"
END = "<!-- bench:console_load:end -->"
ADMIN_EMAIL = "admin@roadsideatl.com"
PASSWORD = "bench-console-password"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 900  # a prod build on a busy 2-core box
WAIT_MS = 30_000
STATE_LIMIT_KB = 200
TARGETS_S = {"bookings": 1.5, "filter": 0.5, "dashboard": 1.0}
FILTER_STATUS = "completed"
PAGE_SIZE = 25  # the bookings table's page size (ui/bookings/page.py)

# Other admin pages whose largest frame is recorded; `{booking}` etc. are filled from the data.
PAGES = [
    ("/admin/bookings/{booking}", "booking detail"),
    ("/admin/bookings/new", "new phone booking"),
    ("/admin/payments", "payments"),
    ("/admin/payouts", "payouts"),
    ("/admin/providers", "providers"),
    ("/admin/providers/{provider}", "provider detail"),
    ("/admin/customers", "customers"),
    ("/admin/customers/{customer}", "customer detail"),
    ("/admin/trust", "trust tiers"),
    ("/admin/reports", "reports"),
    ("/admin/audit", "audit log"),
    ("/admin/pricing", "pricing"),
    ("/admin/dispatch", "dispatch board"),
]

# In-page predicates, evaluated on every animation frame.
JS_FIRST_ROW = """() => {
  const row = document.querySelector('#bookings-table tbody tr');
  return !!row && row.getClientRects().length > 0;
}"""
JS_SUMMARY_IS = """(expected) => {
  const s = document.querySelector('#bookings-summary');
  const row = document.querySelector('#bookings-table tbody tr');
  return !!s && s.textContent === expected && !!row;
}"""
JS_KPIS = """() => ['kpi-bookings-today', 'kpi-active-jobs', 'kpi-revenue-month',
  'kpi-providers-online'].every(id => {
    const el = document.getElementById(id);
    return !!el && el.textContent.trim() !== '' && el.textContent.trim() !== '\u2014';
  })"""
JS_DASHBOARD = """() => {
  const ids = ['kpi-bookings-today', 'kpi-active-jobs', 'kpi-revenue-month',
               'kpi-providers-online'];
  const kpis = ids.every(id => {
    const el = document.getElementById(id);
    return !!el && el.textContent.trim() !== '' && el.textContent.trim() !== '\u2014';
  });
  // A drawn bar: Recharts' rectangles, or Plotly's points (the charts' earlier library).
  const charts = ['chart-bookings', 'chart-revenue'].every(id => document.querySelectorAll(
    '#' + id + ' .recharts-bar-rectangle, #' + id + ' .main-svg .barlayer .point').length > 0);
  return kpis && charts;
}"""
JS_TITLE = """() => {
  const t = document.querySelector('#page-title');
  return !!t && t.textContent.trim() !== '' && !t.textContent.includes('403');
}"""


@dataclass
class Frames:
    """Websocket frames received by one tab."""

    sizes: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)  # when each event frame went out
    events: int = 0  # socket.io event frames ("42[...]"), the state deltas among them
    last_at: float = 0.0

    def on_frame(self, payload: str | bytes) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        self.sizes.append(len(data))
        self.last_at = time.perf_counter()
        self.times.append(self.last_at)
        self.events += data.startswith(b"42")

    def on_sent(self, payload: str | bytes) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        # Socket.IO packets ("40": connect, which carries the hydrate event; "42": an event),
        # not Engine.IO pings.
        if data.startswith(b"4"):
            self.sent.append(time.perf_counter())

    def first_sent_after(self, moment: float) -> float:
        """When the first event after `moment` went out (0 if none did)."""
        return min((t for t in self.sent if t >= moment), default=0.0)

    def last_before(self, moment: float) -> float:
        """When the last frame before `moment` arrived (0 if none did)."""
        return max((t for t in self.times if t <= moment), default=0.0)


@dataclass(frozen=True)
class Fixture:
    """What the browser looks for, read from the generated data."""

    booking_id: str
    customer_id: str
    provider_id: str
    total: int
    status_total: int
    phone: str
    phone_status_total: int
    phone_total: int


@dataclass
class Result:
    """Everything one run measured."""

    timings: dict[str, list[float]] = field(default_factory=dict)
    deltas: dict[str, list[float]] = field(default_factory=dict)  # last frame before ready
    sends: dict[str, list[float]] = field(default_factory=dict)  # first event sent
    frames: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # max, total, count
    perf_warnings: list[str] = field(default_factory=list)
    seed_seconds: float = 0.0
    build_seconds: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    fixture: Fixture | None = None


def main(argv: list[str]) -> int:
    """Run the benchmark; return 1 if a target is missed, 2 if the app would not start."""
    parser = argparse.ArgumentParser(prog="python -m bench.console_load")
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--keep-log", action="store_true", help="print where the app's log is and keep it"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2

    result = Result()
    url = create_database()
    print(f"database {make_url(url).database} ({args.bookings:,} bookings)", flush=True)
    try:
        result.seed_seconds = _seed(url, args)
        result.fixture, result.statuses = _fixture(url)
        with _app(url, result, keep_log=args.keep_log) as base_url:
            result.load_before = os.getloadavg()[0]
            _drive(base_url, result, args.repeats)
            result.load_after = os.getloadavg()[0]
    finally:
        drop_database(url)

    text = _render(result, args, argv, _machine())
    print(text)
    if not args.no_doc:
        replace_doc_section(text, START, END)
        print(f"updated {DOC.relative_to(ROOT)}")
    return 0 if all(v.met is not False for v in _verdicts(result)) else 1


# --- data ---------------------------------------------------------------------------------------


def _seed(url: str, args: argparse.Namespace) -> float:
    engine = create_db_engine(url)
    try:
        migrate(url)
        with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
            seed_demo(uow, password=PASSWORD)
        started = time.perf_counter()
        bulk.generate_bookings(
            engine,
            tenant_slug=DEMO_TENANT_SLUG,
            count=args.bookings,
            rng_seed=args.seed,
            progress=lambda done: print(f"\r  {done:,} bookings", end="", flush=True),
        )
        print()
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    # Statistics as autovacuum would have them on a database that has lived a while.
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    admin.dispose()
    return seconds


def _fixture(url: str) -> tuple[Fixture, dict[str, int]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tenant = conn.execute(
            sa.text("SELECT id FROM tenants WHERE slug = :slug"), {"slug": DEMO_TENANT_SLUG}
        ).scalar_one()
        p: dict[str, Any] = {"t": tenant, "s": FILTER_STATUS}
        one = lambda sql, **extra: conn.execute(sa.text(sql), p | extra).scalar_one()  # noqa: E731
        statuses = dict(
            conn.execute(
                sa.text(
                    "SELECT status, count(*) FROM bookings WHERE tenant_id = :t "
                    "GROUP BY status ORDER BY count(*) DESC"
                ),
                p,
            ).all()
        )
        booking = one(
            "SELECT id FROM bookings WHERE tenant_id = :t AND status = :s "
            "ORDER BY created_at DESC LIMIT 1"
        )
        # The customer with the most bookings: their phone is the search term.
        customer, phone = conn.execute(
            sa.text(
                "SELECT customer_id, contact_phone FROM bookings WHERE tenant_id = :t "
                "AND customer_id IS NOT NULL GROUP BY customer_id, contact_phone "
                "ORDER BY count(*) DESC LIMIT 1"
            ),
            p,
        ).one()
        provider = one(
            "SELECT provider_id FROM bookings WHERE tenant_id = :t AND provider_id IS NOT NULL "
            "GROUP BY provider_id ORDER BY count(*) DESC LIMIT 1"
        )
        # Same conditions as list_bookings (the search also matches reference and name).
        search = (
            "(lower(reference) LIKE :like OR lower(contact_name) LIKE :like "
            "OR contact_phone LIKE :raw)"
        )
        like = {"like": f"%{phone.lower()}%", "raw": f"%{phone}%"}
        fixture = Fixture(
            booking_id=str(booking),
            customer_id=str(customer),
            provider_id=str(provider),
            total=one("SELECT count(*) FROM bookings WHERE tenant_id = :t"),
            status_total=one("SELECT count(*) FROM bookings WHERE tenant_id = :t AND status = :s"),
            phone=phone,
            phone_status_total=one(
                f"SELECT count(*) FROM bookings WHERE tenant_id = :t AND status = :s AND {search}",
                **like,
            ),
            phone_total=one(
                f"SELECT count(*) FROM bookings WHERE tenant_id = :t AND {search}", **like
            ),
        )
    engine.dispose()
    return fixture, statuses


def _summary(total: int) -> str:
    """The bookings page's summary line for page one of `total` matches."""
    if total == 0:
        return "No bookings match"
    return f"1–{min(PAGE_SIZE, total)} of {total:,} bookings"


# --- the app ------------------------------------------------------------------------------------


def _free_port() -> int:
    for port in range(4300, 4400):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port between 4300 and 4400")


@contextmanager
def _app(url: str, result: Result, *, keep_log: bool) -> Iterator[str]:
    """Build and start the app from this checkout on `url`; stop its process group after."""
    port = _free_port()
    tools = ROOT / ".tools"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ROADSIDE_ENV": "development",
        "ROADSIDE_DEMO_PASSWORD": PASSWORD,
        "EMBEDDED_WORKER": "false",
        "LOG_LEVEL": "WARNING",
        "REFLEX_PERF_MODE": "warn",
        "REFLEX_STATE_SIZE_LIMIT": str(STATE_LIMIT_KB),
        "PATH": f"{tools / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "BUN_INSTALL_CACHE_DIR": str(tools / "bun-cache"),
    }
    env.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org")
    log_fd, log_name = tempfile.mkstemp(prefix="console_load-", suffix=".log")
    log_path = Path(log_name)
    print(f"building and starting the app on port {port} (log {log_path})", flush=True)
    started = time.perf_counter()
    with os.fdopen(log_fd, "w") as log:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "reflex"),
                "run",
                "--env",
                "prod",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the app exited while starting:\n{log_path.read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{base_url}/ping", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        result.build_seconds = time.perf_counter() - started
        print(f"app up after {result.build_seconds:.0f} s", flush=True)
        yield base_url
    finally:
        _stop(process)
        log_text = log_path.read_text(errors="replace")
        result.perf_warnings = sorted(
            {line.strip() for line in log_text.splitlines() if "serializes to" in line}
        )
        if keep_log:
            print(f"app log kept at {log_path}")
        else:
            log_path.unlink(missing_ok=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- the browser --------------------------------------------------------------------------------


def _drive(base_url: str, result: Result, repeats: int) -> None:
    from playwright.sync_api import sync_playwright

    fx = result.fixture
    assert fx is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(WAIT_MS)
        page, _ = _tab(context)
        page.goto(f"{base_url}/login")
        page.fill("#email", ADMIN_EMAIL)
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_function(JS_DASHBOARD, polling="raf")
        page.close()

        timings: dict[str, list[float]] = {key: [] for key, _, _ in MEASURES}
        deltas: dict[str, list[float]] = {key: [] for key, _, _ in MEASURES}
        sends: dict[str, list[float]] = {key: [] for key, _, _ in MEASURES}

        def record(key: str, started: float, frames: Frames) -> None:
            done = time.perf_counter()
            if key:
                last = frames.last_before(done)
                sent = frames.first_sent_after(started)
                timings[key].append(done - started)
                deltas[key].append(last - started if last > started else float("nan"))
                sends[key].append(sent - started if sent else float("nan"))

        def time_tab(path: str, ready: str, key: str = "", first: str = "") -> Frames:
            """Open `path` in a new tab; with `first`, also time JS_KPIS on the way."""
            tab, tab_frames = _tab(context)
            started = time.perf_counter()
            tab.goto(base_url + path, wait_until="commit")
            if first:
                tab.wait_for_function(JS_KPIS, polling="raf")
                record(first, started, tab_frames)
            tab.wait_for_function(ready, polling="raf")
            record(key, started, tab_frames)
            _settle(tab_frames)
            tab.close()
            return tab_frames

        def time_click(key: str, target: Any, tab: Any, frames: Frames, expected: str) -> None:
            started = time.perf_counter()
            target.click()
            tab.wait_for_function(JS_SUMMARY_IS, arg=expected, polling="raf")
            record(key, started, frames)
            _settle(frames)

        # Warm-up: the browser caches the built assets, the app its pools and plans.
        for _ in range(2):
            time_tab("/admin/bookings", JS_FIRST_ROW)
            time_tab("/admin", JS_DASHBOARD)

        largest: dict[str, list[int]] = {"dashboard": [], "bookings": []}
        for run in range(repeats):
            print(f"  round {run + 1} of {repeats}", flush=True)
            largest["dashboard"] += time_tab(
                "/admin", JS_DASHBOARD, "dashboard_load", first="dashboard_kpis"
            ).sizes
            largest["bookings"] += time_tab("/admin/bookings", JS_FIRST_ROW, "bookings_load").sizes

            # One tab: the dashboard, then the sidebar link, then the filters.
            tab, tab_frames, link = _page_and_link(
                context, base_url + "/admin", JS_DASHBOARD, "Bookings"
            )
            time_click("bookings_nav", link, tab, tab_frames, _summary(fx.total))

            tab.get_by_role("combobox", name="Status").click()
            option = tab.get_by_role("option", name=FILTER_STATUS.capitalize(), exact=True)
            option.wait_for()
            time_click("filter_status", option, tab, tab_frames, _summary(fx.status_total))

            tab.get_by_label("Search bookings").fill(fx.phone)
            button = tab.get_by_role("button", name="Search")
            time_click("filter_search", button, tab, tab_frames, _summary(fx.phone_status_total))
            largest["bookings"] += tab_frames.sizes
            tab.close()

            # A tab that starts on the bookings page, then the sidebar link to the dashboard.
            tab, tab_frames, link = _page_and_link(
                context, base_url + "/admin/bookings", JS_FIRST_ROW, "Dashboard"
            )
            before = len(tab_frames.sizes)
            started = time.perf_counter()
            link.click()
            tab.wait_for_function(JS_DASHBOARD, polling="raf")
            record("dashboard_nav", started, tab_frames)
            _settle(tab_frames)
            largest["dashboard"] += tab_frames.sizes[before:]
            tab.close()

        result.deltas = deltas
        result.sends = sends
        result.timings = timings
        for name, sizes in largest.items():
            result.frames[name] = (max(sizes, default=0), sum(sizes), len(sizes))

        for template, name in PAGES:
            path = template.format(
                booking=fx.booking_id, provider=fx.provider_id, customer=fx.customer_id
            )
            sizes = time_tab(path, JS_TITLE).sizes
            result.frames[name] = (max(sizes, default=0), sum(sizes), len(sizes))
            print(f"  {name}: largest frame {max(sizes, default=0):,} B", flush=True)
        context.close()
        browser.close()


def _page_and_link(context: Any, url: str, ready_js: str, link_name: str) -> tuple[Any, Any, Any]:
    """Open `url` in a new tab, wait until it is ready and settled, and find a sidebar link."""
    tab, frames = _tab(context)
    tab.goto(url)
    tab.wait_for_function(ready_js, polling="raf")
    _settle(frames)
    nav = tab.get_by_role("navigation", name="Console sections")
    return tab, frames, nav.get_by_role("link", name=link_name, exact=True)


def _tab(context: Any) -> tuple[Any, Frames]:
    page = context.new_page()
    frames = Frames()

    def watch(ws: Any) -> None:
        ws.on("framereceived", frames.on_frame)
        ws.on("framesent", frames.on_sent)

    page.on("websocket", watch)
    return page, frames


def _settle(frames: Frames, quiet_s: float = 1.5, cap_s: float = 20.0) -> None:
    """Wait for the first state delta, then until no frame has come for `quiet_s` (at most
    `cap_s`), so late deltas count. The built pages are prerendered, so their static parts show
    before the websocket even connects."""
    deadline = time.perf_counter() + cap_s
    while time.perf_counter() < deadline:
        if frames.events and time.perf_counter() - frames.last_at >= quiet_s:
            return
        time.sleep(0.05)


# --- report -------------------------------------------------------------------------------------

MEASURES = [
    ("bookings_load", "bookings page, full load in a new tab → first row visible", "bookings"),
    ("bookings_nav", "bookings page from the sidebar link → first row visible", "bookings"),
    ("filter_status", f"status filter → {FILTER_STATUS} rows shown", "filter"),
    ("filter_search", "phone search (with the status filter) → matching rows shown", "filter"),
    ("dashboard_kpis", "dashboard, full load in a new tab → the four KPIs shown", None),
    (
        "dashboard_load",
        "dashboard, full load in a new tab → KPIs and both charts drawn",
        "dashboard",
    ),
    (
        "dashboard_nav",
        "dashboard from the sidebar link → KPIs and both charts drawn",
        "dashboard",
    ),
]


@dataclass(frozen=True)
class Verdict:
    """One row of the timings table."""

    label: str
    median: float
    top: float
    sent: float  # median time until the first event went out
    last_in: float  # median time until the last frame before the check passed came in
    target: str
    met: bool | None  # None: a step on the way, no target of its own


def _median(values: list[float]) -> float:
    known = [v for v in values if v == v]  # drop NaN
    return statistics.median(known) if known else float("nan")


def _verdicts(result: Result) -> list[Verdict]:
    rows = []
    for key, label, target in MEASURES:
        values = result.timings.get(key) or [float("nan")]
        median = _median(values)
        limit = TARGETS_S[target] if target else None
        rows.append(
            Verdict(
                label=label,
                median=median,
                top=max(values),
                sent=_median(result.sends.get(key, [])),
                last_in=_median(result.deltas.get(key, [])),
                target=f"< {limit:g} s" if limit else "—",
                met=None if limit is None else median < limit,
            )
        )
    return rows


def _render(
    result: Result, args: argparse.Namespace, argv: list[str], machine: dict[str, str]
) -> str:
    fx = result.fixture
    assert fx is not None
    status_line = ", ".join(f"{status} {count:,}" for status, count in result.statuses.items())
    lines = [
        START,
        f"### Console on {fx.total:,} bookings (PostgreSQL, {datetime.now(UTC):%Y-%m-%d})",
        "",
        "```",
        " ".join(["python -m bench.console_load", *argv]) if argv else "python -m bench",
        "```",
        "",
        f"The demo operator with {fx.total:,} bookings (bulk generator, seed {args.seed}; "
        f"{status_line}), `VACUUM ANALYZE` after loading. The app is built and served by "
        "`reflex run --env prod` on one port, embedded worker off, `REFLEX_PERF_MODE=warn` with "
        f"`REFLEX_STATE_SIZE_LIMIT={STATE_LIMIT_KB}`; headless Chromium, 1280×900, signed in as "
        f"the demo admin. Each timing is wall time in the driving process from the action (a "
        f"`goto` in a new tab, or the click) until an in-page check polled on every animation "
        f"frame passes; two warm-up rounds first (assets cached), then {args.repeats} timed "
        f'rounds. "First event sent" is when the browser sent the first event after the '
        f"action (for a load: the hydrate event, once the page's scripts ran and the websocket "
        f'opened); "last state delta in" is when the last websocket frame before the check '
        f"passed arrived. The server's part lies between the two, the rest is the browser. "
        f"The status filter shows {_summary(fx.status_total)!r}; the search for the "
        f"busiest customer's phone ({fx.phone}) with it shows {_summary(fx.phone_status_total)!r}.",
        "",
        "| measure | median | max | first event sent (median) | last state delta in (median) "
        "| target | met? |",
        "|---|---|---|---|---|---|---|",
    ]
    ms = lambda seconds: f"{seconds * 1000:,.0f} ms" if seconds == seconds else "—"  # noqa: E731
    for v in _verdicts(result):
        met = "—" if v.met is None else ("yes" if v.met else "**no**")
        lines.append(
            f"| {v.label} | **{ms(v.median)}** | {ms(v.top)} | {ms(v.sent)} | {ms(v.last_in)} "
            f"| {v.target} | {met} |"
        )
    largest = max(size for size, _, _ in result.frames.values())
    lines += [
        "",
        "Largest websocket frame received per page (the state deltas the server sends; the "
        "bookings row covers its loads, the sidebar navigation and both filters):",
        "",
        "| page | largest frame | frames / bytes in the visit | under 200 KB? |",
        "|---|---|---|---|",
    ]
    for name, (size, total, count) in sorted(result.frames.items(), key=lambda kv: -kv[1][0]):
        ok = size < STATE_LIMIT_KB * 1024
        lines.append(
            f"| {name} | {size / 1024:,.1f} KB | {count} / {total / 1024:,.1f} KB | "
            f"{'yes' if ok else '**no**'} |"
        )
    lines += [
        "",
        f"Largest frame on any page: {largest / 1024:,.1f} KB (target 200 KB). Reflex state-size "
        "warnings in the app log: "
        + ("; ".join(result.perf_warnings) if result.perf_warnings else "none")
        + ".",
        "",
        f"Seeding: bulk generator {result.seed_seconds:.0f} s; build and start of the app "
        f"{result.build_seconds:.0f} s. Load average (1 min) before / after the timed part: "
        f"{result.load_before:.2f} / {result.load_after:.2f} (a shared 2-core box).",
        "",
        "Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()) + ".",
        END,
    ]
    return "\n".join(lines)


def _machine() -> dict[str, str]:
    engine = sa.create_engine(ADMIN_URL)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version")).scalar_one()
    engine.dispose()
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {**host_facts(), "PostgreSQL": f"{version} (local)", "browser": chromium or "Chromium"}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
