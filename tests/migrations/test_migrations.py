"""Migrations go from empty to head and back on both databases, and match the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from roadside_console.domain import models  # noqa: F401
from tests.conftest import (
    alembic_config,
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
)


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    names = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    return names - {"alembic_version"}


def _roundtrip(url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, "head")
    assert _tables(url) == set(SQLModel.metadata.tables)
    command.downgrade(config, "base")
    assert _tables(url) == set()
    command.upgrade(config, "head")
    assert _tables(url) == set(SQLModel.metadata.tables)


def _drift(url: str) -> list[object]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return diff


@pytest.fixture()
def fresh_postgres_url():
    if not postgres_available():
        import os

        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required but not reachable")
        pytest.skip("PostgreSQL not reachable")
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


def test_migrations_upgrade_downgrade_and_upgrade_again_on_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'roundtrip.db'}")


def test_migrations_upgrade_downgrade_and_upgrade_again_on_postgresql(fresh_postgres_url):
    _roundtrip(fresh_postgres_url)


def test_the_models_and_the_migrations_do_not_drift_on_postgresql(fresh_postgres_url):
    command.upgrade(alembic_config(fresh_postgres_url), "head")
    assert _drift(fresh_postgres_url) == []


def test_the_models_and_the_migrations_do_not_drift_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    command.upgrade(alembic_config(url), "head")
    assert _drift(url) == []


def test_json_columns_are_jsonb_on_postgresql(fresh_postgres_url):
    command.upgrade(alembic_config(fresh_postgres_url), "head")
    engine = sa.create_engine(fresh_postgres_url)
    columns = {c["name"]: c["type"] for c in sa.inspect(engine).get_columns("bookings")}
    engine.dispose()
    assert type(columns["price_breakdown"]).__name__ == "JSONB"


def _providers_keep_their_newest_trail_point_across_0009(url: str) -> None:
    from sqlmodel import Session

    from roadside_console.domain.providers.models import Provider, ProviderLocation
    from tests.dispatch.support import later
    from tests.factories import make_provider, make_tenant

    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = sa.create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        tenant = make_tenant(session)
        walking, silent = make_provider(session, tenant), make_provider(session, tenant)
        points = [
            ProviderLocation(
                tenant_id=tenant.id, provider_id=walking.id, lat=33.76, lng=-84.39, recorded_at=at
            )
            for at in (later(0), later(30), later(10))
        ]
        session.add_all(points)
        session.commit()
    # a deployment at 0008 has trails but no newest-point columns; 0009 fills them in
    command.downgrade(config, "0008")
    command.upgrade(config, "0009")
    with Session(engine) as session:
        fresh = {p.id: p for p in session.query(Provider)}
        kept = session.query(ProviderLocation).count()
    engine.dispose()
    assert kept == 3  # rebuilding providers on SQLite must not cascade into their trails
    assert fresh[walking.id].last_trail_point_id == points[1].id
    assert fresh[walking.id].last_trail_point_at == later(30)
    assert (fresh[silent.id].last_trail_point_id, fresh[silent.id].last_trail_point_at) == (
        None,
        None,
    )


def test_0009_copies_each_providers_newest_trail_point_on_sqlite(tmp_path):
    _providers_keep_their_newest_trail_point_across_0009(f"sqlite:///{tmp_path / 'trail.db'}")


def test_0009_copies_each_providers_newest_trail_point_on_postgresql(fresh_postgres_url):
    _providers_keep_their_newest_trail_point_across_0009(fresh_postgres_url)


def _rows_and_links(url: str) -> dict[str, tuple[int, ...]]:
    """Per table: its row count and, per foreign key column, how many rows still link."""
    engine = sa.create_engine(url)
    shape = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            links = [c for c in table.columns if c.foreign_keys]
            counts = [sa.func.count()] + [sa.func.count(c) for c in links]
            shape[table.name] = tuple(conn.execute(sa.select(*counts).select_from(table)).one())
    engine.dispose()
    return shape


def _the_newest_migration_keeps_every_row_down_and_up(url: str) -> None:
    from sqlmodel import Session

    from roadside_console.domain.core.db import create_db_engine
    from roadside_console.domain.core.uow import UnitOfWork
    from roadside_console.domain.seed.demo import seed_demo

    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = create_db_engine(url)
    with UnitOfWork(lambda: Session(engine, expire_on_commit=False)) as uow:
        seed_demo(uow, password="demo-password-1")
    engine.dispose()
    before = _rows_and_links(url)
    assert before["bookings"][0] > 0 and before["provider_payouts"][0] > 0
    command.downgrade(config, "-1")
    command.upgrade(config, "head")
    assert _rows_and_links(url) == before


def test_the_newest_migration_keeps_the_demo_data_down_and_up_on_sqlite(tmp_path):
    # SQLite rebuilds a table to drop a column; that must not cascade into its children
    _the_newest_migration_keeps_every_row_down_and_up(f"sqlite:///{tmp_path / 'demo.db'}")


def test_the_newest_migration_keeps_the_demo_data_down_and_up_on_postgresql(fresh_postgres_url):
    _the_newest_migration_keeps_every_row_down_and_up(fresh_postgres_url)
