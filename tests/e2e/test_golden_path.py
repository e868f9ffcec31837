"""The golden path on the real app: phone booking → offer → provider on a phone → paid → paid out.

It runs on its own freshly seeded database and app (so the other journeys keep the demo's
numbers): a dispatcher books for a caller, the worker offers the job, the provider accepts and
completes it on a 390×844 phone, finance records and confirms the cash, runs the payout batch
and finds the provider's payout in it.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update
from sqlmodel import Session, create_engine, select

from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.seed.catalog import PROVIDERS
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG
from roadside_console.domain.tenants.models import Tenant, TenantSettings
from tests.e2e.conftest import DEMO_PASSWORD, ROOT, STARTUP_TIMEOUT_S, _free_port, _stop, screenshot

PROVIDER_EMAILS = {name: email for email, name, *_ in PROVIDERS}
DESKTOP = {"width": 1280, "height": 900}
CALLER_PHONE = "(404) 555-0177"
# Signing in on a second device takes a few seconds; a generous offer window keeps a slow CI
# machine from losing the offer to the expiry sweep half-way through the journey.
OFFER_TIMEOUT_S = 600


def _run(env: dict[str, str], *args: str) -> None:
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, *args], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def golden_env(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The app's environment with its own freshly migrated and seeded database."""
    db = tmp_path_factory.mktemp("golden") / "golden.db"
    env = {**app_env, "DATABASE_URL": f"sqlite:///{db}"}
    _run(env, "-m", "alembic", "upgrade", "head")
    _run(env, "-m", "roadside_console.domain.seed")
    engine = create_engine(env["DATABASE_URL"])
    with Session(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == DEMO_TENANT_SLUG)).one()
        session.execute(
            update(TenantSettings)
            .where(TenantSettings.tenant_id == tenant.id)  # type: ignore[arg-type]
            .values(offer_timeout_seconds=OFFER_TIMEOUT_S)
        )
        session.commit()
    engine.dispose()
    return env


@pytest.fixture(scope="module")
def golden_url(
    golden_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Start the built app on that database; stop its process group after this module."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("golden-log") / "app.log"
    reflex = str(ROOT / ".venv" / "bin" / "reflex")
    command = [
        reflex,
        "run",
        "--env",
        "prod",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=golden_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, url, log_path)
        yield url
    finally:
        _stop(process)


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if process.poll() is not None:
            pytest.fail(f"the app exited while starting:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the app did not start in time:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.5)


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#page-title")).not_to_have_text("Sign in")


def _full_page_screenshot(page: Page, name: str) -> None:
    """Show the whole page: no focus ring, scrolled to the top, tall enough for every section."""
    page.locator("#page-title").click()
    page.evaluate("window.scrollTo(0, 0)")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": DESKTOP["width"], "height": min(max(height, 900), 1800)})
    screenshot(page, name)
    page.set_viewport_size(DESKTOP)


def _choose(page: Page, trigger: str, option: str) -> None:
    page.locator(trigger).click()
    page.get_by_role("option", name=re.compile(f"^{re.escape(option)}")).click()


def _book_by_phone(page: Page, base_url: str) -> str:
    """Take a jump-start call at Centennial Olympic Park; return the booking's URL."""
    page.goto(f"{base_url}/admin/bookings")
    page.get_by_role("link", name="New phone booking").click()
    expect(page.locator("#page-title")).to_have_text("New phone booking")
    # submitting an empty form names what is missing, inline
    page.click("#create-booking")
    expect(page.locator("#form-error")).to_have_text("Some fields need attention.")
    expect(page.get_by_text("Enter the caller's phone number.")).to_be_visible()
    page.get_by_label("Phone", exact=True).fill(CALLER_PHONE)
    page.get_by_label("Name", exact=True).fill("Renee Alvarez")  # leaving the phone looks it up
    expect(page.locator("#caller-match")).to_contain_text("booking as a guest")
    _choose(page, "#f-service", "Jump Start")
    _choose(page, "#f-place", "265 Park Ave W NW")
    expect(page.get_by_label("Latitude")).to_have_value("33.7628")
    page.get_by_label("Make").fill("Honda")
    page.get_by_label("Model").fill("Civic")
    page.get_by_label("Color").fill("Blue")
    expect(page.locator("#preview-total")).to_have_text(re.compile(r"^\$\d+\.\d\d$"))
    expect(page.locator("#price-preview")).to_contain_text("Jump Start")
    # once every field is fine, the form-level message goes away by itself
    expect(page.locator("#form-error")).to_have_count(0)
    _full_page_screenshot(page, "admin-phone-booking")
    page.click("#create-booking")
    expect(page.locator("#page-title")).to_have_text(re.compile(r"^Booking RS-[A-Z0-9]{6}$"))
    return page.url


def test_a_phone_booking_is_offered_done_on_a_phone_paid_in_cash_and_paid_out(
    browser, golden_url, golden_env
):
    # given a dispatcher at a desk
    desk = browser.new_page(viewport=DESKTOP)
    _sign_in(desk, golden_url, "dispatch@roadsideatl.com")
    # when she books a caller's jump start by phone
    booking_url = _book_by_phone(desk, golden_url)
    booking_id = uuid.UUID(booking_url.rstrip("/").rsplit("/", 1)[-1])
    reference = desk.locator("#page-title").inner_text().strip().removeprefix("Booking ")
    # then the worker offers it within seconds, and the page says to whom and why
    offer = desk.locator("#open-offer")
    expect(offer).to_contain_text("Offered to", timeout=30_000)
    provider_name = offer.locator("strong").inner_text()
    log = desk.locator("#dispatch-log")
    expect(log).to_contain_text(f"Offered to {provider_name}")
    expect(log).to_contain_text("Why:")
    expect(log.locator("tbody tr").first).to_contain_text(provider_name)
    expect(desk.locator("#timeline")).to_contain_text("Offered to a provider")
    _full_page_screenshot(desk, "admin-booking-detail")

    # when that provider opens the portal on a 390×844 phone
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    _sign_in(phone, golden_url, PROVIDER_EMAILS[provider_name])
    card = phone.locator(".offer-card").filter(has_text=reference)
    # then the offer shows with a live countdown
    expect(card).to_be_visible(timeout=15_000)
    expect(card).to_contain_text("Jump Start")
    expect(card.get_by_role("timer")).to_have_text(re.compile(r"^\d+:\d\d$"))
    screenshot(phone, "provider-offer-mobile")
    # when they accept, the job starts with navigation to the spot and the caller's number
    card.get_by_role("button", name="Accept").click()
    expect(phone.locator("#portal-notice")).to_contain_text("Job accepted")
    job = phone.locator(".job-card").filter(has_text=reference)
    expect(job).to_contain_text("In progress")
    expect(job.get_by_role("link", name="Navigate")).to_have_attribute(
        "href", "https://www.google.com/maps/dir/?api=1&destination=33.762800,-84.392700"
    )
    expect(job.get_by_role("link", name="Call")).to_have_attribute("href", "tel:+14045550177")
    # and when the job is done they complete it (after confirming)
    job.get_by_role("button", name="Complete job").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Complete").click()
    expect(phone.locator("#portal-notice")).to_contain_text("Job completed")
    expect(job).to_have_count(0)
    context.close()

    # when finance records the cash on the booking and confirms it on the payments desk
    money = browser.new_page(viewport=DESKTOP)
    _sign_in(money, golden_url, "finance@roadsideatl.com")
    money.goto(booking_url)
    expect(money.locator("#page-title")).to_have_text(f"Booking {reference}")
    expect(money.get_by_text("Completed", exact=True)).to_be_visible()
    money.get_by_label("Reference", exact=True).fill("Receipt 1042")
    money.click("#record-payment")
    expect(money.locator("#notice")).to_contain_text("Payment recorded")
    expect(money.locator("#payments-table")).to_contain_text("Pending")
    money.goto(f"{golden_url}/admin/payments")
    row = money.locator("#payments-table tbody tr").filter(has_text=reference)
    expect(row).to_contain_text("Receipt 1042")
    row.get_by_role("button", name="Confirm").click()
    money.get_by_role("alertdialog").get_by_role("button", name="Confirm payment").click()
    expect(money.locator("#notice")).to_contain_text("Confirmed")
    expect(money.locator("#payments-table tbody tr").filter(has_text=reference)).to_have_count(0)

    # then the provider is owed for it, and the batch pays them
    money.goto(f"{golden_url}/admin/payouts")
    expect(money.locator("#owed-table")).to_contain_text(provider_name)
    money.click("#run-batch")
    money.get_by_role("alertdialog").get_by_role("button", name="Run batch").click()
    expect(money.locator("#batch-progress")).to_contain_text("Paid", timeout=20_000)
    batch_row = money.locator("#batch-table tbody tr").filter(has_text=provider_name)
    expect(batch_row).to_have_count(1)
    screenshot(money, "admin-payouts")
    with money.expect_download() as download:
        money.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    paid = {r["provider_email"]: r for r in rows}
    assert PROVIDER_EMAILS[provider_name] in paid

    # and the database agrees: this job's earning is paid in that batch
    engine = create_engine(golden_env["DATABASE_URL"])
    with Session(engine) as session:
        earning = session.exec(
            select(ProviderPayout).where(
                ProviderPayout.booking_id == booking_id, ProviderPayout.kind == PayoutKind.EARNING
            )
        ).one()
    engine.dispose()
    assert earning.status is PayoutStatus.PAID
    assert earning.batch_id is not None
    assert paid[PROVIDER_EMAILS[provider_name]]["reference"].startswith(
        f"RS-{earning.batch_id.hex[:8].upper()}-"
    )
    money.close()
    desk.close()
