"""The price list's pure rules: the customer's price (discount rounded half up, once, per
seat), which row a subscription's plan is priced at, validation, and figures in words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from licence_manager.domain.price_input import PriceError, checked_percent, checked_price
from licence_manager.domain.prices import (
    NO_PRICE,
    Discount,
    Price,
    discounted_minor,
    estimate_words,
    lookup_from,
    money,
    per_seat_minor,
)

STANDARD = "1010020028"
LIST = [
    Price(STANDARD, "Business Standard", "FLEXIBLE", "GBP", 1416),
    Price(STANDARD, "Business Standard", "ANNUAL_MONTHLY_PAY", "GBP", 1180),
    Price("1010020027", "Business Starter", "FLEXIBLE", "EUR", 708),
]


def test_a_discount_is_rounded_half_up_to_a_whole_minor_unit() -> None:
    assert discounted_minor(708, Decimal("12.5")) == 620  # 619.5 → 620
    assert discounted_minor(1416, Decimal("10")) == 1274  # 1274.4 → 1274
    assert discounted_minor(1, Decimal("50")) == 1  # 0.5 → 1
    assert discounted_minor(1000, Decimal("99.99")) == 0  # 0.1 → 0


def test_the_lookup_applies_the_customers_discount_and_keeps_the_currency() -> None:
    price_of = lookup_from(LIST, Discount("C01", Decimal("10")))
    found = price_of(STANDARD, "FLEXIBLE")
    assert found is not None and (found.per_seat_monthly_minor, found.currency) == (1274, "GBP")
    starter = price_of("1010020027", "FLEXIBLE")
    assert starter is not None and starter.currency == "EUR"
    assert per_seat_minor(lookup_from(LIST), STANDARD, "FLEXIBLE") == 1416


def test_googles_plan_names_are_priced_at_their_price_list_row() -> None:
    price_of = lookup_from(LIST)
    # Google reports ANNUAL_MONTHLY_PAY as "ANNUAL"; an unknown plan is flexible (plan_kind).
    assert per_seat_minor(price_of, STANDARD, "ANNUAL") == 1180
    assert per_seat_minor(price_of, STANDARD, "SOMETHING_NEW") == 1416
    # ANNUAL_YEARLY_PAY has its own row, and none is set here.
    assert price_of(STANDARD, "ANNUAL_YEARLY_PAY") is None


def test_no_price_is_none_never_zero_but_a_trial_of_a_priced_sku_is_free() -> None:
    price_of = lookup_from(LIST)
    assert price_of("999", "FLEXIBLE") is None
    assert price_of("999", "TRIAL") is None
    trial = price_of(STANDARD, "TRIAL")
    assert trial is not None and (trial.per_seat_monthly_minor, trial.currency) == (0, "GBP")
    assert per_seat_minor(price_of, STANDARD, "FREE") == 0


def test_a_price_is_validated_field_by_field() -> None:
    assert checked_price(STANDARD, "FLEXIBLE", "GBP", 0) == (STANDARD, "FLEXIBLE", "GBP", 0)
    with pytest.raises(PriceError) as bad:
        checked_price("", "MONTHLY", "gbp", -1)
    assert set(bad.value.problems) == {"skuId", "planName", "currency", "perSeatMonthlyMinor"}
    for minor in (True, 1.5, "100", 10_000_001):
        with pytest.raises(PriceError, match="perSeatMonthlyMinor"):
            checked_price(STANDARD, "FLEXIBLE", "GBP", minor)


def test_a_discount_is_above_0_below_100_with_at_most_two_decimals() -> None:
    assert checked_percent(12.5) == Decimal("12.5")
    assert checked_percent("10.00") == Decimal("10")
    assert str(checked_percent(10)) == "10"
    for bad in (0, 100, -5, 12.345, "ten", True, None, float("nan"), [10]):
        with pytest.raises(PriceError, match="percent"):
            checked_percent(bad)


def test_figures_in_words_say_estimate_and_vat_or_no_price() -> None:
    assert money(7080, "GBP") == "£70.80"
    assert money(123456, "EUR") == "€1,234.56"
    assert money(500, "CHF") == "CHF 5.00"
    assert estimate_words(7080, "GBP") == "estimated £70.80 a month, excluding VAT"
    assert estimate_words(None, None) == NO_PRICE
