"""The Prices page of reseller operations, in a real browser against the whole local stack:
ops change a price and give a customer a discount, and that customer's Add Licences quote
follows both, as an estimate excluding VAT. The demo prices are restored afterwards: the stack
is shared with the other browser tests."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browser, Stack

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

STANDARD = "1010020028"  # Initech: Business Standard, flexible, 8 seats, £14.16 in the demo
OPS = "ops@reseller.example"


def test_ops_change_a_price_and_the_add_licences_quote_follows(
    stack: Stack, browser: Browser
) -> None:
    page = browser.page
    customer = stack.customer_id("initech.example")
    try:
        browser.sign_in("Olu Ade")
        browser.nav("Prices")
        expect(page.get_by_role("heading", name="Prices", exact=True)).to_be_visible()
        row = page.get_by_test_id(f"price-{STANDARD}-FLEXIBLE")
        expect(row).to_contain_text("£14.16")
        row.get_by_role("button", name="Edit").click()
        amount = page.get_by_label("Price a seat a month, excluding VAT")
        amount.fill("15.5.0")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("Enter the price a seat a month")).to_be_visible()
        amount.fill("15")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("to £15.00 a seat a month (was £14.16)")).to_be_visible()
        page.get_by_role("button", name="Confirm price").click()
        expect(row).to_contain_text("£15.00")

        page.get_by_label("Customer to discount").select_option(customer)
        page.get_by_label("Discount off every list price (%)").fill("10")
        page.get_by_role("button", name="Set discount").click()
        page.get_by_role("button", name="Confirm discount").click()
        expect(page.get_by_test_id("discounts")).to_contain_text("10% off")
        expect(page.get_by_test_id("price-changes")).to_contain_text("£14.16 a seat a month")
        browser.screenshot("16-prices")

        page.goto(f"/customers/{customer}/licences/{STANDARD}/add")
        expect(page.get_by_test_id("per-seat-price")).to_have_text("£13.50 a licence a month")
        page.get_by_label("Number of licences to add").fill("2")
        expect(page.get_by_test_id("change-cost")).to_have_text(
            "estimated £27.00 a month more, excluding VAT, at your price"
        )
        expect(page.get_by_test_id("price-note")).to_contain_text("excluding VAT")
    finally:
        stack.api(
            "PUT",
            f"/prices/{STANDARD}/FLEXIBLE",
            OPS,
            {"currency": "GBP", "perSeatMonthlyMinor": 1416},
        )
        stack.api("DELETE", f"/customers/{customer}/price-discount", OPS)
