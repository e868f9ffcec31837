"""A completed-job world for money tests: tenant, staff, a provider, a service, bookings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from roadside_console.domain.bookings.models import Booking, BookingStatus
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Role
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger.service import ReconciliationReport, reconcile_tenant
from roadside_console.domain.payments.models import Payment
from roadside_console.domain.payouts.models import PayoutKind, ProviderPayout
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.tenants.models import Tenant
from tests.factories import (
    actor_of,
    make_booking,
    make_provider,
    make_service,
    make_tenant,
    make_user,
)


@dataclass
class World:
    """Everything a money test needs, committed to the test's transaction."""

    tenant: Tenant
    finance: Actor
    admin: Actor
    provider: Provider
    provider_actor: Actor
    service: Service
    customer: User

    def booking(self, session: Session, *, price: int = 10000, **overrides: object) -> Booking:
        """Add an in-progress booking of this provider at `price` (safe after a session closed)."""
        tenant = session.get(Tenant, self.ids["tenant"])
        service = session.get(Service, self.ids["service"])
        customer = session.get(User, self.ids["customer"])
        assert tenant and service and customer
        values: dict[str, object] = {
            "status": BookingStatus.IN_PROGRESS,
            "provider_id": self.ids["provider"],
            "estimated_price_cents": price,
            "price_breakdown": [{"code": "base", "label": "Job", "amount_cents": price}],
        }
        values.update(overrides)
        return make_booking(session, tenant, service=service, customer=customer, **values)

    def report(self, session: Session) -> ReconciliationReport:
        """Reconcile this world's tenant."""
        return reconcile_tenant(session, tenant_id=self.ids["tenant"])

    def __post_init__(self) -> None:
        self.ids = {
            "tenant": self.tenant.id,
            "service": self.service.id,
            "customer": self.customer.id,
            "provider": self.provider.id,
        }


def make_world(session: Session, *, platform_cut_bp: int | None = None, tier: int = 1) -> World:
    """Build a tenant with finance, admin, a 70 % provider, a $100 service and a customer."""
    tenant = make_tenant(session)
    finance = make_user(session, tenant, role=Role.FINANCE)
    admin = make_user(session, tenant, role=Role.ADMIN)
    provider = make_provider(session, tenant)
    provider_user = session.get(User, provider.user_id)
    service = make_service(session, tenant, platform_cut_bp=platform_cut_bp)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    customer.trust_tier = tier
    session.add(customer)
    session.commit()
    return World(
        tenant=tenant,
        finance=actor_of(finance),
        admin=actor_of(admin),
        provider=provider,
        provider_actor=actor_of(provider_user),
        service=service,
        customer=customer,
    )


def earnings(session: Session, booking: Booking) -> list[ProviderPayout]:
    """Return the booking's earning rows (there must be at most one)."""
    session.expire_all()
    return list(
        session.exec(
            select(ProviderPayout).where(
                ProviderPayout.booking_id == booking.id, ProviderPayout.kind == PayoutKind.EARNING
            )
        )
    )


def payment_of(session: Session, payment_id: object) -> Payment:
    """Reload a payment."""
    session.expire_all()
    payment = session.get(Payment, payment_id)
    assert payment is not None
    return payment
