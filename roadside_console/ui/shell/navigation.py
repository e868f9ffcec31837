"""The admin sidebar: one entry per console area, shown when the role may use it."""

from __future__ import annotations

from roadside_console.domain.core.auth import Actor, Permission

# label, path, icon (lucide name), permission needed to see it
ADMIN_SECTIONS: list[tuple[str, str, str, Permission]] = [
    ("Dashboard", "/admin", "layout-dashboard", Permission.VIEW_DASHBOARD),
    ("Bookings", "/admin/bookings", "clipboard-list", Permission.VIEW_BOOKINGS),
    ("Dispatch", "/admin/dispatch", "radio-tower", Permission.DISPATCH),
    ("Providers", "/admin/providers", "hard-hat", Permission.MANAGE_PROVIDERS),
    ("Customers", "/admin/customers", "users", Permission.MANAGE_CUSTOMERS),
    ("Pricing", "/admin/pricing", "tags", Permission.MANAGE_PRICING),
    ("Trust tiers", "/admin/trust", "shield-check", Permission.MANAGE_TRUST),
    ("Payments", "/admin/payments", "credit-card", Permission.MANAGE_PAYMENTS),
    ("Payouts", "/admin/payouts", "banknote", Permission.MANAGE_PAYOUTS),
    ("B2B", "/admin/b2b", "building-2", Permission.MANAGE_B2B),
    ("Invoices", "/admin/invoices", "file-text", Permission.MANAGE_B2B),
    ("Reports", "/admin/reports", "chart-column", Permission.VIEW_REPORTS),
    ("Audit log", "/admin/audit", "scroll-text", Permission.VIEW_AUDIT_LOG),
    ("Settings", "/admin/settings", "settings", Permission.VIEW_SETTINGS),
]


def allowed_paths_for(actor: Actor) -> list[str]:
    """Return the paths of the sidebar entries this actor may open."""
    return [path for _label, path, _icon, permission in ADMIN_SECTIONS if actor.can(permission)]


def permission_for(path: str) -> Permission:
    """Return the permission an admin-console path needs (trailing slash or not)."""
    path = path.rstrip("/") or "/"
    for _label, section_path, _icon, permission in ADMIN_SECTIONS:
        if section_path == path:
            return permission
    raise KeyError(path)
