from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Role
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.tenants.models import Tenant, TenantSettings
from tests.factories import actor_of, make_provider, make_service, make_tenant, make_user


@dataclass
class PricingWorld:
    """A tenant priced like the demo: Standard/After-Hours, two storm templates, 3 online."""

    tenant: Tenant
    settings: TenantSettings
    admin: Actor
    dispatcher: Actor
    customer: Actor
    towing: Service
    jump: Service
    ice_storm: TimeBlock
    game_day: TimeBlock


def add_pricing_world(session: Session) -> PricingWorld:
    tenant = make_tenant(session)
    settings = TenantSettings(tenant_id=tenant.id)
    session.add(settings)
    blocks = {
        name: TimeBlock(
            tenant_id=tenant.id,
            name=name,
            start_hour=start,
            end_hour=end,
            multiplier_bp=bp,
            priority=priority,
            active=active,
        )
        for name, start, end, bp, priority, active in [
            ("Standard", 6, 18, 10000, 10, True),
            ("After-Hours", 18, 6, 12500, 10, True),
            ("Ice Storm", 0, 24, 15000, 100, False),
            ("Game Day", 0, 24, 13000, 100, False),
        ]
    }
    session.add_all(blocks.values())
    session.commit()
    towing = make_service(
        session,
        tenant,
        name="Towing",
        base_price_cents=12500,
        per_mile_cents=300,
        included_miles=10,
    )
    jump = make_service(session, tenant, name="Jump Start", base_price_cents=10000)
    for _ in range(3):
        make_provider(session, tenant)
    return PricingWorld(
        tenant=tenant,
        settings=settings,
        admin=actor_of(make_user(session, tenant, role=Role.ADMIN)),
        dispatcher=actor_of(make_user(session, tenant, role=Role.DISPATCHER)),
        customer=actor_of(make_user(session, tenant, role=Role.CUSTOMER)),
        towing=towing,
        jump=jump,
        ice_storm=blocks["Ice Storm"],
        game_day=blocks["Game Day"],
    )


@pytest.fixture()
def world(session: Session) -> PricingWorld:
    return add_pricing_world(session)
