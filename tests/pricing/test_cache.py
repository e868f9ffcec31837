"""The per-process pricing config cache: hits, invalidation, TTL and a racing reload."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.pricing import cache as cache_module
from roadside_console.domain.pricing.cache import PricingConfigCache
from tests.factories import make_provider
from tests.pricing.conftest import add_pricing_world


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def count_queries(session):
    statements: list[str] = []
    engine = session.get_bind()

    def record(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    return statements, lambda: event.remove(engine, "before_cursor_execute", record)


def test_a_cached_config_is_served_without_touching_the_database(session):
    # given
    world = add_pricing_world(session)
    cache = PricingConfigCache()
    first = cache.get(session, world.tenant.id)
    statements, stop = count_queries(session)

    # when
    try:
        second = cache.get(session, world.tenant.id)
    finally:
        stop()

    # then
    assert second is first
    assert statements == []
    assert set(first.services) == {world.towing.id, world.jump.id}
    assert [b.name for b in first.blocks] == ["After-Hours", "Standard"]  # active only
    assert first.tz_name == "America/New_York"


def test_invalidating_a_tenant_reloads_only_that_tenant(session):
    # given
    one, two = add_pricing_world(session), add_pricing_world(session)
    cache = PricingConfigCache()
    first_one, first_two = cache.get(session, one.tenant.id), cache.get(session, two.tenant.id)

    # when
    cache.invalidate(one.tenant.id)

    # then
    reloaded = cache.get(session, one.tenant.id)
    assert reloaded is not first_one and reloaded.version == first_one.version + 1
    assert cache.get(session, two.tenant.id) is first_two


def test_an_entry_expires_after_the_ttl_so_other_processes_changes_show_up(session):
    # given
    world = add_pricing_world(session)
    clock = FakeClock()
    cache = PricingConfigCache(ttl_seconds=5, clock=clock)
    first = cache.get(session, world.tenant.id)

    # when
    clock.now += 4.9
    still = cache.get(session, world.tenant.id)
    clock.now += 0.2
    later = cache.get(session, world.tenant.id)

    # then
    assert still is first
    assert later is not first


def test_a_load_that_raced_with_an_invalidation_is_not_stored(session, monkeypatch):
    # given: another thread invalidates while this one is reading the old config
    world = add_pricing_world(session)
    cache = PricingConfigCache()
    real_load = cache_module.load_pricing_config

    def load_then_invalidate(*args, **kwargs):
        config = real_load(*args, **kwargs)
        cache.invalidate(world.tenant.id)
        return config

    monkeypatch.setattr(cache_module, "load_pricing_config", load_then_invalidate)
    raced = cache.get(session, world.tenant.id)
    monkeypatch.setattr(cache_module, "load_pricing_config", real_load)

    # when
    fresh = cache.get(session, world.tenant.id)

    # then
    assert fresh is not raced
    assert fresh.version == raced.version + 1


def test_an_unknown_or_inactive_tenant_has_no_pricing(session):
    # given
    world = add_pricing_world(session)
    world.tenant.active = False
    session.add(world.tenant)
    session.commit()

    # when / then
    with pytest.raises(NotFound) as error:
        PricingConfigCache().get(session, world.tenant.id)
    assert error.value.code == "tenant_not_found"


def test_the_providers_online_count_is_cached_for_the_ttl_too(session):
    # given
    world = add_pricing_world(session)
    clock = FakeClock()
    cache = PricingConfigCache(ttl_seconds=5, clock=clock)
    assert cache.providers_online(session, world.tenant.id) == 3
    make_provider(session, world.tenant)

    # when
    within_ttl = cache.providers_online(session, world.tenant.id)
    clock.now += 5
    after_ttl = cache.providers_online(session, world.tenant.id)

    # then
    assert (within_ttl, after_ttl) == (3, 4)
