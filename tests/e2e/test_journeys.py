"""What people see first: signing in, the dashboard's real numbers, the provider's phone view."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from roadside_console.domain.core.money import format_cents
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.service import actor_for
from roadside_console.domain.reports.dashboard import dashboard_kpis
from tests.e2e.conftest import DEMO_PASSWORD, assert_no_sideways_scroll, screenshot


def _sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")


def _expected_kpis(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    with Session(engine) as session:
        admin = session.exec(select(User).where(User.email == "admin@roadsideatl.com")).one()
        actor = actor_for(admin)
    with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
        kpis = dashboard_kpis(uow, actor=actor)
    engine.dispose()
    return [
        str(kpis.bookings_today),
        str(kpis.active_jobs),
        format_cents(kpis.revenue_month_cents),
        str(kpis.providers_online),
    ]


def test_the_admin_signs_in_and_sees_the_dashboard_numbers_from_the_database(
    browser, base_url, app_env
):
    # given a visitor who is not signed in
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{base_url}/admin")
    # then the console sends them to the login page first
    expect(page).to_have_url(re.compile(r"/login"))
    # when the demo admin signs in
    page.fill("#email", "admin@roadsideatl.com")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    # then the dashboard shows the database's numbers
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    expected = _expected_kpis(app_env["DATABASE_URL"])
    ids = ["#kpi-bookings-today", "#kpi-active-jobs", "#kpi-revenue-month", "#kpi-providers-online"]
    for selector, value in zip(ids, expected, strict=True):
        expect(page.locator(selector)).to_have_text(value)
    assert expected[1] == "6"  # the demo's six open bookings
    # and both 30-day charts draw their bars (they mount once the series arrive)
    for chart in ("#chart-bookings", "#chart-revenue"):
        expect(page.locator(f"{chart} .recharts-bar-rectangle").first).to_be_attached()
    screenshot(page, "admin-dashboard")
    page.close()


def test_a_wrong_password_shows_one_generic_message(browser, base_url):
    page = browser.new_page()
    _sign_in(page, base_url, "admin@roadsideatl.com", "not the password")
    expect(page.locator("#login-error")).to_have_text("Invalid email or password.")
    expect(page).to_have_url(re.compile(r"/login"))
    screenshot(page, "login-error")
    page.close()


def test_a_provider_on_a_phone_sees_their_open_job_and_cannot_open_admin_pages(browser, base_url):
    # given Darius, whose tow is in progress, on a 390×844 phone
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    # when he signs in
    _sign_in(page, base_url, "darius@roadsideatl.com")
    # then he lands on his jobs with navigate and call buttons
    expect(page.locator("#page-title")).to_have_text("My jobs")
    job = page.locator(".job-card").first
    expect(job).to_contain_text("Towing")
    expect(job).to_contain_text("In progress")
    expect(job.get_by_role("link", name="Call")).to_have_attribute("href", re.compile(r"^tel:\+1"))
    assert_no_sideways_scroll(page, 390)
    screenshot(page, "provider-jobs-mobile")
    # and the admin console is closed to him
    page.goto(f"{base_url}/admin")
    expect(page.locator("#page-title")).to_contain_text("403")
    page.close()


def test_a_dispatcher_sees_only_the_sections_of_their_role(browser, base_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _sign_in(page, base_url, "dispatch@roadsideatl.com")
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    nav = page.get_by_role("navigation", name="Console sections")
    expect(nav.get_by_role("link", name="Dispatch")).to_be_visible()
    expect(nav.get_by_role("link", name="Payouts")).to_have_count(0)
    page.goto(f"{base_url}/admin/payouts")
    expect(page.locator("#page-title")).to_contain_text("403")
    page.close()


def test_the_api_is_served_on_the_same_port_as_the_console(base_url):
    response = httpx.get(f"{base_url}/api/v1/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_a_dispatcher_finds_a_booking_by_status_and_by_name(browser, base_url):
    # given the demo's bookings
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, base_url, "dispatch@roadsideatl.com")
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    page.goto(f"{base_url}/admin/bookings")
    # then the table shows the newest 18 with a count
    expect(page.locator("#bookings-summary")).to_have_text("1–18 of 18 bookings")
    screenshot(page, "admin-bookings")
    # when they filter completed jobs
    page.get_by_role("combobox", name="Status").click()
    page.get_by_role("option", name="Completed").click()
    expect(page.locator("#bookings-summary")).to_have_text("1–11 of 11 bookings")
    # and search a customer by name
    page.get_by_role("combobox", name="Status").click()
    page.get_by_role("option", name="Any status").click()
    page.get_by_label("Search bookings").fill("derek")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#bookings-table tbody tr")).to_have_count(1)
    expect(page.locator("#bookings-table")).to_contain_text("Derek Owens")
    page.close()
