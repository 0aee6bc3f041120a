"""Changing the reseller's price list, for the CLI and the dashboard alike: validated by the
domain, written with its change record by the PriceList port."""

from __future__ import annotations

from datetime import datetime

from licence_manager.domain.catalogue import SKUS
from licence_manager.domain.price_input import PriceError, checked_percent, checked_price
from licence_manager.domain.prices import Discount, Price
from licence_manager.ports.prices import PriceList

MAX_SKU_NAME = 200


def set_price(
    prices: PriceList,
    *,
    sku_id: object,
    plan_name: object,
    currency: object,
    per_seat_minor: object,
    sku_name: object = None,
    by: str,
    at: datetime,
) -> Price:
    """Create or replace one price; PriceError naming every bad field. The SKU's name is the
    catalogue's unless given (a SKU the catalogue does not list needs one)."""
    problems: dict[str, str] = {}
    try:
        sku, plan, code, minor = checked_price(sku_id, plan_name, currency, per_seat_minor)
    except PriceError as error:
        problems.update(error.problems)
        sku = sku_id if isinstance(sku_id, str) else ""
    name = sku_name if sku_name is not None else (SKUS[sku].sku_name if sku in SKUS else None)
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_SKU_NAME:
        problems["skuName"] = (
            f"Name the SKU (at most {MAX_SKU_NAME} characters): it is not in the catalogue."
        )
    if problems:
        raise PriceError(problems)
    assert isinstance(name, str)
    price = Price(sku, name.strip(), plan, code, minor, at, by)
    prices.save_price(price)
    return price


def remove_price(prices: PriceList, sku_id: str, plan_name: str, *, by: str, at: datetime) -> bool:
    """False when there was no such price."""
    return prices.remove_price(sku_id, plan_name, by, at)


def set_discount(
    prices: PriceList, customer_id: str, percent: object, *, by: str, at: datetime
) -> Discount | None:
    """Set the customer's discount (None clears it); PriceError when the percentage is not
    valid."""
    checked = None if percent is None else checked_percent(percent)
    return prices.save_discount(customer_id, checked, by, at)
