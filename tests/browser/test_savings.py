"""The Savings card in a real browser against the whole local stack. Savings are seeded through
the unit of work exactly as the evaluation and the sync record them (create once, with the
customer's totals in the same transaction).

Globex's admin sees this month's figure in My Licences' header, follows it to the Reclaim page,
whose Savings card shows the month's total by kind, each line valued in words, the total since
joining, the plain-words rule that a flexible cap raise never counts, and an empty earlier month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.prices import Price
from licence_manager.domain.savings import (
    FLEXIBLE_CAP_RULE,
    flexible_user_removed,
    held_top_up,
    month_of,
)
from licence_manager.ports.unit_of_work import Transaction
from tests.browser.conftest import Browser, Stack
from tests.browser.test_accessibility import serious

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

ADMIN = "admin@globex.example"


def seed(stack: Stack, customer: str, sku_id: str, time_zone: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    key = LicenceKey(customer, sku_id)
    annual = Price(sku_id, "Business Standard", "ANNUAL_MONTHLY_PAY", "GBP", 1_000)
    flexible = Price(sku_id, "Business Standard", "FLEXIBLE", "GBP", 1_200)
    savings = [
        held_top_up(
            key,
            blocked_alerts=901,
            plan_name="ANNUAL",
            sku_name="Business Standard",
            seats_wanted=3,
            term_ends_at=now + timedelta(days=200),  # 6 whole months left, on any clock
            price=annual,
            at=now,
            time_zone=time_zone,
            reason="4 seats can be reclaimed",
        ),
        flexible_user_removed(
            key,
            request_id="browser-test-1",
            plan_name="FLEXIBLE",
            sku_name="Business Standard",
            user="left.in.march@globex.example",
            price=flexible,
            at=now,
            time_zone=time_zone,
        ),
    ]
    uow = FirestoreUnitOfWork(stack.store()._db)
    for saving in savings:

        def work(tx: Transaction, saving: object = saving) -> bool:
            return tx.record_saving(saving)  # type: ignore[arg-type]

        uow.run(work)
        uow.run(work)  # a replay records nothing more


def test_the_savings_card_and_my_licences_figure(stack: Stack, browser: Browser) -> None:
    page = browser.page
    customer = stack.customer_id("globex.example")
    time_zone = stack.store().customer(customer).time_zone
    licences = stack.api("GET", f"/customers/{customer}/licences", ADMIN)
    seed(stack, customer, licences[0]["skuId"], time_zone)
    before = stack.api("GET", f"/customers/{customer}/savings", ADMIN)
    # Both lines were recorded at the same moment, so their order is not the test's to assume.
    (held_line,) = [line for line in before["lines"] if line["kind"] == "HELD_TOP_UP"]
    months = int(held_line["months"])
    held = 1_000 * 3 * months
    # Other browser tests may record savings for Globex this month too (an unassign from a
    # flexible plan): the card shows them all, so the expected total and rows come from the API.
    others = sum(
        int(line["amountMinor"] or 0)
        for line in before["lines"]
        if line["skuName"] != "Business Standard"
    )
    total = f"£{(held + 1_200 + others) / 100:,.2f}"

    browser.sign_in("Gus Porter")
    figure = page.get_by_test_id("month-savings")
    expect(figure).to_contain_text(f"Saved this month: {total}")
    figure.get_by_role("link", name="Details on the Reclaim page").click()
    expect(page.get_by_role("heading", name="Reclaim", exact=True)).to_be_visible()

    card = page.get_by_test_id("savings-card")
    expect(card.get_by_test_id("savings-total")).to_have_text(total)
    assert before["month"] == month_of(datetime.now(UTC), time_zone)
    lines = card.locator("table.savings-lines tbody tr")
    expect(lines).to_have_count(len(before["lines"]))
    expect(card.locator('tr[data-kind="HELD_TOP_UP"]')).to_contain_text(
        f"3 seats not bought while seats could be reclaimed: an estimated £{held / 100:,.2f}"
    )
    ours = card.locator('tr[data-kind="FLEXIBLE_USER_REMOVED"]').filter(
        has_text="Business Standard"
    )
    expect(ours).to_contain_text("£12.00")
    expect(card.locator('div[data-kind="HELD_TOP_UP"] dt')).to_contain_text(f"£{held / 100:,.2f}")
    expect(card.locator('div[data-kind="NOT_RECOMMITTED"] dt')).to_contain_text("—")
    expect(card.get_by_text(FLEXIBLE_CAP_RULE)).to_be_visible()
    expect(card.get_by_test_id("savings-since-joined")).to_have_text(total)
    browser.screenshot("22-reclaim-savings")
    assert serious(browser, "Reclaim") == []

    card.get_by_role("button", name="Previous month").click()
    expect(card.get_by_text("No savings recorded in")).to_be_visible()
    expect(card.get_by_test_id("savings-total")).to_have_text("nothing yet")
    expect(card.get_by_test_id("savings-since-joined")).to_have_text("nothing yet")
