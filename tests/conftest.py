"""Shared fixtures: every DB test runs on SQLite and again on PostgreSQL.

Each backend gets a fresh database migrated to head once per test session (so the migrations are
exercised too); each test then runs inside an outer transaction that is rolled back, so tests
never see each other's data. PostgreSQL tests are skipped when no server answers, unless
`REQUIRE_POSTGRES=1` (set by CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

os.environ.setdefault("ROADSIDE_ENV", "test")
os.environ.setdefault("EMBEDDED_WORKER", "false")

from roadside_console.domain.core.db import create_db_engine
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def alembic_config(url: str) -> Config:
    """Return an Alembic config for the project pointed at `url`."""
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["database_url"] = url
    return config


def postgres_available() -> bool:
    """Tell whether the test PostgreSQL server answers."""
    try:
        engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def create_postgres_database() -> str:
    """Create an empty, uniquely named database and return its URL."""
    name = f"rs_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by `create_postgres_database`."""
    name = make_url(url).database
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh SQLite file migrated to head."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database migrated to head (skipped, or failed in CI, if no server)."""
    if not postgres_available():
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_ADMIN_URL}")
        pytest.skip("PostgreSQL not reachable; set TEST_POSTGRES_URL or start the server")
    url = create_postgres_database()
    command.upgrade(alembic_config(url), "head")
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of each backend in turn."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """One engine per backend for the whole run."""
    eng = create_db_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture()
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on PostgreSQL only, for tests of PostgreSQL-specific behaviour."""
    eng = create_db_engine(postgres_url)
    yield eng
    eng.dispose()


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    db_session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield db_session
    db_session.close()
    outer.rollback()
    connection.close()


@pytest.fixture()
def uow_factory(session: Session) -> Callable[[], UnitOfWork]:
    """Make units of work that share the test's rolled-back transaction."""
    return lambda: UnitOfWork(session_factory=lambda: session)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Let each test see environment changes it makes to settings."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
