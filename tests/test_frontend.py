"""The built frontend's files: hashed scripts are cached for good, pages revalidate, no redirects.

The backend here is shaped like Reflex's in production: a Starlette app whose routes end with
the mount named "frontend", Reflex's own `PrecompressedStaticFiles` over a folder laid out like
`.web/build/client`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from roadside_console.frontend import IMMUTABLE, BuiltFrontendFiles, serve_built_frontend

pytestmark = pytest.mark.anyio
SCRIPT = "/assets/entry.client-C6W-s5_T.js"


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    (tmp_path / "assets").mkdir()
    (tmp_path / SCRIPT.lstrip("/")).write_text("export const boot = 1;")
    (tmp_path / "admin" / "bookings").mkdir(parents=True)
    (tmp_path / "admin" / "index.html").write_text("<p>dashboard</p>")
    (tmp_path / "admin" / "bookings" / "index.html").write_text("<p>bookings</p>")
    (tmp_path / "404.html").write_text("<p>not found</p>")
    (tmp_path / "styles.css").write_text("body {}")
    backend = Starlette(
        routes=[
            Route("/ping", lambda request: PlainTextResponse("pong")),
            Mount(
                "/",
                app=PrecompressedStaticFiles(directory=tmp_path, html=True, encodings=["gzip"]),
                name="frontend",
            ),
        ]
    )
    transport = httpx.ASGITransport(app=serve_built_frontend(backend))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_hashed_scripts_may_be_cached_for_a_year_without_asking_again(client):
    # when
    first = await client.get(SCRIPT)
    again = await client.get(SCRIPT, headers={"If-None-Match": first.headers["etag"]})
    # then
    assert first.status_code == 200 and first.text == "export const boot = 1;"
    assert first.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert again.status_code == 304
    assert again.headers["cache-control"] == IMMUTABLE


async def test_pages_and_unhashed_files_are_revalidated_on_every_load(client):
    # when
    page = await client.get("/admin/")
    styles = await client.get("/styles.css")
    # then
    assert page.text == "<p>dashboard</p>"
    assert page.headers["cache-control"] == "no-cache"
    assert styles.headers["cache-control"] == "no-cache"


async def test_a_page_folder_is_served_in_place_instead_of_redirecting_to_its_slash(client):
    # when
    dashboard = await client.get("/admin")
    bookings = await client.get("/admin/bookings?status=completed")
    # then
    assert (dashboard.status_code, dashboard.text) == (200, "<p>dashboard</p>")
    assert (bookings.status_code, bookings.text) == (200, "<p>bookings</p>")
    assert dashboard.headers["cache-control"] == "no-cache"


async def test_missing_files_are_not_cached_and_other_routes_are_left_alone(client):
    # when
    missing = await client.get("/assets/gone-12345678.js")
    unknown = await client.get("/nowhere")
    ping = await client.get("/ping")
    # then a missing hashed name may appear with the next build, so it is not kept
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-cache"
    assert unknown.status_code == 404
    assert ping.text == "pong" and "cache-control" not in ping.headers


async def test_a_backend_without_the_frontend_mount_is_returned_unchanged():
    # given the development backend: Vite serves the frontend, the backend has no such mount
    backend = Starlette(routes=[Route("/ping", lambda request: PlainTextResponse("pong"))])
    # when
    served = serve_built_frontend(backend)
    # then
    assert served is backend
    assert not any(isinstance(route.app, BuiltFrontendFiles) for route in backend.routes)
