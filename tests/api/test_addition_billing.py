"""The month-end additions report and the Reports page say how each addition is billed
(security review #10): a FLEXIBLE seat change only raises the cap, so it carries no cost; an
ANNUAL one is a commitment with a pro-rata estimate."""

from __future__ import annotations

import csv
import io

from licence_manager.domain.month_end import CAP_RAISE, PRO_RATA
from tests.api.conftest import ACME, ADMIN, STANDARD, STARTER, Api, observe

BASE = f"/api/v1/customers/{ACME}"


def seats_changed_in_the_admin_console(api: Api) -> None:
    """The sync finds both of Acme's SKUs grown: Standard is FLEXIBLE, Starter ANNUAL."""
    observe(
        api.store, customer_id=ACME, domain="acme.example", sku_id=STANDARD, total=12, assigned=8
    )
    observe(
        api.store,
        customer_id=ACME,
        domain="acme.example",
        sku_id=STARTER,
        plan="ANNUAL_YEARLY_PAY",
        total=25,
        assigned=5,
        subscription_id="sub-2",
    )


def test_the_additions_report_marks_a_flexible_cap_raise_and_prices_an_annual_addition(
    api: Api,
) -> None:
    seats_changed_in_the_admin_console(api)

    body = api.call("GET", f"{BASE}/additions?month=2026-11").get_json()

    rows = {r["skuId"]: r for r in body["additions"]}
    assert rows[STANDARD]["planName"] == "FLEXIBLE"
    assert rows[STANDARD]["billing"] == CAP_RAISE
    assert rows[STANDARD]["estimatedCost"] is None
    assert rows[STARTER]["planName"] == "ANNUAL_YEARLY_PAY"
    assert rows[STARTER]["billing"] == PRO_RATA
    # Business Starter annual at £5.90 a seat, 5 seats from 2 November: 29 of 30 days.
    assert rows[STARTER]["estimatedCost"] == round(5 * 590 * 29 / 30 / 100, 2)
    totals = {t["skuId"]: t for t in body["totals"]}
    assert totals[STANDARD]["seatsAdded"] == 2
    assert totals[STANDARD]["estimatedCost"] == 0


def test_the_csv_has_a_billing_column(api: Api) -> None:
    seats_changed_in_the_admin_console(api)

    response = api.client().get(
        f"{BASE}/additions?month=2026-11", headers={**api.headers(ADMIN), "Accept": "text/csv"}
    )

    rows = {r["skuId"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows[STANDARD]["billing"] == CAP_RAISE
    assert rows[STANDARD]["estimatedCost"] == ""
    assert rows[STARTER]["billing"] == PRO_RATA


def test_the_reports_page_lists_each_addition_with_its_plan_and_billing(api: Api) -> None:
    seats_changed_in_the_admin_console(api)

    body = api.call(
        "GET", f"{BASE}/licences/{STANDARD}/report?from=2026-11-01&to=2026-11-30"
    ).get_json()

    (addition,) = body["topUps"]
    assert addition["planName"] == "FLEXIBLE"
    assert addition["billing"] == CAP_RAISE
