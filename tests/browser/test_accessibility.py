"""An automated accessibility check (axe-core, the engine behind Lighthouse's accessibility
audit, from the web app's own node_modules) on every page of the dashboard, signed out and
signed in as each role that sees different pages: no serious or critical violation.

axe runs through Playwright's evaluate, which the page's Content Security Policy does not
govern (a script tag would be refused, as it should be)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, Browser, Stack, open_menu

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
STARTER = "1010020027"
SERIOUS = {"serious", "critical"}
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def violations(browser: Browser) -> list[dict[str, Any]]:
    page = browser.page
    expect(page.locator(".spinner")).to_have_count(0, timeout=20_000)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(Path(AXE).read_text())
    found: list[dict[str, Any]] = page.evaluate(
        """async (rules) => {
            const result = await window.axe.run(document, {
              runOnly: { type: "tag", values: rules },
            });
            return result.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
            }));
        }""",
        RULES,
    )
    return found


def serious(browser: Browser, where: str) -> list[str]:
    return [
        f"{where}: {v['impact']} {v['id']} ({v['help']}) at {json.dumps(v['nodes'])}"
        for v in violations(browser)
        if v["impact"] in SERIOUS
    ]


def test_every_page_has_no_serious_accessibility_violation(stack: Stack, browser: Browser) -> None:
    assert AXE.is_file(), "axe-core is missing from web/node_modules: make web installs it"
    page = browser.page
    found: list[str] = []

    page.goto("/")
    expect(page.get_by_role("heading", name="Demo users")).to_be_visible()
    found += serious(browser, "sign-in")

    browser.sign_in("Alex Morgan")
    customer = stack.customer_id("acme-widgets.example")
    pages = {
        "My Licences": f"/customers/{customer}/licences",
        "Settings": f"/customers/{customer}/licences/{STARTER}/settings",
        "Add Licences": f"/customers/{customer}/licences/{STARTER}/add",
        "Purchase": f"/customers/{customer}/purchase",
        "Reclaim": f"/customers/{customer}/reclaim",
        "Reports": f"/customers/{customer}/reports?sku={STARTER}",
        "Logs": f"/customers/{customer}/logs",
        "Notifications": f"/customers/{customer}/notifications",
        "Account": f"/customers/{customer}/account",
        "Page not found": f"/customers/{customer}/no-such-page",
    }
    for name, address in pages.items():
        page.goto(address)
        expect(page.locator("h1").first).to_be_visible()
        found += serious(browser, name)

    # the three-dot menu open, and a dialog open
    page.goto(pages["My Licences"])
    starter = page.get_by_role("button", name="Actions for Google Workspace Business Starter")
    open_menu(page, starter)
    expect(page.get_by_role("menu")).to_be_visible()
    found += serious(browser, "My Licences, menu open")

    browser.page.get_by_role("button", name="Sign out").click()
    browser.sign_in("Olu Ade")
    ops_pages = {
        "Approvals": "/approvals",
        "Prices": "/prices",
        "My Licences (ops)": pages["My Licences"],
    }
    for name, address in ops_pages.items():
        page.goto(address)
        expect(page.locator("h1").first).to_be_visible()
        found += serious(browser, name)

    assert found == [], "\n".join(found)
