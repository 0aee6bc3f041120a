"""My Licences in a real browser against the whole local stack: the freshness line and the
summary, sort and filters kept in the address, the three-dot menu never clipped (the last row,
near the bottom of the window, on a phone), no sideways scrolling at 1280 and 375 px, and the
stale-figures banner on every page when the sync has not checked the customer for too long."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from licence_manager.adapters.heartbeat_codec import heartbeat_to_doc
from licence_manager.domain.freshness import STALE_AFTER_INTERVALS, SyncHeartbeat
from licence_manager_local import run
from tests.browser.conftest import Browser, Stack, eventually, open_menu, settled

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

GLOBEX, INITECH = "globex.example", "initech.example"


def rows(browser: Browser) -> Any:
    return browser.page.locator("table.licences tbody tr")


def names(browser: Browser) -> list[str]:
    return [n.strip() for n in rows(browser).locator(".sku-name").all_inner_texts()]


def no_sideways_scroll(browser: Browser) -> bool:
    return bool(
        browser.page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def menu_fully_visible(browser: Browser) -> None:
    """The open menu lies inside the window, and what is drawn at each item is that item."""
    menu = browser.page.get_by_role("menu")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    size = browser.page.viewport_size
    assert box is not None and size is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"]
    for item in menu.get_by_role("menuitem").all():
        assert item.evaluate(
            "el => { const r = el.getBoundingClientRect();"
            " const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
            " return el.contains(hit); }"
        ), item.inner_text()


def test_summary_sort_filter_and_an_unclipped_menu(stack: Stack, browser: Browser) -> None:
    page = browser.page
    customer = stack.customer_id(GLOBEX)
    licences = stack.api("GET", f"/customers/{customer}/licences", "admin@globex.example")
    summary = stack.api("GET", f"/customers/{customer}/licence-summary", "admin@globex.example")
    browser.sign_in("Gus Porter")

    # how fresh the figures are, from the sync's own heartbeat (this stack: every hour)
    expect(page.get_by_test_id("freshness")).to_contain_text(
        re.compile(r"Checked with Google at \d\d:\d\d, every hour\.")
    )
    line = page.get_by_test_id("licence-summary")
    held = [lic for lic in licences if lic["status"] != "REMOVED"]
    expect(line).to_contain_text(f"{len(held)} licence types")
    expect(line).to_contain_text(f"{sum(lic['total'] for lic in held):,} seats")
    expect(line).to_contain_text(f"{sum(lic['assigned'] for lic in held):,} assigned")
    expect(line).to_contain_text(f"{sum(lic['vacant'] for lic in held):,} vacant")
    expect(line).to_contain_text(re.compile(r"\d+(\.\d)?% in use"))
    pounds = summary["estimatedMonthlySpendMinor"] / 100
    expect(line).to_contain_text(f"about £{pounds:,.2f} a month")
    expect(line).to_contain_text("estimate, excluding VAT")
    assert summary["notBilledSkus"] == ["Google Workspace Business Starter"]  # suspended

    # fits at 1280 px: no sideways scrolling, inside the page or inside the table's box
    assert no_sideways_scroll(browser)
    assert page.locator(".licences-wrap").evaluate("el => el.scrollWidth <= el.clientWidth")
    names_locator = rows(browser)
    expect(names_locator).to_have_count(len(licences))
    assert names(browser) == sorted(names(browser), key=str.lower)

    # sort by utilisation, highest first: kept in the address, so the link opens the same view
    page.get_by_label("Sort by", exact=True).select_option(label="Utilisation, highest first")
    expect(page).to_have_url(re.compile(r"sort=use-desc"))
    by_use = sorted(licences, key=lambda lic: (-lic["utilisation"], lic["skuName"].lower()))
    expect(names_locator.locator(".sku-name")).to_have_text([lic["skuName"] for lic in by_use])
    page.reload()
    expect(page.get_by_label("Sort by", exact=True)).to_have_value("use-desc")
    expect(names_locator.locator(".sku-name")).to_have_text([lic["skuName"] for lic in by_use])

    # filter by status, by name, by utilisation; clear them
    page.get_by_label("Status", exact=True).select_option(label="Suspended")
    expect(names_locator).to_have_count(1)
    expect(names_locator.first).to_contain_text("Business Starter")
    expect(page.get_by_text(f"Showing 1 of {len(licences)} licence types")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    page.get_by_label("Name", exact=True).fill("enterprise")
    expect(page).to_have_url(re.compile(r"q=enterprise"))
    expect(names_locator).to_have_count(
        sum("enterprise" in lic["skuName"].lower() for lic in licences)
    )
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Utilisation", exact=True).select_option(label="95% or more")
    full = [lic for lic in licences if lic["utilisation"] >= 0.95]
    expect(names_locator).to_have_count(len(full))
    page.get_by_role("button", name="Clear filters").click()
    expect(names_locator).to_have_count(len(licences))

    # the last row's menu opens fully visible, below its button...
    last = names(browser)[-1]
    button = page.get_by_role("button", name=f"Actions for {last}")
    open_menu(page, button)
    menu_fully_visible(browser)
    page.keyboard.press("Escape")
    expect(button).to_be_focused()
    # ...and above it when the button is near the bottom of the window
    box = button.bounding_box()
    assert box is not None
    page.set_viewport_size({"width": 1280, "height": int(box["y"] + box["height"] + 30)})
    settled(page)
    button.click()
    menu_fully_visible(browser)
    browser.screenshot("03-licence-menu-last-row", full_page=False)
    menu_box, button_box = page.get_by_role("menu").bounding_box(), button.bounding_box()
    assert menu_box is not None and button_box is not None
    assert menu_box["y"] + menu_box["height"] <= button_box["y"]
    # it closes rather than drift away from its button when the window changes
    page.set_viewport_size({"width": 1280, "height": 860})
    expect(page.get_by_role("menu")).to_have_count(0)

    # 375 px: cards, no sideways scrolling, the menu inside the window
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    expect(names_locator).to_have_count(len(licences))
    assert no_sideways_scroll(browser)
    browser.screenshot("02-my-licences-375px")
    last_button = page.get_by_role("button", name=f"Actions for {last}")
    open_menu(page, last_button)
    menu_fully_visible(browser)
    page.get_by_role("menuitem", name="Settings").click()
    expect(page.get_by_role("heading", name=f"Settings: {last}")).to_be_visible()
    assert no_sideways_scroll(browser)


def age(stack: Stack, shift: timedelta) -> None:
    """Move the heartbeat's times back by `shift`, as if that long had passed without a sync:
    the test cannot wait hours."""
    store = stack.store()
    beat = store.sync_heartbeat()
    assert beat is not None
    shards = {
        key: dataclasses.replace(
            shard,
            attempted_at=shard.attempted_at - shift,
            checked_at=shard.checked_at and shard.checked_at - shift,
        )
        for key, shard in beat.shards.items()
    }
    doc = heartbeat_to_doc(SyncHeartbeat(beat.interval_seconds, shards))
    store._db.collection("sync_runs").document("latest").update(doc)


def status_of(stack: Stack, customer_id: str) -> dict[str, Any]:
    result: dict[str, Any] = stack.api(
        "GET", f"/customers/{customer_id}/sync-status", "ops@reseller.example"
    )
    return result


def test_the_stale_banner_on_every_page_with_the_recorded_reason(
    stack: Stack, browser: Browser
) -> None:
    page = browser.page
    customer = stack.customer_id(INITECH)
    beat = stack.store().sync_heartbeat()
    assert beat is not None
    too_long = timedelta(seconds=beat.interval_seconds * (STALE_AFTER_INTERVALS + 1))
    browser.sign_in("Ines Lumbergh")
    expect(page.get_by_test_id("sync-stale")).to_have_count(0)
    try:
        # the sync stops: nothing runs for four intervals, and nothing was recorded as wrong
        age(stack, too_long)
        page.reload()
        banner = page.get_by_test_id("sync-stale")
        expect(banner).to_contain_text("These figures may be out of date.")
        expect(banner).to_contain_text("but the check should run every hour")
        expect(banner).to_contain_text("the sync may have stopped running")
        browser.nav("Reports")
        expect(page.get_by_role("heading", name="Reports")).to_be_visible()
        expect(page.get_by_test_id("sync-stale")).to_be_visible()

        # it runs again, but Google refuses this customer: still stale, now with the reason
        stack.simulator.set_forbidden(customer)
        run.trigger_sync()
        eventually(lambda: status_of(stack, customer)["reason"], 60, "the 403 to be recorded")
        assert status_of(stack, customer)["state"] == "stale"
        browser.nav("Logs")
        page.reload()  # rather than wait for the banner's next minutely check
        banner = page.get_by_test_id("sync-stale")
        expect(banner).to_contain_text("refused access to this customer (403 forbidden)")
        browser.screenshot("14-stale-figures-banner", full_page=False)
    finally:
        stack.simulator.set_forbidden(customer, False)
        started = datetime.now(UTC)
        run.trigger_sync()
        eventually(
            lambda: (
                status_of(stack, customer)["state"] == "fresh"
                and datetime.fromisoformat(status_of(stack, customer)["checkedAt"])
                >= started - timedelta(seconds=5)
            ),
            60,
            "a good sync",
        )
    browser.nav("My Licences")
    page.reload()
    expect(page.get_by_test_id("freshness")).to_contain_text("Checked with Google at")
    expect(page.get_by_test_id("sync-stale")).to_have_count(0)


def test_a_customer_failing_only_recently_is_told_why_without_a_banner(
    stack: Stack, browser: Browser
) -> None:
    """Not yet stale: My Licences names the problem, and no page shouts about it."""
    page = browser.page
    customer = stack.customer_id(INITECH)
    try:
        stack.simulator.set_forbidden(customer)
        run.trigger_sync()
        eventually(lambda: status_of(stack, customer)["reason"], 60, "the 403 to be recorded")
        browser.sign_in("Ines Lumbergh")
        expect(page.get_by_test_id("freshness")).to_contain_text(
            "The latest check did not complete: Google's Reseller API refused access"
        )
        expect(page.get_by_test_id("sync-stale")).to_have_count(0)
    finally:
        stack.simulator.set_forbidden(customer, False)
        run.trigger_sync()
        eventually(lambda: status_of(stack, customer)["reason"] is None, 60, "a good sync")
