"""The customer being viewed is in the address: a link an account manager shares opens the same
customer for whoever follows it (and is refused, as if it did not exist, to anyone who may not
see that customer); addresses from before the customer was in them still work."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browser, Stack

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]


def test_a_shared_link_opens_the_same_customer(stack: Stack, browser: Browser) -> None:
    page = browser.page
    acme = stack.customer_id("acme-widgets.example")
    globex = stack.customer_id("globex.example")

    # An account manager looks at Globex's reports and copies the address.
    browser.sign_in("Morgan Lee")
    picker = page.get_by_role("combobox", name="Customer")
    picker.select_option(globex)
    expect(page).to_have_url(re.compile(rf"/customers/{globex}$"))
    browser.nav("Reports")
    expect(page).to_have_url(re.compile(rf"/customers/{globex}/reports"))
    shared = page.url

    # Switching customer keeps the page and changes the address.
    picker.select_option(acme)
    expect(page).to_have_url(re.compile(rf"/customers/{acme}/reports"))
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()

    # Reseller ops follow the shared link in a new session: the same customer, same page.
    page.get_by_role("button", name="Sign out").click()
    browser.sign_in("Olu Ade")
    page.goto(shared)
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    expect(page.get_by_role("combobox", name="Customer")).to_have_value(globex)

    # Globex's own admin opens a settings link for their licence.
    page.get_by_role("button", name="Sign out").click()
    browser.sign_in("Gus Porter")
    licence = stack.api("GET", f"/customers/{globex}/licences", "admin@globex.example")[0]
    page.goto(f"/customers/{globex}/licences/{licence['skuId']}/settings")
    expect(page.get_by_role("heading", name=f"Settings: {licence['skuName']}")).to_be_visible()

    # ...but not another customer's: the same answer as a customer that does not exist.
    for other in (acme, "C0nosuch"):
        page.goto(f"/customers/{other}/licences")
        expect(page.get_by_role("heading", name="Customer not found")).to_be_visible()
        expect(page.get_by_role("link", name="Go to your licences")).to_have_attribute(
            "href", f"/customers/{globex}"
        )

    # An address from before the customer was in the address goes to one's own customer.
    page.goto("/logs")
    expect(page).to_have_url(re.compile(rf"/customers/{globex}"))


def test_a_page_that_fails_shows_an_error_panel_not_a_blank_app(
    stack: Stack, browser: Browser
) -> None:
    page = browser.page
    browser.sign_in("Nadia Shah")
    northwind = stack.customer_id("northwind.example")
    # The api answers 500 for the licences once: the page says so and offers to try again;
    # the navigation stays usable.
    failures = {"left": 3}  # the client retries a 5xx twice before giving up

    def fail_then_pass(route):  # type: ignore[no-untyped-def]
        if failures["left"] > 0:
            failures["left"] -= 1
            route.fulfill(
                status=500,
                content_type="application/problem+json",
                body='{"type":"about:blank","title":"Internal error","status":500,'
                '"detail":"Something went wrong on our side."}',
            )
        else:
            route.continue_()

    page.route(re.compile(rf"/api/v1/customers/{northwind}/licences$"), fail_then_pass)
    page.goto(f"/customers/{northwind}/licences")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Something went wrong on our side.", timeout=30_000)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    alert.get_by_role("button", name="Try again").click()
    expect(page.locator("table.licences tbody tr").first).to_be_visible()
    # The browser logs each 500 it was served on purpose; nothing else may be logged.
    browser.problems[:] = [p for p in browser.problems if "status of 500" not in p]
