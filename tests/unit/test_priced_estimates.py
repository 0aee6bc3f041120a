"""Each estimate made from the price list, where a price is missing, discounted or in another
currency: never a crash, never a made-up zero (the month-end report, the spending limit and
the worst case of automatic top-ups)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from licence_manager.domain import spending
from licence_manager.domain.audit import Source
from licence_manager.domain.model import LicenceKey, Usage
from licence_manager.domain.month_end import month_additions, parse_month
from licence_manager.domain.prices import Discount, Price, PriceLookup, lookup_from, no_prices
from licence_manager.domain.reports import Addition
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import TopUpRequest
from licence_manager.domain.worst_case import worst_case_month
from licence_manager_local.demo_prices import demo_prices

KEY = LicenceKey("C01", "1010020028")
AT = datetime(2026, 10, 1, 9, tzinfo=UTC)
ANNUAL = "ANNUAL_MONTHLY_PAY"


def october(price_of: PriceLookup) -> tuple[list[dict[str, str]], str]:
    addition = Addition(
        AT, "C01", KEY.sku_id, 2, 10, 12, Source.MANUAL.value, "alex", "TOP_UP_APPLIED", ANNUAL
    )
    found = month_additions(
        customer_id="C01",
        customer_domain="acme.example",
        customer_name="Acme",
        month=parse_month("2026-10"),
        time_zone="Europe/London",
        additions=[addition],
        licences={},
        price_of=price_of,
    )
    return list(csv.DictReader(io.StringIO(found.csv()))), found.summary().sku_summary


def test_month_end_without_a_price_says_so_and_costs_nothing_made_up() -> None:
    rows, summary = october(no_prices)
    assert (rows[0]["estimatedCost"], rows[0]["currency"]) == ("", "")
    assert rows[0]["billing"] == "pro-rata estimate; no price set"
    assert summary == f"{KEY.sku_id}: 2 seats (no price set)"


def test_month_end_is_at_the_customers_price_in_its_currency() -> None:
    euro = [Price(KEY.sku_id, "Standard", ANNUAL, "EUR", 1000)]
    rows, summary = october(lookup_from(euro, Discount("C01", Decimal("10"))))
    # 2 seats x 900 cents, the whole of October left
    assert (rows[0]["estimatedCost"], rows[0]["currency"]) == ("18.00", "EUR")
    assert summary.endswith("(€18.00)")


def request(seats: int, plan: str = "FLEXIBLE") -> TopUpRequest:
    return TopUpRequest("r", KEY, Source.MANUAL, "alex", plan, seats, 10, 10 + seats, AT)


def test_the_spending_limit_cannot_pass_what_it_cannot_price() -> None:
    limit = spending.SpendingLimit("C01")
    reason = spending.approval_reason(limit, request(1), 0, no_prices)
    assert reason == "no price is set for this SKU and plan, so its cost cannot be checked"
    euro = lookup_from([Price(KEY.sku_id, "Standard", "FLEXIBLE", "EUR", 100)])
    reason = spending.approval_reason(limit, request(1), 0, euro)
    assert reason is not None and "in EUR and the spending limit in GBP" in reason
    assert spending.approval_reason(limit, request(1), 0, lookup_from(demo_prices())) is None
    assert spending.request_cost_minor(request(3), no_prices) is None


def test_the_worst_case_follows_the_customers_discount() -> None:
    settings = LicenceSettings(
        auto_top_up=True, top_up_when_vacant_below=2, top_up_target_vacant=4, max_seats_per_month=10
    )
    usage = Usage("Business Standard", "FLEXIBLE", "sub-1", "ACTIVE", 10, 0)
    discounted = lookup_from(demo_prices(), Discount("C01", Decimal("12.5")))
    worst = worst_case_month(settings, usage, KEY.sku_id, discounted)
    assert (worst.seats, worst.estimated_cost_minor, worst.currency) == (10, 12390, "GBP")
