"""The run-out forecast and the renewal plan in a real browser against the whole local stack
(issue 13). The holder sync runs in the stack every few minutes; the test takes the insights it
wrote and seeds its own forecast for one licence in their place (same last day, seats and
history length, so the sync sees nothing new and leaves it), and moves the licence's annual term
end to 40 days from now in the store, as a sync from Google would write it.

Acme's admin sees, under Business Standard (annual, renewing every seat), the forecast sentence,
"Renews on DATE (40 days) · Renew every seat ...", the recommendation and the warning; on
Reports, the same sentence, and the chart's expected line and 80% band after today, described
in words beside it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.time_words import day_words
from licence_manager_local import run
from tests.browser.conftest import Browser, Stack, eventually
from tests.browser.test_accessibility import serious
from tests.browser.test_reports import pixels_of
from tests.reclaim_seed import growing_forecast

pytestmark = [pytest.mark.slow, pytest.mark.emulator, pytest.mark.browser]

DOMAIN, EMAIL, NAME = "acme-widgets.example", "admin@acme-widgets.example", "Alex Morgan"
STANDARD = "1010020028"  # ANNUAL_MONTHLY_PAY, 25 seats in the demo world
# The chart's forecast colour (components/reports/UsageChart.tsx): the dashed line solid, the
# band the same colour at 0.22 opacity (the canvas itself is transparent).
FORECAST_RGB = (0x52, 0x60, 0x6D)


def seed(stack: Stack, customer: str) -> tuple[Any, LicenceInsights]:
    """The forecast and the term end; returns what to restore."""
    store = stack.store()
    # What the daily Cloud Scheduler job does (the browser stack runs holder syncs on demand).
    run.publish_job(run.HOLDER_SYNC_JOB, run.PROJECT)
    real: LicenceInsights = eventually(
        lambda: store.licence_insights(customer), 240, "the holder sync's insights"
    )
    held = real.forecasts.get(STANDARD)
    assert held is not None, real.forecasts
    licence = next(lic for lic in store.licences_of(customer) if lic.key.sku_id == STANDARD)
    usage = licence.usage
    # Vacant seats run out in about 75 days: within the forecast's 90, and at the renewal in 40
    # days about half of them are still vacant, so renewing every seat re-commits unused ones.
    per_day = (held.seats_total - usage.assigned) / 75
    forecast = growing_forecast(held.seats_total, usage.assigned, per_day, held.as_of, noise=0.15)
    forecast = dataclasses.replace(forecast, history_days=held.history_days)
    store.save_licence_insights(
        dataclasses.replace(real, forecasts={**real.forecasts, STANDARD: forecast})
    )
    ends = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    ref = store._db.collection("licences").document(licence.key.doc_id)
    # Google's default for a new annual plan renews the assigned seats only; an admin who chose
    # to renew every seat gets the warning.
    ref.update({"commitmentEndsAt": ends, "renewalType": "AUTO_RENEW_MONTHLY_PAY"})
    return (ref, (usage.commitment_ends_at, usage.renewal_type), forecast, ends), real


def test_my_licences_and_reports_show_the_forecast_and_the_renewal_plan(
    stack: Stack, browser: Browser
) -> None:
    page = browser.page
    customer = stack.customer_id(DOMAIN)
    (ref, term_end_before, forecast, ends), real = seed(stack, customer)
    try:
        row_json = next(
            r
            for r in stack.api("GET", f"/customers/{customer}/licences", EMAIL)
            if r["skuId"] == STANDARD
        )
        assert row_json["forecast"]["words"] == forecast.words()
        assert forecast.runs_out_on is not None
        renewal = row_json["renewal"]
        assert renewal["daysLeft"] == 40 and renewal["warning"] is not None

        browser.sign_in(NAME)
        row = page.locator(f'tr[data-sku="{STANDARD}"]')
        expect(row.get_by_test_id("forecast")).to_have_text(forecast.words())
        expect(row.get_by_test_id("forecast")).not_to_have_class(_contains("muted"))
        assert forecast.words().startswith("At this rate vacant seats reach 0 around")
        renews_on = ends.astimezone(ZoneInfo("Europe/London")).date()
        expect(row.get_by_test_id("renewal")).to_contain_text(
            f"Renews on {day_words(renews_on)} (40 days) · "
            "Renew every seat (annual plan, monthly payments)"
        )
        expect(row.get_by_test_id("renewal-recommendation")).to_have_text(
            renewal["recommendation"]["words"]
        )
        warning = row.get_by_test_id("renewal-warning")
        expect(warning).to_contain_text("The renewal setting re-commits all 25 seats")
        expect(warning).to_have_attribute("role", "note")
        assert serious(browser, "My Licences") == []
        row.scroll_into_view_if_needed()
        browser.screenshot("20-my-licences-forecast-renewal")

        browser.nav("Reports")
        page.get_by_label("Licence", exact=True).select_option(STANDARD)
        expect(page.get_by_test_id("report-forecast")).to_have_text(forecast.words())
        chart = page.get_by_test_id("usage-chart")
        expect(chart).to_have_attribute("aria-label", _contains("forecast of assigned seats"))
        expect(chart).to_have_attribute("aria-describedby", "chart-forecast-words")
        words = page.get_by_test_id("chart-forecast")
        expect(words).to_contain_text("After today the dashed line is the forecast")
        expect(words).to_contain_text("seats paid for now")
        # The band and the dashed line are drawn (canvas pixels in their colours).
        eventually(lambda: pixels_of(page, FORECAST_RGB) > 100, 10, "the forecast line")
        eventually(lambda: band_pixels(page) > 1000, 10, "the forecast band")
        browser.screenshot("21-reports-forecast")
        words.get_by_text("Show the forecast as a table").click()
        table_rows = page.get_by_test_id("forecast-table").locator("tbody tr")
        # Day by day, as far ahead as the chart shows history (30 days), or to the run-out.
        assert table_rows.count() >= 29
        assert serious(browser, "Reports") == []
    finally:
        ref.update({"commitmentEndsAt": term_end_before[0], "renewalType": term_end_before[1]})
        stack.store().save_licence_insights(real)


def band_pixels(page: Any) -> int:
    """How many of the chart's pixels are the band: the forecast colour, translucent."""
    count: int = page.evaluate(
        """([r, g, b]) => {
            const canvas = document.querySelector('[data-testid="usage-chart"]');
            const context = canvas.getContext('2d');
            const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4) {
                if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8
                    && Math.abs(data[i + 2] - b) < 8 && data[i + 3] > 40 && data[i + 3] < 72) n++;
            }
            return n;
        }""",
        list(FORECAST_RGB),
    )
    return count


def _contains(text: str) -> Any:
    import re

    return re.compile(re.escape(text))
