"""Browser journeys against the real app: built, served on one port, driven by Chromium.

The app runs as `reflex run --env prod` in its own process group on a free port, on a fresh
SQLite database migrated and seeded like `make run` does. Chromium is Debian's; without it the
journeys are skipped locally and fail in CI (`REQUIRE_BROWSER=1`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "e2e-demo-password"
SCREENSHOTS = ROOT / "docs" / "screenshots"
STARTUP_TIMEOUT_S = 240
# What a page should show may take a while on a loaded CI machine: wait up to 15 s for it.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a browser journey; run them last, own-app ones first.

    Every app build writes the one frontend in .web, with its own port in it. An app started
    while the shared one is up would leave the shared one serving a frontend that talks to the
    other port, so the journeys with their own app run (and stop it) before the shared app starts.
    All journeys run after every other test: Playwright's sync API keeps an event loop running
    in the main thread for the rest of the session, which async tests cannot share.
    """

    def order(item: pytest.Item) -> int:
        if "tests/e2e/" not in str(item.fspath):
            return 0
        return 1 if "golden_url" in getattr(item, "fixturenames", ()) else 2

    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=order)


def _free_port() -> int:
    for port in range(3950, 4050):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port between 3950 and 4050")


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of the app under test: its own database and a known demo password."""
    _require_browser()
    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "ROADSIDE_ENV": "development",
        "ROADSIDE_DEMO_PASSWORD": DEMO_PASSWORD,
        "EMBEDDED_WORKER": "true",
        "LOG_LEVEL": "WARNING",
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "BUN_INSTALL_CACHE_DIR": str(ROOT / ".tools" / "bun-cache"),
    }
    env.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org")
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [python, "-m", "roadside_console.domain.seed"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return env


@pytest.fixture(scope="session")
def base_url(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the built app on a free port and stop its whole process group afterwards."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("e2e-log") / "app.log"
    reflex = str(ROOT / ".venv" / "bin" / "reflex")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                reflex,
                "run",
                "--env",
                "prod",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
            ],
            cwd=ROOT,
            env=app_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the app exited while starting:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not start in time:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the app's whole process group (granian workers included)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def screenshot(page: object, name: str) -> None:
    """Save a screenshot for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover highlight left over from the last click  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))  # type: ignore[attr-defined]


def assert_no_sideways_scroll(page: object, width: int) -> None:
    """Nothing on the page is wider than the screen (a phone would scroll it sideways)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert scroll_width <= width, f"the page is {scroll_width} px wide on a {width} px screen"
