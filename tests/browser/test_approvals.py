"""The Approvals page of reseller operations (security review #11, #14), in a real browser
against the whole local stack: a request above the customer's spending limit waits, with an
email to reseller ops; approving it buys the seats once (the Reseller simulator says so); the
emergency stop's switch shows a banner on every page until buying resumes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from licence_manager.domain.audit import AuditAction
from licence_manager.domain.model import LicenceKey
from licence_manager_local.sendgrid_standin import SendGridStandInControl
from tests.browser.conftest import Browser, Stack, eventually

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

STARTER = "1010020027"  # Northwind: flexible, 30 seats
OPS = "ops@reseller.example"


def test_ops_approve_a_request_above_the_limit_and_pause_buying(
    stack: Stack, browser: Browser
) -> None:
    page = browser.page
    domain, admin = "northwind.example", "admin@northwind.example"
    customer = stack.customer_id(domain)
    before = stack.subscription(domain, STARTER)["seats"]  # type: ignore[index]
    sendgrid = SendGridStandInControl(stack.endpoints.sendgrid)
    held = stack.api(
        "POST", f"/customers/{customer}/licences/{STARTER}/additions", admin, {"seats": 60}
    )
    assert held["status"] == "AWAITING_APPROVAL"
    eventually(
        lambda: any(
            (e["subject"] or "").startswith("Waiting for the reseller's approval")
            and OPS in str(e["personalizations"])
            for e in sendgrid.outbox()
        ),
        60,
        "the approval email to reseller ops",
    )

    browser.sign_in("Olu Ade")
    browser.nav("Approvals")
    item = page.get_by_test_id("approval").filter(has_text="Northwind Traders")
    expect(item).to_contain_text("Add 60 licences")
    expect(item).to_contain_text(admin)
    browser.screenshot("12-approvals")
    item.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing is waiting for approval.")).to_be_visible()
    eventually(
        lambda: stack.subscription(domain, STARTER)["seats"] == before + 60,  # type: ignore[index]
        60,
        "the approved seats at Google",
    )

    def actions() -> list[tuple[AuditAction, str]]:
        entries = stack.store().audit_entries(LicenceKey(customer, STARTER))
        return [(e.action, e.actor) for e in entries]

    # Google's seats change before the applier records it: its audit entry follows moments later.
    eventually(
        lambda: actions()[-1] == (AuditAction.TOP_UP_APPLIED, admin),
        30,
        "the applied top-up in the audit log",
    )
    assert (AuditAction.TOP_UP_APPROVED, OPS) in actions()

    # The emergency stop: a switch with its reason, and a banner on every page while paused.
    try:
        switch = page.get_by_test_id("buying-switch")
        switch.get_by_label("Reason (every user sees it)").fill("card provider incident")
        switch.get_by_role("button", name="Pause all buying").click()
        banner = page.get_by_test_id("buying-paused")
        expect(banner).to_contain_text("card provider incident")
        browser.nav("My Licences")
        expect(banner).to_be_visible()
        assert stack.api("GET", "/buying", admin)["paused"] is True
        browser.nav("Approvals")
        page.get_by_role("button", name="Resume buying").click()
        expect(banner).to_have_count(0)
    finally:
        stack.api("PUT", "/buying", OPS, {"paused": False})
