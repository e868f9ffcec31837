"""Editing the service catalog: names, list prices and whether a service is offered.

Prices are integer cents. A change is audited with what it changed from and to, and the
tenant's pricing cache is invalidated after commit so the next estimate uses the new price.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.catalog.models import Service, ServiceCategory
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing.cache import invalidate_pricing_config

MAX_NAME_LENGTH = 120
MAX_PRICE_CENTS = 10_000_000  # $100,000: anything above is a typo, not a price


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """A service as the pricing page lists and edits it (inactive ones included)."""

    service_id: uuid.UUID
    name: str
    category: ServiceCategory
    base_price_cents: int
    per_mile_cents: int
    included_miles: int
    active: bool

    @classmethod
    def of(cls, service: Service) -> CatalogRow:
        """Copy a row into a view."""
        return cls(
            service_id=service.id,
            name=service.name,
            category=service.category,
            base_price_cents=service.base_price_cents,
            per_mile_cents=service.per_mile_cents,
            included_miles=service.included_miles,
            active=service.active,
        )


def list_catalog(uow: UnitOfWork, *, actor: Actor) -> list[CatalogRow]:
    """Return every service of the tenant in catalog order, offered or not."""
    require(actor, Permission.MANAGE_PRICING)
    services = uow.session.exec(
        select(Service)
        .where(Service.tenant_id == actor.tenant_id)
        .order_by(col(Service.sort_order), col(Service.name), col(Service.id))
    ).all()
    return [CatalogRow.of(s) for s in services]


def validate_service_terms(*, name: str, base_price_cents: int, per_mile_cents: int) -> str:
    """Check a service's editable terms and return its cleaned name, or raise `ValidationFailed`."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValidationFailed("name_required", "Give the service a name.", field="name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            "name_too_long",
            f"Keep the name to {MAX_NAME_LENGTH} characters or fewer.",
            field="name",
        )
    for field, value, label in (
        ("base_price_cents", base_price_cents, "The base price"),
        ("per_mile_cents", per_mile_cents, "The per-mile price"),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed("invalid_price", f"{label} must be in whole cents.", field=field)
        if value < 0:
            raise ValidationFailed("invalid_price", f"{label} cannot be negative.", field=field)
        if value > MAX_PRICE_CENTS:
            raise ValidationFailed(
                "invalid_price", f"{label} must be at most $100,000.00.", field=field
            )
    return cleaned


def update_service(
    uow: UnitOfWork,
    *,
    actor: Actor,
    service_id: uuid.UUID,
    name: str,
    base_price_cents: int,
    per_mile_cents: int,
    active: bool,
    reason: str | None = None,
) -> CatalogRow:
    """Change a service's name, list prices or availability, audited; estimates see it at once.

    Existing bookings and quotes keep the price they were made at.
    """
    require(actor, Permission.MANAGE_PRICING)
    cleaned = validate_service_terms(
        name=name, base_price_cents=base_price_cents, per_mile_cents=per_mile_cents
    )
    session = uow.session
    service = session.exec(
        select(Service)
        .where(Service.id == service_id, Service.tenant_id == actor.tenant_id)
        .with_for_update()
    ).first()
    if service is None:
        raise NotFound("service_not_found", "No such service.", field="service_id")
    values: dict[str, Any] = {
        "name": cleaned,
        "base_price_cents": base_price_cents,
        "per_mile_cents": per_mile_cents,
        "active": bool(active),
    }
    changes = {
        key: {"from": getattr(service, key), "to": value}
        for key, value in values.items()
        if getattr(service, key) != value
    }
    if not changes:
        return CatalogRow.of(service)
    for key, value in values.items():
        setattr(service, key, value)
    session.add(service)
    record_audit(
        session,
        actor=actor,
        action="service.updated",
        target_type="service",
        target_id=service.id,
        reason=(reason or "").strip()[:500] or None,
        changes=changes,
    )
    uow.commit()
    invalidate_pricing_config(actor.tenant_id)
    return CatalogRow.of(service)
