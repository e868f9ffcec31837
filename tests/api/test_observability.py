import io
import json
import logging

import pytest

from roadside_console.observability import configure_logging

pytestmark = pytest.mark.anyio


async def test_a_sane_incoming_request_id_is_echoed(offline_client):
    # when
    response = await offline_client.get("/api/v1/nowhere", headers={"X-Request-ID": "lb-7f3a.1_x"})
    # then
    assert response.headers["x-request-id"] == "lb-7f3a.1_x"


@pytest.mark.parametrize("incoming", ["has spaces", "x" * 65, "semi;colon", ""])
async def test_an_unsafe_incoming_request_id_is_replaced_by_a_fresh_one(offline_client, incoming):
    # when
    response = await offline_client.get("/api/v1/nowhere", headers={"X-Request-ID": incoming})
    # then
    echoed = response.headers["x-request-id"]
    assert echoed != incoming
    assert len(echoed) == 32
    assert echoed.isalnum()


async def test_each_api_request_writes_one_json_access_line_with_its_request_id(
    offline_client, json_logs
):
    # when
    await offline_client.get("/api/v1/nowhere", headers={"X-Request-ID": "trace-me"})
    # then
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "api.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == "trace-me"
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/api/v1/nowhere"
    assert access[0]["status"] == 404
    assert access[0]["duration_ms"] >= 0


def test_configuring_logging_twice_keeps_a_single_handler(json_logs):
    # given logging configured once by the fixture
    root = logging.getLogger()
    before = len(root.handlers)
    # when
    configure_logging("WARNING", json=False, stream=io.StringIO())
    # then
    assert len(root.handlers) == before
    assert root.level == logging.WARNING
