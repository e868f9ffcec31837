"""Console journeys on the shared demo app: storm pricing, what a provider may open, the main screens.

Storm mode is switched off again before the journey ends (and, should it fail half-way, by the
fixture), so the journeys after it price with the seeded time blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, create_engine, select

from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.service import actor_for
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.pricing.service import deactivate_storm_mode
from roadside_console.domain.seed.catalog import TIME_BLOCKS
from roadside_console.domain.seed.demo import DEMO_TENANT_SLUG
from roadside_console.domain.tenants.models import Tenant
from tests.e2e.conftest import DEMO_PASSWORD, assert_no_sideways_scroll, screenshot

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ADMIN = "admin@roadsideatl.com"
STORM = "Ice Storm"
STORM_BP = next(bp for name, _, _, bp, _, _ in TIME_BLOCKS if name == STORM)  # 15000: ×1.50


def _sign_in(page: Page, base_url: str, email: str, title: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#page-title")).to_have_text(title)


def _cents(money: str) -> int:
    """Read an amount as cents: "$1,187.50" is 118750."""
    match = re.fullmatch(r"\s*(-?)\$([\d,]+)\.(\d\d)\s*", money)
    assert match, f"not an amount: {money!r}"
    sign, dollars, cents = match.groups()
    value = int(dollars.replace(",", "")) * 100 + int(cents)
    return -value if sign else value


def _times(cents: int, bp: int) -> int:
    """Multiply by basis points with half-up rounding, like the pricing rules."""
    return (cents * bp + 5000) // 10000


def _open(page: Page, base_url: str, path: str, title: str) -> None:
    page.goto(f"{base_url}{path}")
    expect(page.locator("#page-title")).to_have_text(title)


def _tall_screenshot(page: Page, name: str) -> None:
    """Screenshot the whole page at desktop width (up to 1800 px tall), sidebar included."""
    page.evaluate("window.scrollTo(0, 0)")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": DESKTOP["width"], "height": min(max(height, 900), 1800)})
    screenshot(page, name)
    page.set_viewport_size(DESKTOP)


@pytest.fixture()
def desk(browser) -> Iterator[Page]:
    page = browser.new_page(viewport=DESKTOP)
    yield page
    page.close()


@pytest.fixture()
def storm_off_afterwards(app_env: dict[str, str]) -> Iterator[None]:
    """Whatever happens in the journey, leave the demo workspace with storm mode off."""
    yield
    engine = create_engine(app_env["DATABASE_URL"])
    with Session(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == DEMO_TENANT_SLUG)).one()
        still_on = session.exec(
            select(TimeBlock).where(
                TimeBlock.tenant_id == tenant.id,
                TimeBlock.active == True,  # noqa: E712
                col(TimeBlock.priority) >= 100,
            )
        ).first()
        admin = session.exec(select(User).where(User.email == ADMIN)).one()
        actor = actor_for(admin)
    if still_on is not None:
        with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
            deactivate_storm_mode(uow, actor=actor, reason="Browser journey cleanup")
            uow.commit()
    engine.dispose()


def _calculate(page: Page, expected_cents: int | None = None) -> int:
    """Press Calculate; wait for the expected total (or any, the first time) and return it."""
    page.click("#calc-go")
    total = page.locator("#calc-total")
    if expected_cents is None:
        expect(total).to_have_text(re.compile(r"^\$[\d,]+\.\d\d$"))
    else:
        expect(total).to_have_text(format_cents(expected_cents))
    return _cents(total.inner_text())


def test_storm_mode_raises_the_quoted_price_by_the_templates_multiplier(
    desk: Page, base_url, storm_off_afterwards
):
    page = desk
    # given the admin on the pricing desk with storm mode off
    _sign_in(page, base_url, ADMIN, "Dashboard")
    _open(page, base_url, "/admin/pricing", "Pricing")
    expect(page.locator("#storm-status")).to_have_text("Storm mode is off.")
    # when she prices a jump start for tomorrow at 10:30 in the calculator
    tomorrow = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=1)
    page.click("#calc-service")
    page.get_by_role("option", name="Jump Start", exact=True).click()
    page.fill("#calc-when", f"{tomorrow.isoformat()}T10:30")
    calm = _calculate(page)
    expect(page.locator("#calc-result")).not_to_contain_text(STORM)

    # and asks to switch on the Ice Storm template
    page.click("#storm-template")
    page.get_by_role("option", name=re.compile(rf"^{STORM} ×")).click()
    page.fill("#storm-reason", "Ice on I-285")
    page.click("#storm-on")
    # then a confirmation shows every service's price now and after, before anything changes
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Switch on {STORM} ×1.50?")
    row = page.locator("#storm-changes tbody tr").filter(has_text="Jump Start")
    expect(row).to_have_count(1)
    now_cell, after_cell, change_cell = (row.locator("td").nth(i) for i in (1, 2, 3))
    before, after = _cents(now_cell.inner_text()), _cents(after_cell.inner_text())
    assert after == _times(before, STORM_BP)
    expect(change_cell).to_have_text(f"+${(after - before) / 100:,.2f}")
    expect(page.locator("#storm-changes tbody tr")).to_have_count(8)  # the whole catalog
    page.mouse.move(0, 0)
    screenshot(page, "admin-pricing")

    # when she confirms
    page.click("#confirm-storm")
    expect(dialog).to_have_count(0)
    expect(page.locator("#notice")).to_contain_text(f"Storm mode on: {STORM}.")
    expect(page.locator("#storm-status")).to_contain_text(f"Storm mode is on: {STORM}")
    # then the same quote costs the template's multiplier more, and says why
    _calculate(page, _times(calm, STORM_BP))
    expect(page.locator("#calc-result")).to_contain_text(f"{STORM} ×1.50")

    # when she switches it off again (with a reason, after the same kind of confirmation)
    page.fill("#storm-reason", "Roads are clear")
    page.click("#storm-off")
    expect(dialog).to_contain_text("Switch storm mode off?")
    page.click("#confirm-storm")
    expect(page.locator("#storm-status")).to_have_text("Storm mode is off.")
    # then the quote is back to the calm price
    _calculate(page, calm)

    # and the audit log has both switches, newest first, with their reasons
    _open(page, base_url, "/admin/audit", "Audit log")
    rows = page.locator("#audit-table tbody tr")
    expect(rows.nth(0)).to_contain_text("storm_mode_deactivated")
    expect(rows.nth(0)).to_contain_text("Roads are clear")
    expect(rows.nth(1)).to_contain_text("storm_mode_activated")
    expect(rows.nth(1)).to_contain_text("Ice on I-285")
    _tall_screenshot(page, "admin-audit")


def test_a_provider_on_a_phone_is_shown_the_403_page_for_admin_pages(browser, base_url):
    # given Darius signed in on a 390×844 phone
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    _sign_in(page, base_url, "darius@roadsideatl.com", "My jobs")
    for path in ("/admin", "/admin/bookings", "/admin/payouts"):
        # when he opens an admin page by its address
        page.goto(f"{base_url}{path}")
        # then he sees the 403 page, and none of the console
        expect(page).to_have_url(re.compile(r"/forbidden$"))
        expect(page.locator("#page-title")).to_have_text("403 — not for your role")
        expect(page.get_by_text("this page belongs to another part of the console")).to_be_visible()
        expect(page.get_by_role("navigation", name="Console sections")).to_have_count(0)
        expect(page.locator("#bookings-table, #owed-table, #kpi-bookings-today")).to_have_count(0)
    # and the way out takes him back to his jobs
    page.get_by_role("link", name="Go to my home page").click()
    expect(page.locator("#page-title")).to_have_text("My jobs")
    expect(page).to_have_url(re.compile(r"/provider/jobs$"))
    context.close()


def test_a_provider_on_a_phone_sees_their_earnings(browser, base_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    _sign_in(page, base_url, "darius@roadsideatl.com", "My jobs")
    page.get_by_role("link", name="Earnings").click()
    expect(page.locator("#page-title")).to_have_text("Earnings")
    earnings = page.locator("#provider-earnings")
    expect(earnings).to_contain_text("This week")
    expect(earnings).to_contain_text("History")
    expect(earnings).to_contain_text(re.compile(r"RS-[A-Z0-9]{6}"))
    expect(earnings).to_contain_text("Paid")  # last week's payout batch
    assert_no_sideways_scroll(page, PHONE["width"])
    screenshot(page, "provider-earnings")
    context.close()


def test_finance_finds_last_weeks_batch_in_the_history_and_downloads_its_csv_again(
    desk: Page, base_url
):
    # given Victor from finance on the payouts page
    page = desk
    _sign_in(page, base_url, "finance@roadsideatl.com", "Dashboard")
    _open(page, base_url, "/admin/payouts", "Payouts")
    # then last week's batch is listed with who ran it, how many were paid and the total
    history = page.locator("#history-table tbody tr")
    expect(history.first).to_be_visible()
    row = history.filter(has_text="Victor Chen").first
    expect(row).to_contain_text(re.compile(r"\$[\d,]+\.\d\d"))
    # when he downloads its transfer file again
    with page.expect_download() as download:
        row.get_by_role("button", name=re.compile("Download the CSV")).click()
    # then it is the bank file of that batch
    assert re.fullmatch(r"payout-batch-[0-9a-f]{8}\.csv", download.value.suggested_filename)
    page.locator("#batch-history").scroll_into_view_if_needed()
    _tall_screenshot(page, "admin-payouts-history")


def test_an_admin_issues_a_fleet_key_sees_it_once_and_revokes_it(desk: Page, base_url):
    # given the admin on the B2B accounts list
    page = desk
    _sign_in(page, base_url, ADMIN, "Dashboard")
    _open(page, base_url, "/admin/b2b", "B2B accounts")
    # when they open the demo fleet
    page.get_by_role("link", name="Peachtree Fleet Services").click()
    expect(page.locator("#page-title")).to_have_text("Peachtree Fleet Services")
    # then its contract terms are in words
    expect(page.locator("#contracts")).to_contain_text("10 % off list prices")
    expect(page.locator("#contracts")).to_contain_text("Towing $110.00")
    # when they issue a key, it is shown this once
    page.click("#new-key")
    page.get_by_label("Key name").fill("Fleet dispatch system")
    page.click("#key-create")
    expect(page.locator("#new-key-value")).to_have_text(re.compile(r"^\w+_.{8}_.{20,}$"))
    page.click("#key-done")
    expect(page.locator("#new-key-value")).to_have_count(0)
    row = page.locator("#keys-table tbody tr").filter(has_text="Fleet dispatch system")
    expect(row).to_have_count(1)
    _tall_screenshot(page, "admin-b2b-account")
    # and revoking asks first, then marks it revoked
    row.get_by_role("button", name="Revoke the key Fleet dispatch system").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("cannot be undone")
    page.click("#revoke-confirm")
    expect(page.locator("#notice")).to_contain_text("is revoked")
    expect(row).to_contain_text("Revoked")


SCREENS = [
    # path, title, what shows once loaded, screenshot
    ("/admin/reports", "Reports", "#chart-by-method .js-plotly-plot", "admin-reports"),
    ("/admin/providers", "Providers", "#providers-table", "admin-providers"),
    ("/admin/customers", "Customers", "#customers-table", "admin-customers"),
    ("/admin/dispatch", "Dispatch", "#dispatch-map .js-plotly-plot", "admin-dispatch"),
]


def test_the_admin_screens_show_the_demo_data(desk: Page, base_url):
    page = desk
    _sign_in(page, base_url, ADMIN, "Dashboard")
    for path, title, loaded, name in SCREENS:
        _open(page, base_url, path, title)
        expect(page.locator(loaded).first).to_be_visible(timeout=30_000)
        if name == "admin-reports":
            expect(page.locator("#kpi-payments")).to_have_text(re.compile(r"^[1-9]\d*$"))
            expect(page.locator("#chart-by-day .barlayer .point").first).to_be_attached()
        elif name == "admin-providers":
            expect(page.locator("#providers-table tbody tr")).to_have_count(5)
            expect(page.locator("#providers-summary")).to_have_text("1–5 of 5 providers")
        elif name == "admin-customers":
            expect(page.locator("#customers-table tbody tr")).to_have_count(12)
        elif name == "admin-dispatch":
            expect(page.locator("#open-count")).to_have_text("6 open bookings")
            expect(page.locator("#board-bookings tbody tr")).to_have_count(6)
            expect(page.locator("#dispatch-map .scatterlayer .point").first).to_be_attached()
        _tall_screenshot(page, name)


def test_pages_load_without_a_redirect_and_their_hashed_scripts_are_cached_for_good(base_url):
    # when a new tab asks for the dashboard and the bookings page
    dashboard = httpx.get(f"{base_url}/admin", follow_redirects=False)
    bookings = httpx.get(f"{base_url}/admin/bookings", follow_redirects=False)
    # then each page comes at once, and is asked for again on the next load
    assert dashboard.status_code == bookings.status_code == 200
    assert "Dashboard" in dashboard.text and "Bookings" in bookings.text
    assert dashboard.headers["cache-control"] == "no-cache"
    # while the scripts it imports, whose names change with their content, are kept
    scripts = re.findall(r'"(/assets/[^"]+\.js)"', dashboard.text)
    assert len(scripts) > 10
    for script in (scripts[0], scripts[-1]):
        answer = httpx.get(base_url + script)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_the_dashboard_in_dark_mode(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="dark")
    page = context.new_page()
    _sign_in(page, base_url, ADMIN, "Dashboard")
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    expect(page.locator("#kpi-active-jobs")).to_have_text("6")
    for chart in ("#chart-bookings", "#chart-revenue"):
        expect(page.locator(f"{chart} .recharts-bar-rectangle").first).to_be_attached()
    screenshot(page, "admin-dashboard-dark")
    context.close()
