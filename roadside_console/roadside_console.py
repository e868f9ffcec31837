"""The Reflex app: console pages, the public API mounted under /api/v1, the embedded worker.

This is the only module that imports both the UI and the API.
"""

from __future__ import annotations

import reflex as rx

from api.app import create_api
from roadside_console.domain import models  # noqa: F401  (every table mapped before the first query)
from roadside_console.domain.core.settings import get_settings
from roadside_console.frontend import serve_built_frontend
from roadside_console.observability import configure_logging
from roadside_console.ui.admin.placeholders import PLANNED_PAGES, make_placeholder
from roadside_console.ui.audit.page import AuditState, audit_page
from roadside_console.ui.auth.join import JoinState, join_page
from roadside_console.ui.auth.login import forbidden_page, login_page
from roadside_console.ui.b2b.account import B2BAccountState, b2b_account_page
from roadside_console.ui.b2b.accounts import B2BAccountsState, b2b_accounts_page
from roadside_console.ui.bookings.detail import BookingDetailState, booking_detail_page
from roadside_console.ui.bookings.new import PhoneBookingState, phone_booking_page
from roadside_console.ui.bookings.page import BookingsState, bookings_page
from roadside_console.ui.customer.pages import MyBookingsState, my_bookings_page
from roadside_console.ui.customer.referrals import ReferralsState, referrals_page
from roadside_console.ui.customer.tracking import OwnTrackingState, own_tracking_page
from roadside_console.ui.customer.wizard import BookingWizardState, book_page, guest_book_page
from roadside_console.ui.customers.detail import CustomerDetailState, customer_detail_page
from roadside_console.ui.customers.page import CustomersState, customers_page
from roadside_console.ui.customers.trust import TrustState, trust_page
from roadside_console.ui.dashboard.page import DashboardState, dashboard_page
from roadside_console.ui.dispatch.board import DispatchBoardState, dispatch_board_page
from roadside_console.ui.payments.page import PaymentsState, payments_page
from roadside_console.ui.payouts.page import PayoutsState, payouts_page
from roadside_console.ui.pricing.page import PricingState, pricing_page
from roadside_console.ui.provider_portal.earnings import EarningsState, provider_earnings_page
from roadside_console.ui.provider_portal.location import DutyState
from roadside_console.ui.provider_portal.pages import ProviderJobsState, provider_jobs_page
from roadside_console.ui.provider_portal.profile import ProfileState, provider_profile_page
from roadside_console.ui.providers.detail import ProviderDetailState, provider_detail_page
from roadside_console.ui.providers.page import ProvidersState, providers_page
from roadside_console.ui.reports.page import ReportsState, reports_page
from roadside_console.ui.settings.page import SettingsState, settings_page
from roadside_console.ui.shell import routes
from roadside_console.ui.shell.session import SessionState
from roadside_console.ui.tracking.page import TrackingState, tracking_page

settings = get_settings()
configure_logging(settings.log_level, json=settings.log_json)

app = rx.App(
    # In order: the built frontend's files get their caching policy, then the API wraps the
    # backend and hands it every request outside /api.
    api_transformer=[serve_built_frontend, create_api()],
    stylesheets=["/styles.css"],
)


def _root() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")


app.add_page(_root, route="/", title="RoadSide Console", on_load=SessionState.redirect_home)
app.add_page(login_page, route=routes.LOGIN, title="Sign in · RoadSide Console")
app.add_page(forbidden_page, route=routes.FORBIDDEN, title="Not allowed · RoadSide Console")
app.add_page(tracking_page, route=routes.TRACK, title="Track your help", on_load=TrackingState.load)
app.add_page(
    join_page,
    route=routes.PROVIDER_JOIN,
    title="Join as a provider · RoadSide Console",
    on_load=JoinState.load,
)

app.add_page(
    dashboard_page,
    route=routes.ADMIN_HOME,
    title="Dashboard · RoadSide Console",
    on_load=[SessionState.guard_staff, DashboardState.load],
)
app.add_page(
    bookings_page,
    route="/admin/bookings",
    title="Bookings · RoadSide Console",
    on_load=[SessionState.guard_admin_page, BookingsState.load],
)
app.add_page(
    phone_booking_page,
    route=routes.ADMIN_NEW_BOOKING,
    title="New phone booking · RoadSide Console",
    on_load=[SessionState.guard_booking_desk, PhoneBookingState.load],
)
app.add_page(
    booking_detail_page,
    route=routes.ADMIN_BOOKING,
    title="Booking · RoadSide Console",
    on_load=[SessionState.guard_bookings, BookingDetailState.load],
)
app.add_page(
    payments_page,
    route=routes.ADMIN_PAYMENTS,
    title="Payments · RoadSide Console",
    on_load=[SessionState.guard_admin_page, PaymentsState.load],
)
app.add_page(
    payouts_page,
    route=routes.ADMIN_PAYOUTS,
    title="Payouts · RoadSide Console",
    on_load=[SessionState.guard_admin_page, PayoutsState.load],
)
app.add_page(
    pricing_page,
    route="/admin/pricing",
    title="Pricing · RoadSide Console",
    on_load=[SessionState.guard_admin_page, PricingState.load],
)
app.add_page(
    reports_page,
    route="/admin/reports",
    title="Reports · RoadSide Console",
    on_load=[SessionState.guard_admin_page, ReportsState.load],
)
app.add_page(
    audit_page,
    route="/admin/audit",
    title="Audit log · RoadSide Console",
    on_load=[SessionState.guard_admin_page, AuditState.load],
)
app.add_page(
    providers_page,
    route=routes.ADMIN_PROVIDERS,
    title="Providers · RoadSide Console",
    on_load=[SessionState.guard_admin_page, ProvidersState.load],
)
app.add_page(
    provider_detail_page,
    route=routes.ADMIN_PROVIDER,
    title="Provider · RoadSide Console",
    on_load=[ProviderDetailState.guard, ProviderDetailState.load],
)
app.add_page(
    customers_page,
    route=routes.ADMIN_CUSTOMERS,
    title="Customers · RoadSide Console",
    on_load=[SessionState.guard_admin_page, CustomersState.load],
)
app.add_page(
    customer_detail_page,
    route=routes.ADMIN_CUSTOMER,
    title="Customer · RoadSide Console",
    on_load=[CustomerDetailState.guard, CustomerDetailState.load],
)
app.add_page(
    trust_page,
    route=routes.ADMIN_TRUST,
    title="Trust tiers · RoadSide Console",
    on_load=[SessionState.guard_admin_page, TrustState.load],
)
app.add_page(
    dispatch_board_page,
    route="/admin/dispatch",
    title="Dispatch · RoadSide Console",
    on_load=[SessionState.guard_admin_page, DispatchBoardState.load],
)
app.add_page(
    b2b_accounts_page,
    route=routes.ADMIN_B2B,
    title="B2B accounts · RoadSide Console",
    on_load=[SessionState.guard_admin_page, B2BAccountsState.load],
)
app.add_page(
    b2b_account_page,
    route=routes.ADMIN_B2B_ACCOUNT,
    title="Business account · RoadSide Console",
    on_load=[B2BAccountState.guard, B2BAccountState.load],
)
app.add_page(
    settings_page,
    route=routes.ADMIN_SETTINGS,
    title="Settings · RoadSide Console",
    on_load=[SessionState.guard_admin_page, SettingsState.load],
)
for path, title, description in PLANNED_PAGES:
    app.add_page(
        make_placeholder(title, description),
        route=path,
        title=f"{title} · RoadSide Console",
        on_load=SessionState.guard_admin_page,
    )

app.add_page(
    provider_jobs_page,
    route=routes.PROVIDER_HOME,
    title="My jobs · RoadSide Console",
    on_load=[SessionState.guard_provider, ProviderJobsState.load, DutyState.load],
)
app.add_page(
    provider_earnings_page,
    route=routes.PROVIDER_EARNINGS,
    title="Earnings · RoadSide Console",
    on_load=[SessionState.guard_provider, EarningsState.load],
)
app.add_page(
    provider_profile_page,
    route=routes.PROVIDER_PROFILE,
    title="Profile · RoadSide Console",
    on_load=[SessionState.guard_provider, ProfileState.load],
)
app.add_page(
    my_bookings_page,
    route=routes.CUSTOMER_HOME,
    title="My bookings · RoadSide Console",
    on_load=[SessionState.guard_customer, MyBookingsState.load],
)
app.add_page(
    book_page,
    route=routes.CUSTOMER_BOOK,
    title="Book · RoadSide Console",
    on_load=[SessionState.guard_customer, BookingWizardState.load_customer],
)
app.add_page(
    own_tracking_page,
    route=routes.CUSTOMER_TRACK,
    title="Track your booking · RoadSide Console",
    on_load=[SessionState.guard_customer, OwnTrackingState.load],
)
app.add_page(
    referrals_page,
    route=routes.CUSTOMER_REFERRALS,
    title="Referrals · RoadSide Console",
    on_load=[SessionState.guard_customer, ReferralsState.load],
)
app.add_page(
    guest_book_page,
    route=routes.GUEST_BOOK,
    title="Book roadside help",
    on_load=BookingWizardState.load_guest,
)

if settings.embedded_worker:
    from roadside_console.worker.runner import embedded_worker_task

    app.register_lifespan_task(embedded_worker_task)
