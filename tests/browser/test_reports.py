"""The Reports page (issue 11) on the demo world's backfilled history: the cards and their
breakdown agree with each other and with the API, the chart draws both series, the month-end
additions report shows its table and totals and downloads as CSV, and so does the range."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import Browser, Stack

DOMAIN, EMAIL, NAME = "acme-widgets.example", "admin@acme-widgets.example", "Alex Morgan"
STARTER, STARTER_NAME = "1010020027", "Google Workspace Business Starter"
SOURCES = ("automatic", "manual", "purchase", "outside")
# The chart's colours (components/reports/UsageChart.tsx) as RGB.
TOTAL_RGB, ASSIGNED_RGB = (0x1A, 0x56, 0xDB), (0x0E, 0x7C, 0x3A)


def today_in_london() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()


def twelve_months(today: date) -> tuple[date, date]:
    """The Month preset: from the first of the month 11 months back to today."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


def month_year(day: date) -> str:
    """A regex of "Nov 2026" as the page writes it (ICU's en-GB may write September "Sept")."""
    return f"{'Sept?' if day.month == 9 else f'{day:%b}'} {day.year}"


def open_reports(browser: Browser) -> Any:
    page = browser.page
    browser.sign_in(NAME)
    browser.nav("Reports")
    page.get_by_label("Licence", exact=True).select_option(label=STARTER_NAME)
    return page


def pixels_of(page: Any, rgb: tuple[int, int, int]) -> int:
    """How many of the chart's pixels are drawn in this colour (lines and points)."""
    count: int = page.evaluate(
        """([r, g, b]) => {
            const canvas = document.querySelector('[data-testid="usage-chart"]');
            const context = canvas.getContext('2d');
            const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4) {
                if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8
                    && Math.abs(data[i + 2] - b) < 8 && data[i + 3] > 200) n++;
            }
            return n;
        }""",
        list(rgb),
    )
    return count


def download(page: Any, button: str | re.Pattern[str], tmp: Path) -> list[dict[str, str]]:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    saved = tmp / info.value.suggested_filename
    info.value.save_as(saved)
    return list(csv.DictReader(io.StringIO(saved.read_text())))


def test_cards_breakdown_and_chart_agree_with_the_api(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    customer = stack.customer_id(DOMAIN)
    page = open_reports(browser)
    page.get_by_role("button", name="Month", exact=True).click()
    first, last = twelve_months(today_in_london())
    search = f"from={first}&to={last}&granularity=month"
    report = stack.api("GET", f"/customers/{customer}/licences/{STARTER}/report?{search}", EMAIL)
    metrics = report["metrics"]
    expect(page.get_by_test_id("report-range")).to_contain_text(
        re.compile(f"{first.day} {month_year(first)} to {last.day} {month_year(last)}, by month")
    )

    # The cards: what the API says, and the breakdown adds up to the total.
    expect(page.get_by_test_id("metric-topups")).to_have_text(str(metrics["totalTopUps"]))
    expect(page.get_by_test_id("metric-added")).to_have_text(str(metrics["totalLicencesAdded"]))
    by_source = metrics["licencesAddedBySource"]
    for source in SOURCES:
        expect(page.get_by_test_id(f"added-{source}")).to_have_text(str(by_source[source]))
    assert sum(by_source.values()) == metrics["totalLicencesAdded"] > 0, "the demo history grows"
    assert (metrics["totalTopUps"] > 0) == (by_source["automatic"] > 0)
    manual = metrics["manualAdditions"]
    expect(page.get_by_test_id("metric-topups-beside")).to_contain_text(
        f"plus {manual} manual addition{'' if manual == 1 else 's'}"
    )
    expect(page.get_by_text("Total Top-Ups counts automatic top-ups only")).to_be_visible()

    # The chart: both series drawn, from the first month with figures, labelled for people.
    chart = page.get_by_test_id("usage-chart")
    expect(chart).to_be_visible()
    assert pixels_of(page, TOTAL_RGB) > 50
    assert pixels_of(page, ASSIGNED_RGB) > 50
    recorded = [p for p in report["series"] if p["total"] is not None]
    page.get_by_text("Show the figures as a table").click()
    rows = page.locator("figure table tbody tr")
    expect(rows).to_have_count(len(recorded))
    first_month = date.fromisoformat(recorded[0]["from"])
    expect(rows.first.locator("th")).to_have_text(re.compile(f"^{month_year(first_month)}$"))
    if len(recorded) < len(report["series"]):
        expect(page.get_by_test_id("chart-starts")).to_be_visible()

    # The range as CSV: a row per period, the same additions.
    rows_csv = download(page, "Download CSV of this report", tmp_path)
    assert [r["period"] for r in rows_csv] == [p["period"] for p in report["series"]]
    assert sum(int(r["licencesAdded"]) for r in rows_csv) == metrics["totalLicencesAdded"]
    assert sum(int(r["automaticTopUps"]) for r in rows_csv) == metrics["totalTopUps"]

    # Another period keeps these figures on screen, dimmed, until its own arrive.
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route("**/report?*granularity=week*", hold)
    page.get_by_role("button", name="Week", exact=True).click()
    expect(page.locator(".report-body.stale")).to_be_visible()
    expect(page.get_by_test_id("metric-added")).to_have_text(str(metrics["totalLicencesAdded"]))
    expect(page.get_by_text("Loading the report")).to_have_count(0)
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    page.unroute("**/report?*granularity=week*")
    expect(page.locator(".report-body.stale")).to_have_count(0)
    expect(page.locator("figure table tbody tr th").first).to_contain_text("w/c ")

    # A range before the licence existed says so, instead of drawing an empty axis.
    page.get_by_role("button", name="Custom").click()
    page.get_by_label("From", exact=True).fill("2024-01-01")
    page.get_by_label("To", exact=True).fill("2024-01-31")
    expect(
        page.get_by_text("No usage was recorded for this licence in this period")
    ).to_be_visible()
    browser.screenshot("08b-reports-empty-range")


def test_month_end_additions_table_totals_and_csv(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    customer = stack.customer_id(DOMAIN)
    today = today_in_london()
    # The latest month before this one with additions (the demo history puts some there).
    month, body = "", None
    start = today.replace(day=1)
    for _ in range(5):
        start = (start - timedelta(days=1)).replace(day=1)
        found = stack.api("GET", f"/customers/{customer}/additions?month={start:%Y-%m}", EMAIL)
        if found["additions"]:
            month, body = f"{start:%Y-%m}", found
            break
    assert body is not None, "the demo history adds licences in the last few months"
    page = open_reports(browser)

    page.get_by_label("Month", exact=True).fill(month)
    section = page.get_by_role("region", name="Month-end additions")
    expect(section.get_by_test_id("month-end-rows").locator("tbody tr")).to_have_count(
        len(body["additions"])
    )
    expect(section.get_by_test_id("month-end-totals").locator("tbody tr")).to_have_count(
        len(body["totals"])
    )
    seats = sum(t["seatsAdded"] for t in body["totals"])
    expect(section.get_by_test_id("month-end-seats")).to_have_text(str(seats))

    button = re.compile(f"Download CSV of the month-end additions for {month_year(start)}")
    rows = download(page, button, tmp_path)
    assert len(rows) == len(body["additions"])
    assert sum(int(r["seatsAdded"]) for r in rows) == seats
    assert {r["customerDomain"] for r in rows} == {DOMAIN}
    browser.screenshot("08c-reports-month-end")
