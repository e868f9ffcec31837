"""Plain pricing inputs for rule tests: snapshots with the demo operator's defaults."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from roadside_console.domain.catalog.models import SchedulingMode
from roadside_console.domain.pricing.cache import BlockSnapshot, PolicySnapshot, ServiceSnapshot

NEW_YORK = "America/New_York"
STANDARD = ("Standard", 6, 18, 10000, 10)
AFTER_HOURS = ("After-Hours", 18, 6, 12500, 10)


def service(
    base: int = 10000, *, per_mile: int = 0, included: int = 0, name: str = "Jump Start"
) -> ServiceSnapshot:
    return ServiceSnapshot(
        id=uuid.uuid4(),
        name=name,
        base_price_cents=base,
        per_mile_cents=per_mile,
        included_miles=included,
        active=True,
        scheduling_mode=SchedulingMode.BOTH,
    )


def towing() -> ServiceSnapshot:
    return service(12500, per_mile=300, included=10, name="Towing")


def block(
    name: str, start: int, end: int, bp: int, priority: int = 10, *, active: bool = True
) -> BlockSnapshot:
    return BlockSnapshot(
        id=uuid.uuid4(),
        name=name,
        start_hour=start,
        end_hour=end,
        multiplier_bp=bp,
        priority=priority,
        active=active,
    )


def demo_blocks(*extra: BlockSnapshot) -> list[BlockSnapshot]:
    return [block(*STANDARD), block(*AFTER_HOURS), *extra]


def policy(**overrides: object) -> PolicySnapshot:
    values: dict[str, object] = {
        "price_cap_bp": 30000,
        "scarcity_enabled": True,
        "scarcity_min_providers": 3,
        "scarcity_step_bp": 500,
        "scarcity_max_bp": 1500,
        "quote_ttl_minutes": 15,
        "min_schedule_lead_minutes": 120,
    }
    values.update(overrides)
    return PolicySnapshot(**values)  # type: ignore[arg-type]


def at_local_hour(hour: int, tz: str = NEW_YORK) -> datetime:
    """An aware UTC instant at `hour`:30 local time on an ordinary January day."""
    return datetime(2026, 1, 14, hour, 30, tzinfo=ZoneInfo(tz)).astimezone(UTC)


@dataclass(frozen=True)
class Contract:
    name: str = "Fleet agreement"
    discount_bp: int = 0
    service_prices: dict[str, int] = field(default_factory=dict)
