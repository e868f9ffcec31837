import pytest

from tests.api.conftest import client_for
from tests.factories import PASSWORD, make_tenant, make_user

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


async def test_an_unknown_route_is_a_404_problem_with_a_request_id(offline_client):
    # when
    response = await offline_client.get("/api/v1/no-such-thing")
    # then
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "not_found"
    assert problem["instance"] == "/api/v1/no-such-thing"
    assert problem["request_id"] == response.headers["x-request-id"]
    assert set(problem) >= {"type", "title", "status", "detail", "instance", "code"}


async def test_a_wrong_method_is_a_405_problem_that_lists_the_allowed_ones(offline_client):
    # when
    response = await offline_client.post("/api/v1/health")
    # then
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["allow"] == "GET"
    assert response.json()["code"] == "method_not_allowed"


async def test_malformed_json_is_a_400_problem_naming_the_body(offline_client):
    # when
    response = await offline_client.post(
        "/api/v1/auth/tokens",
        content=b'{"workspace": ',
        headers={"content-type": "application/json"},
    )
    # then
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "malformed_json"
    assert [error["field"] for error in problem["errors"]] == ["body"]


async def test_wrong_types_and_missing_fields_are_a_422_problem_naming_each_field(offline_client):
    # when
    response = await offline_client.post(
        "/api/v1/auth/tokens", json={"workspace": ["not", "a", "string"], "email": "a@b.c"}
    )
    # then
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert {error["field"] for error in problem["errors"]} == {"workspace", "password", "name"}
    assert all(error["message"] for error in problem["errors"])


async def test_a_missing_body_is_a_422_problem_naming_the_body(offline_client):
    # when
    response = await offline_client.post("/api/v1/auth/tokens")
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body"]


async def test_a_malformed_path_parameter_is_named_with_its_location(session, client):
    # given a valid token
    tenant = make_tenant(session)
    user = make_user(session, tenant)
    created = await client.post(
        "/api/v1/auth/tokens",
        json={"workspace": tenant.slug, "email": user.email, "password": PASSWORD, "name": "CI"},
    )
    # when
    response = await client.delete(
        "/api/v1/auth/tokens/not-a-uuid",
        headers={"Authorization": f"Bearer {created.json()['token']}"},
    )
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["path.token_id"]


async def test_an_oversized_body_is_a_413_problem_before_it_is_read(offline_client):
    # when
    response = await offline_client.post(
        "/api/v1/auth/tokens",
        content=b"x" * (1024 * 1024 + 1),
        headers={"content-type": "application/json"},
    )
    # then
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "request_too_large"
    assert response.headers["x-request-id"]


async def test_a_streamed_body_is_cut_off_at_the_limit_with_a_413_problem(offline_client):
    # given a body without Content-Length, sent in chunks
    async def chunks():
        for _ in range(20):
            yield b"x" * 65536

    # when
    response = await offline_client.post(
        "/api/v1/auth/tokens", content=chunks(), headers={"content-type": "application/json"}
    )
    # then
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "request_too_large"


async def test_an_unexpected_error_is_a_generic_500_problem_and_the_traceback_is_logged(
    offline_app, json_logs
):
    # given a route with a bug
    def broken() -> None:
        raise RuntimeError("secret internals")

    offline_app.add_api_route("/api/v1/broken", broken)
    # when
    async with client_for(offline_app) as client:
        response = await client.get("/api/v1/broken", headers={"X-Request-ID": "bug-42"})
    # then the client learns nothing internal but gets the id to quote
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["x-request-id"] == "bug-42"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["request_id"] == "bug-42"
    # and the log has the traceback under the same id
    assert "secret internals" in json_logs.getvalue()
    assert '"request_id": "bug-42"' in json_logs.getvalue()
