"""What a change to the price list must be: a price's fields and a discount's percentage,
validated with a message per field (the API answers them as RFC 9457 `errors`, the CLI names
the option)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from licence_manager.domain.catalogue import PLANS

MAX_PER_SEAT_MINOR: Final = 10_000_000  # 100,000.00 a seat a month: a typo, not a price
MAX_DISCOUNT_PERCENT: Final = Decimal(100)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SKU_ID = re.compile(r"^[0-9A-Za-z-]{1,40}$")


class PriceError(ValueError):
    """A price or discount that cannot be saved; `problems` maps each field to why."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def checked_price(
    sku_id: object, plan_name: object, currency: object, per_seat_minor: object
) -> tuple[str, str, str, int]:
    """The fields of a price to set, validated; PriceError naming every bad field."""
    problems: dict[str, str] = {}
    if not isinstance(sku_id, str) or not _SKU_ID.match(sku_id):
        problems["skuId"] = "Must be a SKU id: letters, digits and '-', at most 40."
    if not isinstance(plan_name, str) or plan_name not in PLANS:
        problems["planName"] = f"Must be one of: {', '.join(PLANS)}."
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        problems["currency"] = "Must be an ISO 4217 code of three capital letters, e.g. GBP."
    if (
        not isinstance(per_seat_minor, int)
        or isinstance(per_seat_minor, bool)
        or not 0 <= per_seat_minor <= MAX_PER_SEAT_MINOR
    ):
        problems["perSeatMonthlyMinor"] = (
            f"Must be a whole number of minor units (pence) from 0 to {MAX_PER_SEAT_MINOR:,}."
        )
    if problems:
        raise PriceError(problems)
    assert isinstance(sku_id, str) and isinstance(plan_name, str) and isinstance(currency, str)
    assert isinstance(per_seat_minor, int)
    return sku_id, plan_name, currency, per_seat_minor


def checked_percent(value: object) -> Decimal:
    """A discount percentage: more than 0, less than 100, at most two decimal places."""
    problem = "Must be a percentage above 0 and below 100, with at most two decimals."
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PriceError({"percent": problem})
    try:
        percent = Decimal(str(value))
    except InvalidOperation:
        raise PriceError({"percent": problem}) from None
    if (
        not percent.is_finite()
        or not Decimal(0) < percent < MAX_DISCOUNT_PERCENT
        or percent != percent.quantize(Decimal("0.01"))
    ):
        raise PriceError({"percent": problem})
    return percent.quantize(Decimal(1)) if percent == percent.to_integral() else percent.normalize()
