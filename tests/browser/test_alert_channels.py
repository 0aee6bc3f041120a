"""A customer admin adds a Slack channel on the Notifications page beside the demo Chat space,
chooses its alerts, sends it a test message (which arrives in the stand-in) and never sees its
URL again; then removes it."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browser, Stack, open_menu

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]


def posts(stack: Stack) -> list[dict[str, object]]:
    with urllib.request.urlopen(f"{stack.endpoints.channels}/_control/outbox", timeout=5) as r:
        return json.load(r)  # type: ignore[no-any-return]


def test_adding_testing_and_removing_a_slack_channel(stack: Stack, browser: Browser) -> None:
    page = browser.page
    acme = stack.customer_id("acme-widgets.example")
    hook = f"{stack.endpoints.channels}/services/T0/B0/s3cr3tHOOK"
    browser.sign_in("Alex Morgan")
    browser.nav("Notifications")
    channels = page.get_by_role("region", name="Alert channels")
    expect(channels.get_by_text("IT team space")).to_be_visible()  # make run's demo Chat space

    channels.get_by_role("button", name="Add channel").click()
    form = page.get_by_role("form", name="Add a channel")
    form.get_by_label("Kind").select_option(label="Slack channel")
    form.get_by_label("Webhook URL").fill(hook)
    form.get_by_label("Name").fill("#licences")
    form.get_by_label("Month-end report").uncheck()
    form.get_by_role("button", name="Add channel").click()
    expect(channels.get_by_role("status")).to_have_text("#licences added.")
    row = channels.locator("li", has_text="#licences")
    expect(row).to_contain_text("Slack channel")
    expect(row).not_to_contain_text("Month-end report")
    assert "s3cr3tHOOK" not in page.content()  # shown masked, never whole

    before = len(posts(stack))
    open_menu(page, row.get_by_role("button", name="Actions for #licences"))
    page.get_by_role("menuitem", name="Send a test message").click()
    expect(channels.get_by_role("status")).to_have_text("Test message posted to #licences.")
    new = posts(stack)[before:]
    assert [p["kind"] for p in new] == ["slack"] and "test message" in str(new[0]["body"])

    stored = stack.api("GET", f"/customers/{acme}/channels", "admin@acme-widgets.example")
    assert [c["name"] for c in stored if c["kind"] == "slack"] == ["#licences"]
    assert all("s3cr3tHOOK" not in c["urlMasked"] for c in stored)

    open_menu(page, row.get_by_role("button", name="Actions for #licences"))
    page.get_by_role("menuitem", name="Remove").click()
    page.get_by_role("alertdialog", name="Remove this channel?").get_by_role(
        "button", name="Remove"
    ).click()
    expect(channels.get_by_role("status")).to_have_text("#licences removed.")
    expect(channels.get_by_text("#licences", exact=True)).to_have_count(0)
