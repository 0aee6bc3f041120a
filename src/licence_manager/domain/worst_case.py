"""What automatic top-ups could cost at worst in one calendar month, so an admin sees the money
before saving: the most seats the caps let automation add in a month, at the customer's
price from the reseller's price list (an estimate, excluding VAT; the reseller's invoice is
what counts)."""

from __future__ import annotations

from dataclasses import dataclass

from licence_manager.domain.model import TRIAL_SEAT_CAP, PlanKind, Usage, plan_kind
from licence_manager.domain.prices import PriceLookup
from licence_manager.domain.settings import LicenceSettings


@dataclass(frozen=True, slots=True)
class WorstCaseMonth:
    # None: nothing bounds it (settings saved before a cap was required).
    seats: int | None
    # Seats times the price per seat per month; None when unbounded or the SKU has no price.
    estimated_cost_minor: int | None
    currency: str | None = None  # the price's; None when no price is set


def worst_case_month(
    settings: LicenceSettings, usage: Usage, sku_id: str, price_of: PriceLookup
) -> WorstCaseMonth:
    seats = _most_seats_in_a_month(settings, usage)
    price = price_of(sku_id, usage.plan_name)
    if price is None:
        return WorstCaseMonth(seats, None)
    cost = None if seats is None else seats * price.per_seat_monthly_minor
    return WorstCaseMonth(seats, cost, price.currency)


def _most_seats_in_a_month(settings: LicenceSettings, usage: Usage) -> int | None:
    kind = plan_kind(usage.plan_name)
    if not settings.auto_top_up or kind is PlanKind.FREE:
        return 0
    # The policy refuses a top-up that would pass any of these, so each bounds a month.
    bounds: list[int] = []
    if settings.max_seats_per_month is not None:
        bounds.append(settings.max_seats_per_month)
    if settings.max_total_seats is not None:
        bounds.append(settings.max_total_seats - usage.total)
    if kind is PlanKind.TRIAL:
        bounds.append(TRIAL_SEAT_CAP - usage.total)
    return max(min(bounds), 0) if bounds else None
