"""The renewal planner in a real browser against the whole local stack: Northwind's admin opens
the Renewal page of its annual Business Plus from My Licences' row menu, sees the setting the
Admin console left it on (every seat re-committed) with the recommendation and the warning,
changes it to renewing only the seats in use, confirms, and sees it done; the Reseller
simulator's subscription has the new type, and Logs shows the change with the admin's name."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.model import LicenceKey
from licence_manager_local import run
from tests.browser.conftest import Browser, Stack, eventually

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

PLUS = "1010020025"
SKU_NAME = "Google Workspace Business Plus"
DOMAIN, ADMIN = "northwind.example", "admin@northwind.example"
EVERY_SEAT = "Renew every seat (annual plan, yearly payment)"
IN_USE = "Renew only the seats in use (annual plan, yearly payment)"


def test_changing_auto_renew_to_renewing_the_users_in_use(stack: Stack, browser: Browser) -> None:
    customer = stack.customer_id(DOMAIN)
    key = LicenceKey(customer, PLUS)
    # Someone chose "renew every seat" in the Admin console; the next sync records it.
    stack.simulator.update_subscription(DOMAIN, PLUS, renewal_type="AUTO_RENEW_YEARLY_PAY")
    run.trigger_sync()

    def recorded() -> bool:
        found = [lic for lic in stack.store().licences_of(customer) if lic.key == key]
        return bool(found) and found[0].usage.renewal_type == "AUTO_RENEW_YEARLY_PAY"

    eventually(recorded, 60, "the sync to record the renewal type")

    page = browser.page
    browser.sign_in("Nadia Shah")
    row = page.locator("table.licences tbody tr", has_text=SKU_NAME)
    row.get_by_role("button", name=f"Actions for {SKU_NAME}").click()
    page.get_by_role("menuitem", name="Renewal").click()
    expect(page.get_by_role("heading", name=f"Renewal: {SKU_NAME}")).to_be_visible()
    expect(page.get_by_test_id("renewal-setting")).to_have_text(EVERY_SEAT)
    expect(page.get_by_test_id("recommendation")).to_contain_text("Renew")
    expect(page.get_by_test_id("renewal-warning")).to_contain_text("re-commits all 50 seats")
    browser.screenshot("renewal-planner")

    page.get_by_label(IN_USE).check()
    page.get_by_role("button", name="Continue").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("renews at the number of users assigned then")
    dialog.get_by_role("button", name="Change renewal setting").click()
    expect(page.get_by_role("status")).to_contain_text("Changed", timeout=60_000)
    expect(page.get_by_role("heading", name="Renewal setting changed")).to_be_visible()

    # Behind it: Google (the simulator) has the new type, asked for once
    sub = stack.subscription(DOMAIN, PLUS)
    assert sub is not None and sub["renewalType"] == "RENEW_CURRENT_USERS_YEARLY_PAY"
    changes = [
        e
        for e in stack.store().audit_entries(key)
        if e.action is AuditAction.RENEWAL_TYPE_CHANGED and e.actor == ADMIN
    ]
    assert len(changes) == 1 and changes[0].source is Source.MANUAL

    # The page reads the new setting, and Logs shows who changed it
    expect(page.get_by_test_id("renewal-setting")).to_have_text(IN_USE)
    page.get_by_role("link", name="View in Logs").click()
    expect(page.get_by_role("heading", name="Logs")).to_be_visible()
    first = page.locator("table.logs tbody tr").first
    expect(first).to_contain_text("Renewal type changed")
    expect(first).to_contain_text(ADMIN)
    expect(first).to_contain_text("RENEW_CURRENT_USERS_YEARLY_PAY")
