import httpx
import pytest
from sqlmodel import Session, create_engine

from api.deps import get_uow
from roadside_console.domain.core.uow import UnitOfWork
from tests.api.conftest import client_for

pytestmark = pytest.mark.anyio


async def test_health_says_ok_when_the_database_answers(client: httpx.AsyncClient):
    # when
    response = await client.get("/api/v1/health")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "version": "1"}


async def test_health_is_a_503_problem_when_the_database_does_not_answer(offline_app, tmp_path):
    # given a database file that cannot be opened (its directory does not exist)
    unreachable = create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    offline_app.dependency_overrides[get_uow] = lambda: UnitOfWork(
        session_factory=lambda: Session(unreachable)
    )
    # when
    async with client_for(offline_app) as client:
        response = await client.get("/api/v1/health")
    # then
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "database_unavailable"
    assert problem["status"] == 503
    assert problem["instance"] == "/api/v1/health"
    assert response.headers["retry-after"]
