"""API test fixtures: an app per test, on the rolled-back test database or on none at all."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from api.app import create_api
from api.deps import get_uow
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.token_cache import api_token_actors
from roadside_console.domain.tenants.workspaces import forget_workspaces
from roadside_console.observability import configure_logging


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _forget_cached_callers() -> Iterator[None]:
    """Each test's tenants and tokens live in its own rolled-back transaction: forget them."""
    forget_workspaces()
    api_token_actors.forget()
    yield
    forget_workspaces()
    api_token_actors.forget()


@pytest.fixture()
def app(uow_factory: Callable[[], UnitOfWork]) -> FastAPI:
    """The API on the test's rolled-back transaction (runs on SQLite and PostgreSQL)."""
    api = create_api()
    api.dependency_overrides[get_uow] = uow_factory
    return api


@pytest.fixture()
def offline_app() -> FastAPI:
    """The API with a database that fails on first use: for tests that must not need one."""
    api = create_api()
    api.dependency_overrides[get_uow] = lambda: UnitOfWork(session_factory=Session)
    return api


def client_for(api: FastAPI) -> httpx.AsyncClient:
    """An HTTP client that calls the ASGI app in process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://testserver")


@pytest.fixture()
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http


@pytest.fixture()
async def offline_client(offline_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(offline_app) as http:
        yield http


@pytest.fixture()
def json_logs() -> Iterator[io.StringIO]:
    """Capture what `configure_logging(json=True)` writes, then restore the root logger."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    root.handlers = [h for h in saved_handlers if h.get_name() != "roadside_console"]
    stream = io.StringIO()
    configure_logging("INFO", json=True, stream=stream)
    yield stream
    root.handlers = saved_handlers
    root.setLevel(saved_level)
