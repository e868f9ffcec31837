"""What an operator sells, as customers and guests see it before booking (no sign-in)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select

from roadside_console.domain.catalog.models import SchedulingMode, Service, ServiceCategory
from roadside_console.domain.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ServiceView:
    """One bookable service with its list prices (before time blocks, storm and scarcity)."""

    id: uuid.UUID
    name: str
    slug: str
    description: str
    category: ServiceCategory
    base_price_cents: int
    per_mile_cents: int
    included_miles: int
    scheduling_mode: SchedulingMode


def list_active_services(uow: UnitOfWork, *, tenant_id: uuid.UUID) -> list[ServiceView]:
    """Return the tenant's active services in catalog order; the catalog is public."""
    services = uow.session.exec(
        select(Service)
        .where(Service.tenant_id == tenant_id, col(Service.active).is_(True))
        .order_by(col(Service.sort_order), col(Service.name))
    ).all()
    return [
        ServiceView(
            id=s.id,
            name=s.name,
            slug=s.slug,
            description=s.description,
            category=s.category,
            base_price_cents=s.base_price_cents,
            per_mile_cents=s.per_mile_cents,
            included_miles=s.included_miles,
            scheduling_mode=s.scheduling_mode,
        )
        for s in services
    ]
