import pytest

from tests.api.routes import api_routes

pytestmark = pytest.mark.anyio


async def test_the_openapi_document_is_served_under_v1_and_declares_bearer_auth(offline_client):
    # when
    response = await offline_client.get("/api/v1/openapi.json")
    # then
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "RoadSide Console API"
    assert document["info"]["version"] == "1"
    assert document["components"]["securitySchemes"]["ApiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["ApiToken"]["description"],
    }
    assert document["paths"]["/api/v1/me"]["get"]["security"] == [{"ApiToken": []}]


async def test_errors_are_documented_as_problem_json(offline_client):
    # when
    document = (await offline_client.get("/api/v1/openapi.json")).json()
    # then
    unauthorized = document["paths"]["/api/v1/me"]["get"]["responses"]["401"]["content"]
    assert set(unauthorized) == {"application/problem+json"}
    invalid = document["paths"]["/api/v1/auth/tokens"]["post"]["responses"]["422"]["content"]
    assert invalid["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


async def test_the_interactive_docs_are_served_under_v1(offline_client):
    # when
    response = await offline_client.get("/api/v1/docs")
    # then
    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.text


def test_every_route_of_the_api_lives_under_api_v1(offline_app):
    # when (the included routers' own routes, which `app.routes` only wraps)
    routes = api_routes(offline_app)
    # then
    assert ("GET", "/api/v1/health") in [route.key for route in routes]
    assert all(route.path.startswith("/api/v1/") for route in routes)
