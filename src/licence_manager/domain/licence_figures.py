"""The summary line over a customer's licences: SKUs, seats, assigned, vacant and an estimate of
the monthly spend. Pure; prices come from a lookup the caller passes (the catalogue today, the
reseller's own price list later), so this module never decides where prices live."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from licence_manager.domain.model import Licence, PlanKind, plan_kind
from licence_manager.domain.observation import REMOVED

# (sku_id, plan_name) → pence per seat per month excluding VAT; None when no price is set.
PriceLookup = Callable[[str, str], int | None]
ACTIVE = "ACTIVE"


@dataclass(frozen=True, slots=True)
class LicenceFigures:
    skus: int
    seats: int
    assigned: int
    vacant: int
    monthly_spend_minor: int  # the sum of the licences that have a price
    unpriced_skus: tuple[str, ...]  # names of licences counted in spend without a price
    not_billed_skus: tuple[str, ...]  # suspended or pending: left out of the spend

    @property
    def utilisation(self) -> float:
        """Assigned over seats across every licence, in 0..1."""
        return min(self.assigned / self.seats, 1.0) if self.seats > 0 else 0.0

    @property
    def prices_missing(self) -> bool:
        return bool(self.unpriced_skus)


def billed_seats(licence: Licence) -> int:
    """Seats Google bills for a month: an annual plan's commitment (total), a flexible plan's
    assigned users (its total is only a cap), nothing on trials and free plans."""
    kind = plan_kind(licence.usage.plan_name)
    if kind is PlanKind.ANNUAL:
        return licence.usage.total
    if kind is PlanKind.FLEXIBLE:
        return licence.usage.assigned
    return 0


def summarise(licences: Iterable[Licence], price: PriceLookup) -> LicenceFigures:
    """Figures over the licences Google still has (removed ones left out); spend over the
    active ones, at `price`, as an estimate."""
    held = [lic for lic in licences if lic.usage.status != REMOVED]
    spend = 0
    unpriced: list[str] = []
    not_billed: list[str] = []
    for licence in held:
        usage = licence.usage
        if usage.status != ACTIVE:
            not_billed.append(usage.sku_name)
            continue
        seats = billed_seats(licence)
        if seats == 0:
            continue
        per_seat = price(licence.key.sku_id, usage.plan_name)
        if per_seat is None:
            unpriced.append(usage.sku_name)
        else:
            spend += per_seat * seats
    return LicenceFigures(
        skus=len(held),
        seats=sum(lic.usage.total for lic in held),
        assigned=sum(lic.usage.assigned for lic in held),
        vacant=sum(lic.usage.vacant for lic in held),
        monthly_spend_minor=spend,
        unpriced_skus=tuple(unpriced),
        not_billed_skus=tuple(not_billed),
    )
