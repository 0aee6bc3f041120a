"""The browser tests: the whole local stack (`make run`'s own start-up: emulators, Reseller
simulator, SendGrid stand-in, every function, the api serving the built web app) and Debian's
chromium driven by Playwright. Never a downloaded browser: `make test` installs chromium from
Debian first (Makefile `chromium`) and builds the web app (`make web`).

Each test gets a new browser profile (a fresh user-data-dir). Console errors and Content
Security Policy violations fail the test. With UPDATE_SCREENSHOTS=1 the screenshots each test
takes are written to docs/screenshots/ (README.md and docs/dashboard.md show them); otherwise
to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from licence_manager_local import run
from licence_manager_local.emulators import free_port
from licence_manager_local.simulator import SimulatorControl

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def eventually(check: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def settled(page: Any) -> None:
    """Two animation frames: a scroll or resize has delivered its events."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def open_menu(page: Any, button: Any) -> None:
    """Click a three-dot menu's button as a person would: scrolled to first. The menu closes
    when anything scrolls, so a click that scrolled the page itself would close it as it opens
    (rows with a renewal plan make My Licences taller than the window). A live update can
    replace the row between finding the button and scrolling to it; a person would simply
    find it again, and so does this."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(5):
        try:
            button.scroll_into_view_if_needed()
            settled(page)
            button.click()
            return
        except PlaywrightError as error:
            if "not attached" not in str(error) or attempt == 4:
                raise
            settled(page)


@dataclass
class Stack:
    endpoints: run.Endpoints
    simulator: SimulatorControl
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.endpoints.api

    def customer_id(self, domain: str) -> str:
        return next(
            c["customerId"]
            for c in self.simulator.snapshot()["customers"]
            if c["customerDomain"] == domain
        )

    def subscription(self, domain: str, sku_id: str) -> dict[str, Any] | None:
        return next(
            (
                s
                for s in self.simulator.snapshot()["subscriptions"]
                if s["customerDomain"] == domain and s["skuId"] == sku_id
            ),
            None,
        )

    def api(self, method: str, path: str, email: str, body: Any = None) -> Any:
        """Call the api as a demo user (the same dev sign-in the page uses)."""
        if email not in self.tokens:
            self.tokens[email] = self._request("POST", "/session", None, {"email": email})["token"]
        return self._request(method, path, self.tokens[email], body)

    def _request(self, method: str, path: str, token: str | None, body: Any) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"{self.url}/api/v1{path}",
            data=None if body is None else json.dumps(body).encode(),
            headers=headers,
            method=method,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def store(self) -> Any:
        from google.cloud import firestore

        from licence_manager.adapters.firestore_dashboard import FirestoreApiStore

        os.environ["FIRESTORE_EMULATOR_HOST"] = self.endpoints.firestore_host
        return FirestoreApiStore(firestore.Client(project=run.PROJECT))


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        pytest.fail("the web app is not built: run `make web` (make test does)", pytrace=False)
    local = run.Stack(tmp_path_factory.mktemp("browser-stack"))
    args = argparse.Namespace(
        sync_interval=0,
        drift_seconds=0,
        port=free_port(),
        demo_settings=False,
        # Holder syncs too run on demand only (test_outlook asks for one): the Reclaim page's
        # test seeds its holders as the sync writes them, and a tick between would replace them.
        holder_sync_interval=0,
        # The syncs here run on demand only; an hour's interval keeps the stale-figures banner
        # off every page (test_my_licences ages the heartbeat to show it).
        function_env={"SYNC_INTERVAL_SECONDS": "3600"},
    )
    saved = dict(os.environ)
    os.environ["DEMO_HISTORY"] = "1"  # a few months of history, so Reports draw a real chart
    try:
        endpoints = run.start(local, args, threading.Event())
        result = Stack(endpoints, SimulatorControl(endpoints.simulator))
        run.trigger_sync()

        def synced() -> bool:
            try:
                ops = "ops@reseller.example"
                customers = result.api("GET", "/customers", ops)["customers"]
                # and the run has finished: its heartbeat says the figures were checked
                first = customers[0]["customerId"]
                status = result.api("GET", f"/customers/{first}/sync-status", ops)
                return len(customers) >= 4 and status["state"] == "fresh"
            except (urllib.error.URLError, OSError, IndexError):
                return False

        eventually(synced, 90, "the first sync")
        yield result
    finally:
        local.stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: make chromium", pytrace=False)
    with sync_playwright() as driver:
        yield driver


class Browser:
    """One test's browser: a fresh profile, console errors collected, screenshots named."""

    def __init__(self, driver: Any, profile: Path, shots: Path, base_url: str) -> None:
        self.context = driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 860},
            base_url=base_url,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        self.context.set_default_timeout(20_000)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.shots = shots

    def _console(self, message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def screenshot(self, name: str, full_page: bool = True) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        # Show the page as the user reads it, not mid-load: wait out every loading spinner.
        from playwright.sync_api import expect

        expect(self.page.locator(".spinner")).to_have_count(0, timeout=20_000)
        self.page.screenshot(
            path=str(self.shots / f"{name}.png"), full_page=full_page, animations="disabled"
        )

    def sign_in(self, name: str) -> None:
        """The local dev sign-in: the demo user's button on the sign-in page."""
        page = self.page
        page.goto("/")
        page.get_by_role("button", name=f"Sign in as {name}").click()
        page.get_by_role("heading", name="My Licences").wait_for()

    def nav(self, label: str) -> None:
        """The left-hand panel."""
        self.page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browser(playwright_driver: Any, stack: Stack, tmp_path: Path) -> Iterator[Browser]:
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "shots"
    opened = Browser(playwright_driver, tmp_path / "profile", shots, stack.url)
    try:
        yield opened
    finally:
        opened.close()
    assert opened.problems == [], "\n".join(opened.problems)
