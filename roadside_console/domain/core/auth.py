"""Who is acting, and what each role may do.

Every use case takes an `Actor` and calls `require(actor, Permission.X)` before it reads or
writes; the tenant on the actor scopes every query. Pages and routes may hide things, but only
this check grants anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from roadside_console.domain.core.errors import Forbidden


class Role(StrEnum):
    """A user's role inside one tenant."""

    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    FINANCE = "finance"
    PROVIDER = "provider"
    CUSTOMER = "customer"
    PARTNER = "partner"


class Permission(StrEnum):
    """Capabilities checked by use cases."""

    VIEW_DASHBOARD = "view_dashboard"
    VIEW_BOOKINGS = "view_bookings"
    MANAGE_BOOKINGS = "manage_bookings"
    DISPATCH = "dispatch"
    MANAGE_PROVIDERS = "manage_providers"
    MANAGE_CUSTOMERS = "manage_customers"
    MANAGE_PRICING = "manage_pricing"
    MANAGE_TRUST = "manage_trust"
    MANAGE_PAYMENTS = "manage_payments"
    MANAGE_PAYOUTS = "manage_payouts"
    MANAGE_B2B = "manage_b2b"
    VIEW_REPORTS = "view_reports"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_SETTINGS = "view_settings"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_API_TOKENS = "manage_api_tokens"
    PROVIDER_PORTAL = "provider_portal"
    BOOK_SERVICES = "book_services"
    BOOK_ON_ACCOUNT = "book_on_account"


_STAFF_COMMON = {
    Permission.VIEW_DASHBOARD,
    Permission.VIEW_BOOKINGS,
    Permission.VIEW_SETTINGS,
    Permission.MANAGE_API_TOKENS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        set(Permission)
        - {Permission.PROVIDER_PORTAL, Permission.BOOK_SERVICES, Permission.BOOK_ON_ACCOUNT}
    ),
    Role.DISPATCHER: frozenset(
        _STAFF_COMMON
        | {
            Permission.MANAGE_BOOKINGS,
            Permission.DISPATCH,
            Permission.MANAGE_PROVIDERS,
            Permission.MANAGE_CUSTOMERS,
        }
    ),
    Role.FINANCE: frozenset(
        _STAFF_COMMON
        | {
            Permission.MANAGE_PAYMENTS,
            Permission.MANAGE_PAYOUTS,
            Permission.MANAGE_B2B,
            Permission.VIEW_REPORTS,
            Permission.VIEW_AUDIT_LOG,
        }
    ),
    Role.PROVIDER: frozenset({Permission.PROVIDER_PORTAL, Permission.MANAGE_API_TOKENS}),
    Role.CUSTOMER: frozenset({Permission.BOOK_SERVICES, Permission.MANAGE_API_TOKENS}),
    # A B2B account's system of record, acting through an account key (never signs in).
    Role.PARTNER: frozenset({Permission.BOOK_ON_ACCOUNT}),
}

STAFF_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.FINANCE})


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller of a use case."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: Role
    name: str = ""
    b2b_account_id: uuid.UUID | None = None
    """Set for a B2B account key: everything it books or sees belongs to that account."""

    def can(self, permission: Permission) -> bool:
        """Tell whether this actor's role grants `permission`."""
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def is_staff(self) -> bool:
        """Tell whether the actor works for the operator (admin, dispatcher, finance)."""
        return self.role in STAFF_ROLES


def require(actor: Actor | None, permission: Permission) -> Actor:
    """Return the actor if it holds `permission`, else raise `Forbidden`."""
    if actor is None or not actor.can(permission):
        raise Forbidden("forbidden", "You do not have permission to do this.")
    return actor
