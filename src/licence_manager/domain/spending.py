"""Spending limits on what people ask to buy: manual additions and purchases.

One phished admin account must not be able to commit thousands of annual seats (security
review #11). The reseller sets, per customer, the most seats one request may add and the most
a calendar month's requests may cost (in the customer's time zone); a request above either
waits for reseller ops to approve it. Automatic top-ups are not counted here: the admin's own
caps bound them (domain.buying.automatic_limit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from licence_manager.domain.audit import Source
from licence_manager.domain.automation import month_of
from licence_manager.domain.model import seats
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.prices import Price, PriceLookup
from licence_manager.domain.topup import RequestStatus, TopUpRequest

DEFAULT_MAX_SEATS_PER_REQUEST = 50
DEFAULT_MAX_MONTHLY_COST_MINOR = 200_000  # £2,000
MAX_LIMIT = 1_000_000  # seats, or pounds a month: Firestore integers and typos both bounded
# A request nobody approved in this long is failed by the sweeper; it buys nothing.
APPROVAL_EXPIRY = timedelta(days=7)
# Limits are set in pounds (maxMonthlyPounds); a price in another currency cannot be held to them.
LIMIT_CURRENCY = "GBP"
PEOPLE = (Source.MANUAL, Source.PURCHASE)
# A declined, lapsed, failed or superseded request bought nothing, so it spends nothing.
_SPENT_NOTHING = (RequestStatus.FAILED, RequestStatus.SUPERSEDED)


@dataclass(frozen=True, slots=True)
class SpendingLimit:
    customer_id: str
    max_seats_per_request: int = DEFAULT_MAX_SEATS_PER_REQUEST
    max_monthly_cost_minor: int = DEFAULT_MAX_MONTHLY_COST_MINOR
    currency: str = LIMIT_CURRENCY
    updated_by: str = ""  # empty: the defaults, never changed
    updated_at: datetime | None = None


def request_price(request: TopUpRequest, price_of: PriceLookup) -> Price | None:
    """The customer's price for the request's SKU and plan, or None when none is set."""
    return price_of(request.key.sku_id, request.plan_name)


def request_cost_minor(request: TopUpRequest, price_of: PriceLookup) -> int | None:
    """A request's estimated cost a month at the customer's price, or None when the price list
    has no price for its SKU and plan. FLEXIBLE is priced as if every seat were assigned, though
    Google bills it by use: a raised cap can be filled at once, so the limit must assume it will
    be."""
    price = request_price(request, price_of)
    return None if price is None else price.per_seat_monthly_minor * request.seats_to_add


def spent_this_month(
    requests: Iterable[TopUpRequest], month: str, time_zone: str, price_of: PriceLookup
) -> int:
    """The estimated monthly cost of the customer's manual additions and purchases made in
    `month` (YYYY-MM, in `time_zone`) that may still buy or have bought something."""
    total = 0
    for request in requests:
        if request.source not in PEOPLE or request.status in _SPENT_NOTHING:
            continue
        if month_of(request.created_at, time_zone) != month:
            continue
        total += request_cost_minor(request, price_of) or 0
    return total


def pounds(minor: int) -> str:
    return f"£{minor / 100:,.2f}".replace(".00", "")


def approval_reason(
    limit: SpendingLimit, request: TopUpRequest, spent: int, price_of: PriceLookup
) -> str | None:
    """Why `request` needs reseller ops' approval, or None to go ahead. `spent`: the estimate
    of this month's earlier requests (spent_this_month)."""
    if request.seats_to_add > limit.max_seats_per_request:
        return (
            f"{seats(request.seats_to_add)} is more than the {limit.max_seats_per_request} one "
            "request may add without the reseller's approval"
        )
    price = request_price(request, price_of)
    if price is None:
        return "no price is set for this SKU and plan, so its cost cannot be checked"
    if price.currency != limit.currency:
        return (
            f"its price is in {price.currency} and the spending limit in {limit.currency}, "
            "so its cost cannot be checked"
        )
    cost = price.per_seat_monthly_minor * request.seats_to_add
    if spent + cost > limit.max_monthly_cost_minor:
        return (
            f"it would bring this month's estimated spending to {pounds(spent + cost)} a month, "
            f"above the {pounds(limit.max_monthly_cost_minor)} allowed without the reseller's "
            "approval"
        )
    return None


def limit_problems(seats_per_request: object, monthly_pounds: object) -> dict[str, str]:
    """A message per invalid field of a limits change (None: leave that limit as it is)."""
    errors: dict[str, str] = {}
    for name, value in (
        ("maxSeatsPerRequest", seats_per_request),
        ("maxMonthlyPounds", monthly_pounds),
    ):
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LIMIT:
            errors[name] = f"Must be a whole number from 1 to {MAX_LIMIT:,}."
    return errors


def approval_notification(
    request: TopUpRequest, reason: str, facts: dict[str, str | int | float | None]
) -> Notification:
    """The email saying a request waits for approval; `facts`: the licence's figures, or the
    SKU's name and the customer's domain for a purchase."""
    return Notification(
        f"{request.request_id}-approval",
        request.key,
        NotificationType.APPROVAL_NEEDED,
        request.created_at,
        {
            **facts,
            "seatsWanted": request.seats_to_add,
            "source": request.source.value,
            "requestedBy": request.requested_by,
            "reason": reason,
        },
    )
