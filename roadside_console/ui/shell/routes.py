"""Every console URL in one place, so links and redirects never drift apart."""

from __future__ import annotations

from roadside_console.domain.core.auth import Role

LOGIN = "/login"
FORBIDDEN = "/forbidden"
ADMIN_HOME = "/admin"
ADMIN_BOOKINGS = "/admin/bookings"
ADMIN_NEW_BOOKING = "/admin/bookings/new"
ADMIN_BOOKING = "/admin/bookings/[booking_id]"
ADMIN_PAYMENTS = "/admin/payments"
ADMIN_PAYOUTS = "/admin/payouts"
ADMIN_PROVIDERS = "/admin/providers"
ADMIN_PROVIDER = "/admin/providers/[provider_id]"
ADMIN_CUSTOMERS = "/admin/customers"
ADMIN_CUSTOMER = "/admin/customers/[customer_id]"
ADMIN_TRUST = "/admin/trust"
ADMIN_B2B = "/admin/b2b"
ADMIN_B2B_ACCOUNT = "/admin/b2b/[account_id]"
ADMIN_SETTINGS = "/admin/settings"
PROVIDER_HOME = "/provider/jobs"
PROVIDER_EARNINGS = "/provider/earnings"
PROVIDER_PROFILE = "/provider/profile"
PROVIDER_JOIN = "/provider/join"  # the link in a provider's invite email
TRACK = "/track/[token]"  # the link in the customer's booking text message
CUSTOMER_HOME = "/account/bookings"
CUSTOMER_BOOK = "/account/book"
CUSTOMER_TRACK = "/account/track/[booking_id]"
CUSTOMER_REFERRALS = "/account/referrals"
GUEST_BOOK = "/book"  # public: book without an account (`?workspace=` names the operator)

HOME_BY_ROLE: dict[Role, str] = {
    Role.ADMIN: ADMIN_HOME,
    Role.DISPATCHER: ADMIN_HOME,
    Role.FINANCE: ADMIN_HOME,
    Role.PROVIDER: PROVIDER_HOME,
    Role.CUSTOMER: CUSTOMER_HOME,
}


def booking_path(booking_id: str) -> str:
    """Return the console URL of one booking."""
    return f"{ADMIN_BOOKINGS}/{booking_id}"


def provider_path(provider_id: str) -> str:
    """Return the console URL of one provider."""
    return f"{ADMIN_PROVIDERS}/{provider_id}"


def customer_path(customer_id: str) -> str:
    """Return the console URL of one customer."""
    return f"{ADMIN_CUSTOMERS}/{customer_id}"


def b2b_account_path(account_id: str) -> str:
    """Return the console URL of one business account."""
    return f"{ADMIN_B2B}/{account_id}"


def customer_track_path(booking_id: str) -> str:
    """Return the signed-in customer's tracking page of one of their bookings."""
    return f"/account/track/{booking_id}"


def home_for(role: Role) -> str:
    """Return where a role lands after signing in."""
    return HOME_BY_ROLE[role]


def safe_next(next_path: str | None) -> str | None:
    """Accept only same-site paths as a post-login target (no open redirects)."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//"):
        return next_path
    return None
