"""Location posts racing on PostgreSQL with committed data: the row lock, not luck, decides."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlmodel import Session, func, select

from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.providers import service
from roadside_console.domain.providers.models import Provider, ProviderLocation
from roadside_console.domain.tenants.models import Tenant
from tests.dispatch.support import NOW, later
from tests.factories import make_provider, make_tenant
from tests.providers.support import actor_for

pytestmark = pytest.mark.pg


def test_concurrent_posts_of_one_provider_store_exactly_one_point(pg_engine):
    # given a committed provider whose phone sends eight fixes at once
    with Session(pg_engine, expire_on_commit=False) as s:
        tenant = make_tenant(s)
        provider = make_provider(s, tenant)
        actor = actor_for(s, provider)
    barrier = Barrier(8)

    def post(i: int) -> bool:
        with UnitOfWork(lambda: Session(pg_engine, expire_on_commit=False)) as uow:
            uow.session.connection()  # every transaction is open before any of them writes
            barrier.wait()
            return service.record_location(
                uow, actor=actor, lat=33.76, lng=-84.39 + i / 1000, now=later(i / 100)
            ).stored

    try:
        # when they all land within a tenth of a second
        with ThreadPoolExecutor(8) as pool:
            stored = list(pool.map(post, range(8)))
        # then exactly one point is kept, and the position is one of the fixes
        assert stored.count(True) == 1
        with Session(pg_engine) as check:
            points = check.exec(
                select(func.count()).where(ProviderLocation.provider_id == provider.id)
            ).one()
            fresh = check.get(Provider, provider.id)
            assert points == 1
            assert NOW <= fresh.location_updated_at <= later(0.07)
    finally:
        with Session(pg_engine) as s:
            s.delete(s.get(Tenant, tenant.id))
            s.commit()
