"""The reseller's price list: what one seat of a SKU costs a month on a plan, in the price's own
currency (ISO 4217), excluding VAT, and an optional discount per customer.

Every figure built from it is an estimate: Google bills flexible plans by daily use, annual
plans by commitment, and the reseller's invoice is what counts. Callers price through a
PriceLookup, so the pure functions that estimate costs never know where prices are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from licence_manager.domain.catalogue import PLANS
from licence_manager.domain.model import PlanKind, plan_kind

NO_PRICE: Final = "No price set"
_SYMBOLS: Final = {"GBP": "£", "EUR": "€", "USD": "$"}


@dataclass(frozen=True, slots=True)
class Price:
    sku_id: str
    sku_name: str
    plan_name: str
    currency: str  # ISO 4217, e.g. GBP
    per_seat_monthly_minor: int  # the currency's minor unit (pence), excluding VAT
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def doc_id(self) -> str:
        return price_id(self.sku_id, self.plan_name)


@dataclass(frozen=True, slots=True)
class Discount:
    customer_id: str
    percent: Decimal  # 12.5 is 12.5% off every price
    updated_at: datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True, slots=True)
class PriceChange:
    """One audit record of the price list: a price set or removed, or a discount set or
    cleared. `before`/`after` are in words, so an export reads without a decoder."""

    change_id: str
    kind: str  # "price" or "discount"
    subject: str  # "{skuId}_{planName}" or the customer id
    before: str
    after: str
    by: str
    at: datetime


# (sku id, plan name) → the price one customer pays, or None when none is set.
PriceLookup = Callable[[str, str], Price | None]


def price_id(sku_id: str, plan_name: str) -> str:
    return f"{sku_id}_{plan_name}"


def no_prices(_sku_id: str, _plan_name: str) -> Price | None:
    """The lookup of a deployment with no price list: nothing is priced."""
    return None


def discounted_minor(minor: int, percent: Decimal) -> int:
    """`minor` less `percent`, rounded half up to a whole minor unit (708p less 12.5% is
    619.5p, so 620p): the customer's price per seat, rounded once, before it is multiplied."""
    exact = Decimal(minor) * (Decimal(100) - percent) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_discount(price: Price, discount: Discount | None) -> Price:
    if discount is None or discount.percent == 0:
        return price
    return replace(
        price,
        per_seat_monthly_minor=discounted_minor(price.per_seat_monthly_minor, discount.percent),
    )


def _row_plan(plan_name: str) -> str:
    """The price-list plan a subscription's plan is priced at: Google reports
    ANNUAL_MONTHLY_PAY as "ANNUAL", and unknown plans are treated as flexible (as plan_kind)."""
    if plan_name in PLANS:
        return plan_name
    kind = plan_kind(plan_name)
    return "ANNUAL_MONTHLY_PAY" if kind is PlanKind.ANNUAL else kind.value


def price_row_id(sku_id: str, plan_name: str) -> str:
    """The price-list document a subscription of `sku_id` on `plan_name` is priced by."""
    return price_id(sku_id, _row_plan(plan_name))


def lookup_from(prices: Iterable[Price], discount: Discount | None = None) -> PriceLookup:
    """A lookup over a price list, with one customer's discount. A trial or free plan costs
    nothing even when no row says so, in the currency of the SKU's other prices; a SKU with no
    price at all has none (never a made-up zero)."""
    rows = {p.doc_id: p for p in prices}
    currency_of = {p.sku_id: p.currency for p in rows.values()}

    def lookup(sku_id: str, plan_name: str) -> Price | None:
        plan = _row_plan(plan_name)
        found = rows.get(price_id(sku_id, plan))
        if found is None and plan_kind(plan) in (PlanKind.TRIAL, PlanKind.FREE):
            if sku_id not in currency_of:
                return None
            return Price(sku_id, "", plan_name, currency_of[sku_id], 0)
        return None if found is None else apply_discount(found, discount)

    return lookup


def per_seat_minor(lookup: PriceLookup, sku_id: str, plan_name: str) -> int | None:
    found = lookup(sku_id, plan_name)
    return None if found is None else found.per_seat_monthly_minor


def money(minor: int, currency: str) -> str:
    """70.80 in words for emails and the CLI: "£70.80", "€70.80", "CHF 70.80"."""
    figure = f"{minor / 100:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{figure}" if symbol else f"{currency} {figure}"


def estimate_words(minor: int | None, currency: str | None) -> str:
    """ "estimated £70.80 a month, excluding VAT" or "No price set"."""
    if minor is None or currency is None:
        return NO_PRICE
    return f"estimated {money(minor, currency)} a month, excluding VAT"


def describe_price(price: Price | None) -> str:
    if price is None:
        return "no price"
    return f"{money(price.per_seat_monthly_minor, price.currency)} a seat a month"


def describe_discount(discount: Discount | None) -> str:
    return "no discount" if discount is None else f"{discount.percent}% off"
