"""The settings page in the browser: an admin changes the cancellation fee, others only read.

The fee is put back to what the demo seeded after the journey (and, should it fail half-way,
by the fixture), so the journeys after it see the demo's terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.service import actor_for
from roadside_console.domain.tenants.models import TenantSettings
from roadside_console.domain.tenants.settings_service import (
    WorkspaceSettingsUpdate,
    update_workspace_settings,
)
from tests.e2e.conftest import DEMO_PASSWORD, screenshot

DESKTOP = {"width": 1280, "height": 900}
ADMIN = "admin@roadsideatl.com"
DISPATCHER = "dispatch@roadsideatl.com"
FEE_LABEL = "Cancellation fee ($)"


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#page-title")).to_have_text("Dashboard")


def _open_settings(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/settings")
    expect(page.locator("#page-title")).to_have_text("Settings")
    expect(page.locator("#pricing-settings")).to_be_visible()


@pytest.fixture()
def fee_restored_afterwards(app_env: dict[str, str]) -> Iterator[None]:
    """Whatever happens in the journey, leave the demo workspace with its seeded fee."""
    engine = create_engine(app_env["DATABASE_URL"])
    with Session(engine) as session:
        admin = session.exec(select(User).where(User.email == ADMIN)).one()
        actor = actor_for(admin)
        seeded = session.exec(
            select(TenantSettings).where(TenantSettings.tenant_id == actor.tenant_id)
        ).one()
        fee = seeded.cancellation_fee_cents
    yield
    with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
        update_workspace_settings(
            uow, actor=actor, changes=WorkspaceSettingsUpdate(cancellation_fee_cents=fee)
        )
    engine.dispose()


def test_an_admin_changes_the_cancellation_fee_and_finds_it_saved_after_a_reload(
    browser, base_url, fee_restored_afterwards
):
    page = browser.new_page(viewport=DESKTOP)
    # given the admin on the settings page, the fee field labelled and filled with the saved fee
    _sign_in(page, base_url, ADMIN)
    _open_settings(page, base_url)
    fee = page.get_by_label(FEE_LABEL)
    expect(fee).to_have_value("25.00")
    expect(page.locator("#read-only")).to_have_count(0)

    # when she types a fee above the $500 limit and saves
    fee.fill("650")
    page.click("#save-pricing")
    # then the refusal shows under the fee, and nothing is saved
    expect(page.locator("#set-cancellation-fee-cents-error")).to_have_text(
        "The cancellation fee must be from $0 to $500."
    )
    expect(page.locator("#pricing-notice")).to_have_count(0)

    # when she types $35.50 instead and saves with the keyboard
    fee.fill("35.50")
    expect(page.locator("#set-cancellation-fee-cents-error")).to_have_count(0)
    page.locator("#save-pricing").focus()
    page.keyboard.press("Enter")
    # then the form says it is saved and when it applies
    expect(page.locator("#pricing-notice")).to_contain_text("Booking and pricing settings saved.")
    expect(page.locator("#last-change")).to_contain_text("Last changed by")
    page.locator("#save-pricing").blur()
    page.evaluate("window.scrollTo(0, 0)")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": DESKTOP["width"], "height": min(max(height, 900), 1800)})
    screenshot(page, "admin-settings")
    page.set_viewport_size(DESKTOP)

    # and after a reload the fee is still $35.50
    page.reload()
    expect(page.locator("#page-title")).to_have_text("Settings")
    expect(page.get_by_label(FEE_LABEL)).to_have_value("35.50")
    page.close()


def test_a_dispatcher_reads_the_settings_without_a_way_to_change_them(browser, base_url):
    page = browser.new_page(viewport=DESKTOP)
    # given the dispatcher, who finds Settings in the sidebar
    _sign_in(page, base_url, DISPATCHER)
    nav = page.get_by_role("navigation", name="Console sections")
    nav.get_by_role("link", name="Settings").click()
    # then every value is there, read only, with no Save button
    expect(page.locator("#page-title")).to_have_text("Settings")
    expect(page.locator("#read-only")).to_contain_text("Only an admin can change these settings")
    expect(page.get_by_label("Offer timeout (seconds)")).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_label(FEE_LABEL)).to_have_attribute("readonly", "")
    expect(page.locator("#save-pricing, #save-dispatch, #save-trust")).to_have_count(0)
    page.close()
