"""Each tenant's pricing configuration, cached in-process so an estimate costs no queries.

The cached value is an immutable snapshot (services, active time blocks, pricing settings, time
zone). Use cases that change any of them call `invalidate_pricing_config(tenant_id)` after they
commit: that bumps the tenant's version in this process, so the next estimate reloads. Other
processes (more web workers, the worker) notice within `ttl_seconds` (5 s), because every entry
expires after that long. A load that started before an invalidation is never stored, so a slow
reader cannot put an old snapshot back. See docs/decisions.md.

The number of providers online (the scarcity input) is cached the same way: a provider going
on or off shift changes scarcity pricing within 5 s, or at once in this process when the code
that changed it calls `invalidate_pricing_config`.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlmodel import Session, col, func, select

from roadside_console.domain.catalog.models import SchedulingMode, Service
from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.providers.models import Provider, ProviderStatus
from roadside_console.domain.tenants.models import Tenant, TenantSettings

DEFAULT_TTL_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class ServiceSnapshot:
    """The priced facts of one service."""

    id: uuid.UUID
    name: str
    base_price_cents: int
    per_mile_cents: int
    included_miles: int
    active: bool
    scheduling_mode: SchedulingMode


@dataclass(frozen=True, slots=True)
class BlockSnapshot:
    """One active time block or storm template."""

    id: uuid.UUID
    name: str
    start_hour: int
    end_hour: int
    multiplier_bp: int
    priority: int
    active: bool


@dataclass(frozen=True, slots=True)
class PolicySnapshot:
    """The tenant's pricing settings."""

    price_cap_bp: int
    scarcity_enabled: bool
    scarcity_min_providers: int
    scarcity_step_bp: int
    scarcity_max_bp: int
    quote_ttl_minutes: int
    min_schedule_lead_minutes: int


@dataclass(frozen=True, slots=True)
class PricingConfig:
    """Everything an estimate needs from the database except live provider counts."""

    tenant_id: uuid.UUID
    tz_name: str
    services: Mapping[uuid.UUID, ServiceSnapshot]
    blocks: tuple[BlockSnapshot, ...]
    policy: PolicySnapshot
    version: int


@dataclass(frozen=True, slots=True)
class _Entry:
    config: PricingConfig
    loaded_at: float


class PricingConfigCache:
    """A per-process, thread-safe cache of `PricingConfig` by tenant."""

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[uuid.UUID, _Entry] = {}
        self._versions: dict[uuid.UUID, int] = {}
        self._counts: dict[uuid.UUID, tuple[int, int, float]] = {}  # version, count, loaded_at

    def get(self, session: Session, tenant_id: uuid.UUID) -> PricingConfig:
        """Return the tenant's config, loading it through `session` when absent or stale."""
        with self._lock:
            version = self._versions.get(tenant_id, 0)
            entry = self._entries.get(tenant_id)
            if (
                entry is not None
                and entry.config.version == version
                and self._clock() - entry.loaded_at < self.ttl_seconds
            ):
                return entry.config
        config = load_pricing_config(session, tenant_id, version=version)
        with self._lock:
            if self._versions.get(tenant_id, 0) == version:
                self._entries[tenant_id] = _Entry(config, self._clock())
        return config

    def providers_online(self, session: Session, tenant_id: uuid.UUID) -> int:
        """Return how many providers of the tenant are online, counted at most `ttl_seconds` ago."""
        with self._lock:
            version = self._versions.get(tenant_id, 0)
            cached = self._counts.get(tenant_id)
            if (
                cached is not None
                and cached[0] == version
                and self._clock() - cached[2] < self.ttl_seconds
            ):
                return cached[1]
        count = count_providers_online(session, tenant_id)
        with self._lock:
            if self._versions.get(tenant_id, 0) == version:
                self._counts[tenant_id] = (version, count, self._clock())
        return count

    def invalidate(self, tenant_id: uuid.UUID) -> None:
        """Forget the tenant's config; loads already under way are not stored."""
        with self._lock:
            self._versions[tenant_id] = self._versions.get(tenant_id, 0) + 1
            self._entries.pop(tenant_id, None)
            self._counts.pop(tenant_id, None)

    def clear(self) -> None:
        """Forget every tenant's config."""
        with self._lock:
            for tenant_id in {*self._entries, *self._counts}:
                self._versions[tenant_id] = self._versions.get(tenant_id, 0) + 1
            self._entries.clear()
            self._counts.clear()


def load_pricing_config(
    session: Session, tenant_id: uuid.UUID, *, version: int = 0
) -> PricingConfig:
    """Read a tenant's pricing configuration from the database (no caching)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None or not tenant.active:
        raise NotFound("tenant_not_found", "This workspace does not exist.")
    settings = session.exec(
        select(TenantSettings).where(TenantSettings.tenant_id == tenant_id)
    ).first() or TenantSettings(tenant_id=tenant_id)
    services = {
        s.id: ServiceSnapshot(
            id=s.id,
            name=s.name,
            base_price_cents=s.base_price_cents,
            per_mile_cents=s.per_mile_cents,
            included_miles=s.included_miles,
            active=s.active,
            scheduling_mode=s.scheduling_mode,
        )
        for s in session.exec(select(Service).where(Service.tenant_id == tenant_id))
    }
    blocks = tuple(
        BlockSnapshot(
            id=b.id,
            name=b.name,
            start_hour=b.start_hour,
            end_hour=b.end_hour,
            multiplier_bp=b.multiplier_bp,
            priority=b.priority,
            active=b.active,
        )
        for b in session.exec(
            select(TimeBlock)
            .where(TimeBlock.tenant_id == tenant_id, col(TimeBlock.active).is_(True))
            .order_by(col(TimeBlock.priority).desc(), col(TimeBlock.name))
        )
    )
    policy = PolicySnapshot(
        price_cap_bp=settings.price_cap_bp,
        scarcity_enabled=settings.scarcity_enabled,
        scarcity_min_providers=settings.scarcity_min_providers,
        scarcity_step_bp=settings.scarcity_step_bp,
        scarcity_max_bp=settings.scarcity_max_bp,
        quote_ttl_minutes=settings.quote_ttl_minutes,
        min_schedule_lead_minutes=settings.min_schedule_lead_minutes,
    )
    return PricingConfig(
        tenant_id=tenant_id,
        tz_name=tenant.timezone,
        services=MappingProxyType(services),
        blocks=blocks,
        policy=policy,
        version=version,
    )


def count_providers_online(session: Session, tenant_id: uuid.UUID) -> int:
    """Count the tenant's active providers who are available for work right now (no cache)."""
    return session.exec(
        select(func.count())
        .select_from(Provider)
        .where(
            Provider.tenant_id == tenant_id,
            Provider.status == ProviderStatus.ACTIVE,
            col(Provider.is_available).is_(True),
        )
    ).one()


pricing_config_cache = PricingConfigCache()


def get_pricing_config(session: Session, tenant_id: uuid.UUID) -> PricingConfig:
    """Return the tenant's pricing config from the process-wide cache."""
    return pricing_config_cache.get(session, tenant_id)


def get_providers_online(session: Session, tenant_id: uuid.UUID) -> int:
    """Return the tenant's providers online from the process-wide cache."""
    return pricing_config_cache.providers_online(session, tenant_id)


def invalidate_pricing_config(tenant_id: uuid.UUID) -> None:
    """Call after committing a change to services, time blocks, pricing settings or availability.

    This process prices with the change at once; other processes within `ttl_seconds`.
    """
    pricing_config_cache.invalidate(tenant_id)
