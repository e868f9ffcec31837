"""What a price would be: the storm-mode confirmation and the admin price calculator.

Both read the tenant's pricing configuration fresh from the database (not the 5-second cache:
an admin about to switch storm mode must see the prices as they are) and price with the same
`rules.quote_price` that estimates and bookings use. Nothing is stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.pricing import rules
from roadside_console.domain.pricing.cache import (
    BlockSnapshot,
    PricingConfig,
    ServiceSnapshot,
    count_providers_online,
    load_pricing_config,
)
from roadside_console.domain.pricing.models import STORM_PRIORITY_FLOOR, TimeBlock
from roadside_console.domain.pricing.rules import PriceBreakdown


@dataclass(frozen=True, slots=True)
class PriceChange:
    """One service's service charge now and after the storm change (before mileage)."""

    service_id: uuid.UUID
    service_name: str
    before_cents: int
    after_cents: int


@dataclass(frozen=True, slots=True)
class StormPreview:
    """How a storm-mode switch changes each offered service's price at `at`."""

    template_name: str | None  # None: storm mode off
    multiplier_bp: int | None
    at: datetime
    timezone: str
    local_hour: int
    providers_online: int
    changes: tuple[PriceChange, ...]


@dataclass(frozen=True, slots=True)
class CalculatedPrice:
    """A request priced at an instant by the real rules, with every line explained."""

    service_name: str
    service_active: bool
    at: datetime
    timezone: str
    providers_online: int
    breakdown: PriceBreakdown


def preview_storm_change(
    uow: UnitOfWork,
    *,
    actor: Actor,
    template_id: uuid.UUID | None,
    at: datetime | None = None,
) -> StormPreview:
    """Price every offered service with today's blocks and with the storm switch applied.

    `template_id` names the storm template being switched on; None previews switching storm
    mode off. Activating one template turns the others off, so "after" keeps only that one.
    """
    require(actor, Permission.MANAGE_PRICING)
    at = at or utc_now()
    session = uow.session
    config = load_pricing_config(session, actor.tenant_id)
    regular = tuple(b for b in config.blocks if not rules.is_storm(b))
    template: BlockSnapshot | None = None
    if template_id is not None:
        template = _storm_template(session, actor.tenant_id, template_id)
    after_blocks = (*regular, template) if template is not None else regular
    online = count_providers_online(session, actor.tenant_id)
    changes = tuple(
        PriceChange(
            service_id=service.id,
            service_name=service.name,
            before_cents=_charge(config, service, config.blocks, online, at),
            after_cents=_charge(config, service, after_blocks, online, at),
        )
        for service in _offered(session, config)
    )
    return StormPreview(
        template_name=template.name if template else None,
        multiplier_bp=template.multiplier_bp if template else None,
        at=at,
        timezone=config.tz_name,
        local_hour=rules.local_hour(at, config.tz_name),
        providers_online=online,
        changes=changes,
    )


def calculate_price(
    uow: UnitOfWork,
    *,
    actor: Actor,
    service_id: uuid.UUID,
    at: datetime,
    towing_miles: int | None = None,
) -> CalculatedPrice:
    """Price a service as if asked for at `at` (e.g. tonight at 20:00), with today's settings.

    The providers-online count is the current one; miles count only for per-mile services.
    """
    require(actor, Permission.MANAGE_PRICING)
    rules.validate_towing_miles(towing_miles)
    session = uow.session
    config = load_pricing_config(session, actor.tenant_id)
    service = config.services.get(service_id)
    if service is None:
        raise NotFound("service_not_found", "No such service.", field="service_id")
    online = count_providers_online(session, actor.tenant_id)
    breakdown = rules.quote_price(
        service=service,
        blocks=config.blocks,
        policy=config.policy,
        providers_online=online,
        tz_name=config.tz_name,
        now=at,
        towing_miles=towing_miles if service.per_mile_cents > 0 else None,
    )
    return CalculatedPrice(
        service_name=service.name,
        service_active=service.active,
        at=at,
        timezone=config.tz_name,
        providers_online=online,
        breakdown=breakdown,
    )


def _charge(
    config: PricingConfig,
    service: ServiceSnapshot,
    blocks: tuple[BlockSnapshot, ...],
    online: int,
    at: datetime,
) -> int:
    return rules.quote_price(
        service=service,
        blocks=blocks,
        policy=config.policy,
        providers_online=online,
        tz_name=config.tz_name,
        now=at,
    ).total_cents


def _offered(session: Session, config: PricingConfig) -> list[ServiceSnapshot]:
    ids = session.exec(
        select(Service.id)
        .where(Service.tenant_id == config.tenant_id, col(Service.active).is_(True))
        .order_by(col(Service.sort_order), col(Service.name), col(Service.id))
    ).all()
    return [config.services[i] for i in ids if i in config.services]


def _storm_template(
    session: Session, tenant_id: uuid.UUID, template_id: uuid.UUID
) -> BlockSnapshot:
    block = session.exec(
        select(TimeBlock).where(
            TimeBlock.id == template_id,
            TimeBlock.tenant_id == tenant_id,
            col(TimeBlock.priority) >= STORM_PRIORITY_FLOOR,
        )
    ).first()
    if block is None:
        raise NotFound("storm_template_not_found", "No such storm template.", field="template_id")
    return BlockSnapshot(
        id=block.id,
        name=block.name,
        start_hour=block.start_hour,
        end_hour=block.end_hour,
        multiplier_bp=block.multiplier_bp,
        priority=block.priority,
        active=True,  # as it will be once switched on
    )
