"""One contract, two price lists: the in-memory fake must behave like Firestore on the emulator
for prices, customer discounts, the record of every change, and the customer's lookup."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from licence_manager.adapters.firestore_prices import FirestorePriceList
from licence_manager.domain.prices import Price
from licence_manager_local.demo_prices import demo_prices, seed_demo_prices
from tests.builders import T0
from tests.fakes.memory_prices import InMemoryPriceList

PriceStore = InMemoryPriceList | FirestorePriceList
STANDARD = "1010020028"
OPS = "ops@reseller.example"


@pytest.fixture(params=["memory", "firestore"])
def prices(request: pytest.FixtureRequest) -> PriceStore:
    if request.param == "memory":
        return InMemoryPriceList()
    return FirestorePriceList(request.getfixturevalue("firestore_client"))


def price(minor: int, plan: str = "FLEXIBLE", minutes: int = 0) -> Price:
    at = T0 + timedelta(minutes=minutes)
    return Price(STANDARD, "Business Standard", plan, "GBP", minor, at, OPS)


def test_prices_round_trip_sorted_and_replace_by_sku_and_plan(prices: PriceStore) -> None:
    prices.save_price(price(1416))
    prices.save_price(price(1180, "ANNUAL_MONTHLY_PAY", 1))
    prices.save_price(price(1500, minutes=2))
    assert [(p.plan_name, p.per_seat_monthly_minor) for p in prices.prices()] == [
        ("ANNUAL_MONTHLY_PAY", 1180),
        ("FLEXIBLE", 1500),
    ]
    assert prices.prices()[1] == price(1500, minutes=2)


def test_removing_a_price_is_recorded_and_a_missing_one_is_not(prices: PriceStore) -> None:
    prices.save_price(price(1416))
    assert prices.remove_price(STANDARD, "FLEXIBLE", OPS, T0 + timedelta(minutes=1))
    assert prices.prices() == []
    assert not prices.remove_price(STANDARD, "FLEXIBLE", OPS, T0 + timedelta(minutes=2))
    changes = prices.price_changes(10)
    assert [(c.before, c.after) for c in changes] == [
        ("£14.16 a seat a month", "no price"),
        ("no price", "£14.16 a seat a month"),
    ]
    assert changes[0].subject == f"{STANDARD}_FLEXIBLE" and changes[0].by == OPS


def test_a_discount_is_set_changed_and_cleared_with_a_record_each(prices: PriceStore) -> None:
    assert prices.discount("C01") is None
    prices.save_discount("C01", Decimal("12.5"), OPS, T0)
    prices.save_discount("C01", Decimal("10"), OPS, T0 + timedelta(minutes=1))
    prices.save_discount("C02", Decimal("5"), OPS, T0 + timedelta(minutes=2))
    found = prices.discount("C01")
    assert found is not None and found.percent == Decimal("10") and found.updated_by == OPS
    assert [d.customer_id for d in prices.discounts()] == ["C01", "C02"]
    prices.save_discount("C01", None, OPS, T0 + timedelta(minutes=3))
    assert prices.discount("C01") is None
    changes = prices.price_changes(2)
    assert [(c.kind, c.subject, c.before, c.after) for c in changes] == [
        ("discount", "C01", "10% off", "no discount"),
        ("discount", "C02", "no discount", "5% off"),
    ]


def test_the_customers_lookup_is_the_list_price_less_their_discount(prices: PriceStore) -> None:
    seed_demo_prices(prices)
    seed_demo_prices(prices)  # a second start-up keeps what is there
    assert len(prices.prices()) == len(demo_prices())
    prices.save_discount("C01", Decimal("12.5"), OPS, T0)
    mine, list_price = prices.price_lookup("C01"), prices.price_lookup(None)
    assert getattr(mine(STANDARD, "FLEXIBLE"), "per_seat_monthly_minor", None) == 1239
    assert getattr(list_price(STANDARD, "FLEXIBLE"), "per_seat_monthly_minor", None) == 1416
    assert prices.price_lookup("C02")(STANDARD, "ANNUAL") == list_price(STANDARD, "ANNUAL")
