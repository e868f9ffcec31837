"""Small builders for test data: each call makes a new, unique tenant or user."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlmodel import Session

from roadside_console.domain.core.auth import Actor, Role
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.passwords import hash_password
from roadside_console.domain.tenants.models import Tenant

if TYPE_CHECKING:
    from roadside_console.domain.bookings.models import Booking
    from roadside_console.domain.catalog.models import Service
    from roadside_console.domain.providers.models import Provider

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)


def make_tenant(
    session: Session, *, name: str = "Test Towing", tz: str = "America/New_York"
) -> Tenant:
    """Add a tenant with a unique slug."""
    tenant = Tenant(name=name, slug=f"t-{uuid.uuid4().hex[:10]}", timezone=tz)
    session.add(tenant)
    session.commit()  # a savepoint release: the test's outer transaction still rolls it back
    return tenant


def make_user(
    session: Session, tenant: Tenant, *, role: Role = Role.ADMIN, email: str | None = None
) -> User:
    """Add an active user whose password is `PASSWORD`."""
    user = User(
        tenant_id=tenant.id,
        email=email or f"{role.value}-{uuid.uuid4().hex[:8]}@example.com",
        name=f"Test {role.value.title()}",
        role=role,
        password_hash=_PASSWORD_HASH,
    )
    session.add(user)
    session.commit()
    return user


def actor_of(user: User) -> Actor:
    """The acting identity of a user."""
    return Actor(user_id=user.id, tenant_id=user.tenant_id, role=user.role, name=user.name)


def make_service(session: Session, tenant: Tenant, **overrides: object) -> Service:
    """Add an active roadside service (Jump Start, $100 unless overridden)."""
    from roadside_console.domain.catalog.models import Service, ServiceCategory

    values: dict[str, object] = {
        "tenant_id": tenant.id,
        "slug": f"svc-{uuid.uuid4().hex[:8]}",
        "name": "Jump Start",
        "category": ServiceCategory.ROADSIDE,
        "base_price_cents": 10000,
    }
    values.update(overrides)
    service = Service(**values)  # type: ignore[arg-type]
    session.add(service)
    session.commit()
    return service


def make_provider(
    session: Session, tenant: Tenant, *, user: User | None = None, **overrides: object
) -> Provider:
    """Add an active, available provider near downtown Atlanta (with a portal login)."""
    from roadside_console.domain.providers.models import Provider, ProviderStatus

    user = user or make_user(session, tenant, role=Role.PROVIDER)
    values: dict[str, object] = {
        "tenant_id": tenant.id,
        "user_id": user.id,
        "name": user.name,
        "email": user.email,
        "phone": "+14045550123",
        "status": ProviderStatus.ACTIVE,
        "is_available": True,
        "home_lat": 33.75,
        "home_lng": -84.39,
        "specialties": ["roadside"],
    }
    values.update(overrides)
    provider = Provider(**values)  # type: ignore[arg-type]
    session.add(provider)
    session.commit()
    return provider


def make_booking(
    session: Session,
    tenant: Tenant,
    *,
    service: Service | None = None,
    customer: User | None = None,
    **overrides: object,
) -> Booking:
    """Add a pending booking at Centennial Olympic Park for a customer."""
    from roadside_console.domain.bookings.models import Booking

    service = service or make_service(session, tenant)
    customer = customer or make_user(session, tenant, role=Role.CUSTOMER)
    values: dict[str, object] = {
        "tenant_id": tenant.id,
        "reference": f"RS-{uuid.uuid4().hex[:6].upper()}",
        "service_id": service.id,
        "customer_id": customer.id,
        "address": "265 Park Ave W NW, Atlanta, GA 30313",
        "lat": 33.7628,
        "lng": -84.3927,
        "contact_name": customer.name,
        "contact_phone": "+14045550199",
        "estimated_price_cents": service.base_price_cents,
        "price_breakdown": [
            {"code": "base", "label": service.name, "amount_cents": service.base_price_cents}
        ],
    }
    values.update(overrides)
    booking = Booking(**values)  # type: ignore[arg-type]
    session.add(booking)
    session.commit()
    return booking
