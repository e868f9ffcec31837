"""The API wraps the Reflex backend the way Reflex mounts it: `api.mount("", backend)`."""

from typing import Any

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from api.app import create_api
from tests.api.conftest import client_for

pytestmark = pytest.mark.anyio


async def _page(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"console {request.url.path}")


async def _events(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("console events")
    await websocket.close()


@pytest.fixture()
def mounted() -> FastAPI:
    console = Starlette(
        routes=[
            Route("/{path:path}", _page, methods=["GET", "POST"]),
            WebSocketRoute("/_event", _events),
        ]
    )
    api = create_api()
    api.mount("", console)
    return api


async def _open_websocket(app: FastAPI, path: str) -> list[dict[str, Any]]:
    incoming = [{"type": "websocket.connect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "subprotocols": [],
    }
    await app(scope, receive, send)
    return sent


async def test_console_pages_and_big_uploads_reach_the_mounted_backend(mounted):
    # when
    async with client_for(mounted) as client:
        page = await client.get("/admin/bookings")
        upload = await client.post("/_upload", content=b"x" * (2 * 1024 * 1024))
    # then
    assert page.text == "console /admin/bookings"
    assert upload.status_code == 200


async def test_console_requests_skip_the_api_middleware(mounted):
    # when
    async with client_for(mounted) as client:
        page = await client.get("/admin/bookings", headers={"X-Request-ID": "from-the-browser"})
        api = await client.get("/api/v1/health", headers={"X-Request-ID": "from-a-client"})
    # then the console's answer carries none of the API's headers; the API's still does
    assert "x-request-id" not in page.headers
    assert "x-content-type-options" not in page.headers
    assert api.headers["x-request-id"] == "from-a-client"
    assert api.headers["x-content-type-options"] == "nosniff"


async def test_paths_that_only_start_like_the_api_belong_to_the_console(mounted):
    # when
    async with client_for(mounted) as client:
        response = await client.get("/apis-explained")
    # then
    assert response.text == "console /apis-explained"


async def test_console_websockets_pass_through_the_api_middleware(mounted):
    # when
    sent = await _open_websocket(mounted, "/_event")
    # then
    assert [message["type"] for message in sent] == [
        "websocket.accept",
        "websocket.send",
        "websocket.close",
    ]
    assert sent[1]["text"] == "console events"


async def test_unknown_api_paths_stay_404_problems_when_the_console_is_mounted(mounted):
    # when
    async with client_for(mounted) as client:
        response = await client.get("/api/v2/anything")
    # then
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_wrong_method_on_an_api_route_stays_405_when_the_console_is_mounted(mounted):
    # when
    async with client_for(mounted) as client:
        response = await client.post("/api/v1/health")
    # then
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
