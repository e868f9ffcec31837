import uuid

import pytest

from roadside_console.domain.core.auth import Actor, Permission, Role
from roadside_console.ui.shell.navigation import ADMIN_SECTIONS, allowed_paths_for, permission_for
from roadside_console.ui.shell.routes import home_for, safe_next


def _actor(role: Role) -> Actor:
    return Actor(user_id=uuid.uuid4(), tenant_id=uuid.uuid4(), role=role)


def test_an_admin_sees_every_console_section():
    assert allowed_paths_for(_actor(Role.ADMIN)) == [path for _, path, _, _ in ADMIN_SECTIONS]


def test_a_dispatcher_sees_operations_but_not_money():
    paths = allowed_paths_for(_actor(Role.DISPATCHER))
    assert {"/admin", "/admin/bookings", "/admin/dispatch", "/admin/providers"} <= set(paths)
    assert not {"/admin/payouts", "/admin/payments", "/admin/audit"} & set(paths)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.FINANCE])
def test_every_staff_role_may_open_the_settings_page_but_only_admins_change_settings(role):
    actor = _actor(role)
    assert "/admin/settings" in allowed_paths_for(actor)
    assert actor.can(Permission.MANAGE_SETTINGS) is (role is Role.ADMIN)


def test_finance_sees_money_but_not_dispatch():
    paths = set(allowed_paths_for(_actor(Role.FINANCE)))
    assert {"/admin/payments", "/admin/payouts", "/admin/reports", "/admin/invoices"} <= paths
    assert "/admin/dispatch" not in paths


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.CUSTOMER])
def test_providers_and_customers_see_no_console_section(role):
    assert allowed_paths_for(_actor(role)) == []


def test_a_trailing_slash_needs_the_same_permission():
    assert permission_for("/admin/payouts/") == permission_for("/admin/payouts")


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.ADMIN, "/admin"),
        (Role.FINANCE, "/admin"),
        (Role.PROVIDER, "/provider/jobs"),
        (Role.CUSTOMER, "/account/bookings"),
    ],
)
def test_each_role_lands_on_its_own_home(role, home):
    assert home_for(role) == home


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example/x", "javascript:1", ""])
def test_login_never_redirects_off_site(target):
    assert safe_next(target) is None


def test_login_returns_to_a_same_site_page():
    assert safe_next("/admin/bookings") == "/admin/bookings"
