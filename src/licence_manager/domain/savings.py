"""Savings (issue 13): money a customer did not spend because Licence Manager, or an admin
using it, held back a purchase or gave seats back, valued at the reseller's prices.

Three kinds, each valued on its plan as Google bills it:
- HELD_TOP_UP: an automatic top-up of an ANNUAL plan held because seats could be reclaimed
  (reclaim before buying). Annual seats are paid until the term ends, so the seats not bought
  save their price for every whole month left in the term.
- NOT_RECOMMITTED: an ANNUAL plan renewed with fewer seats than before; the seats dropped save
  their price for every whole month of the new term (12 when Google does not say).
- FLEXIBLE_USER_REMOVED: a user removed from a FLEXIBLE plan, which is billed per assigned user
  per day: the seat's monthly price, each month from now.
Raising a FLEXIBLE cap (`maximumNumberOfSeats`) costs nothing until someone is assigned, so a
held FLEXIBLE top-up saves nothing and is never a saving (nor, elsewhere, a spend).

Every saving has a deterministic id made from what caused it, and is created once, in the
transaction that records the cause; the customer's totals (domain.saving_totals, one document) are
updated in that same transaction, so My Licences reads one document for the month's figure.
Figures are estimates excluding VAT, like every price here (domain.prices).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from licence_manager.domain.model import LicenceKey, PlanKind, known_plan_kind, seats
from licence_manager.domain.prices import Price, money

MONTHS_A_YEAR: Final = 12


class SavingKind(StrEnum):
    HELD_TOP_UP = "HELD_TOP_UP"
    NOT_RECOMMITTED = "NOT_RECOMMITTED"
    FLEXIBLE_USER_REMOVED = "FLEXIBLE_USER_REMOVED"


KIND_LABELS: Final[Mapping[SavingKind, str]] = {
    SavingKind.HELD_TOP_UP: "Top-up held while seats could be reclaimed",
    SavingKind.NOT_RECOMMITTED: "Seats not renewed",
    SavingKind.FLEXIBLE_USER_REMOVED: "Flexible user removed",
}

# The card's plain words for each kind, and for the rule that keeps cap raises out.
KIND_EXPLANATIONS: Final[Mapping[SavingKind, str]] = {
    SavingKind.HELD_TOP_UP: (
        "An automatic top-up of an annual plan was not made because seats could be reclaimed "
        "first. Annual seats are paid for until the plan renews, so each seat not bought "
        "saves its monthly price for every whole month left in the term."
    ),
    SavingKind.NOT_RECOMMITTED: (
        "An annual plan renewed with fewer seats than before. Each seat not renewed saves its "
        "monthly price for every month of the new term."
    ),
    SavingKind.FLEXIBLE_USER_REMOVED: (
        "A user was removed from a flexible plan, which is billed per user per day. Each "
        "removal is counted once, at the seat's monthly price: what stops being paid every "
        "month from then on."
    ),
}
FLEXIBLE_CAP_RULE: Final = (
    "Raising the seat limit of a flexible plan costs nothing until someone is assigned, so it "
    "is never counted as a saving or as a spend."
)


@dataclass(frozen=True, slots=True)
class Saving:
    """One saving, created once under its deterministic id."""

    saving_id: str
    key: LicenceKey
    kind: SavingKind
    seats: int
    months: int  # months each seat is valued for: 1 for a flexible user removed
    per_seat_monthly_minor: int | None  # the customer's price then; None: no price set
    currency: str | None
    month: str  # YYYY-MM on the customer's clock: the month it counts in
    at: datetime
    sku_name: str = ""
    plan_name: str = ""
    detail: str = ""  # the cause in words (the hold's reason, the term ended, the user removed)

    @property
    def amount_minor(self) -> int | None:
        if self.per_seat_monthly_minor is None:
            return None
        return self.per_seat_monthly_minor * self.seats * self.months


def month_of(at: datetime, time_zone: str) -> str:
    return at.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m")


def whole_months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (0 if `end` is not later): 6 Dec to 1 Mar is
    2, 6 Dec to 6 Mar is 3. A part month is left out, so a saving is never overstated."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def months_left(now: datetime, term_ends_at: datetime, time_zone: str) -> int:
    """Whole months left in an annual term, on the customer's calendar."""
    zone = ZoneInfo(time_zone)
    return whole_months_between(now.astimezone(zone).date(), term_ends_at.astimezone(zone).date())


def _priced(price: Price | None) -> tuple[int | None, str | None]:
    return (None, None) if price is None else (price.per_seat_monthly_minor, price.currency)


def held_top_up_id(key: LicenceKey, blocked_alerts: int) -> str:
    """Once per held episode: the episode's blocked alert (`{licence}-blocked-{n}`) is raised
    once per crossing, and its counter names the saving too."""
    return f"{key.doc_id}-held-{blocked_alerts}"


def held_top_up(
    key: LicenceKey,
    *,
    blocked_alerts: int,
    plan_name: str,
    sku_name: str,
    seats_wanted: int,
    term_ends_at: datetime | None,
    price: Price | None,
    at: datetime,
    time_zone: str,
    reason: str = "",
) -> Saving | None:
    """The saving of an automatic top-up held to reclaim before buying, or None when it saves
    nothing: a FLEXIBLE (or trial, free, unknown) plan, where the top-up would only have raised
    a cap; an annual term whose end is unknown or less than a whole month away."""
    if known_plan_kind(plan_name) is not PlanKind.ANNUAL or seats_wanted <= 0:
        return None
    if term_ends_at is None:
        return None
    months = months_left(at, term_ends_at, time_zone)
    if months < 1:
        return None
    minor, currency = _priced(price)
    return Saving(
        saving_id=held_top_up_id(key, blocked_alerts),
        key=key,
        kind=SavingKind.HELD_TOP_UP,
        seats=seats_wanted,
        months=months,
        per_seat_monthly_minor=minor,
        currency=currency,
        month=month_of(at, time_zone),
        at=at,
        sku_name=sku_name,
        plan_name=plan_name,
        detail=reason,
    )


def not_recommitted_id(key: LicenceKey, old_term_ends_at: datetime) -> str:
    """Once per term: a re-sync of the same renewal finds the same id."""
    return f"{key.doc_id}-renewal-{old_term_ends_at.astimezone(ZoneInfo('UTC')).date()}"


def not_recommitted(
    key: LicenceKey,
    *,
    plan_before: str,
    plan_after: str,
    seats_before: int,
    seats_after: int,
    term_ended_at: datetime | None,
    new_term_ends_at: datetime | None,
    sku_name: str,
    price: Price | None,
    at: datetime,
    time_zone: str,
) -> Saving | None:
    """The saving when an annual term rolled over (its end moved later) to fewer committed
    seats; None for anything else. A plan switched to FLEXIBLE at renewal is billed per user
    from then on, so only ANNUAL to ANNUAL counts."""
    annual = PlanKind.ANNUAL
    if known_plan_kind(plan_before) is not annual or known_plan_kind(plan_after) is not annual:
        return None
    if term_ended_at is None or new_term_ends_at is None or new_term_ends_at <= term_ended_at:
        return None
    dropped = seats_before - seats_after
    if dropped <= 0:
        return None
    zone = ZoneInfo(time_zone)
    months = whole_months_between(
        term_ended_at.astimezone(zone).date(), new_term_ends_at.astimezone(zone).date()
    )
    months = months if months >= 1 else MONTHS_A_YEAR
    minor, currency = _priced(price)
    return Saving(
        saving_id=not_recommitted_id(key, term_ended_at),
        key=key,
        kind=SavingKind.NOT_RECOMMITTED,
        seats=dropped,
        months=months,
        per_seat_monthly_minor=minor,
        currency=currency,
        month=month_of(at, time_zone),
        at=at,
        sku_name=sku_name,
        plan_name=plan_after,
        detail=f"Renewed with {seats_after} seats instead of {seats_before}",
    )


def flexible_user_removed(
    key: LicenceKey,
    *,
    request_id: str,
    plan_name: str,
    sku_name: str,
    user: str,
    price: Price | None,
    at: datetime,
    time_zone: str,
    removed: int = 1,
) -> Saving | None:
    """The saving of a user unassigned from a FLEXIBLE plan by the request `request_id` (the
    unassign path's exactly-once request: one saving per request). None on any other plan: an
    annual seat stays paid until renewal, so removing its user saves nothing now."""
    if known_plan_kind(plan_name) is not PlanKind.FLEXIBLE or removed <= 0:
        return None
    minor, currency = _priced(price)
    return Saving(
        saving_id=f"{key.doc_id}-removed-{request_id}",
        key=key,
        kind=SavingKind.FLEXIBLE_USER_REMOVED,
        seats=removed,
        months=1,
        per_seat_monthly_minor=minor,
        currency=currency,
        month=month_of(at, time_zone),
        at=at,
        sku_name=sku_name,
        plan_name=plan_name,
        detail=f"{user} removed" if user else "",
    )


def saving_words(saving: Saving) -> str:
    """One line of the card, in words."""
    what = seats(saving.seats)
    if saving.kind is SavingKind.FLEXIBLE_USER_REMOVED:
        head = f"{what} removed from a flexible plan"
        per = "a month"
    elif saving.kind is SavingKind.HELD_TOP_UP:
        head = f"{what} not bought while seats could be reclaimed"
        per = f"for {saving.months} month{'s' if saving.months != 1 else ''} left in the term"
    else:
        head = f"{what} not renewed"
        per = f"for the {saving.months}-month term"
    amount, currency = saving.amount_minor, saving.currency
    if amount is None or currency is None:
        return f"{head}: no price set, so no amount is estimated."
    return f"{head}: an estimated {money(amount, currency)} saved {per}, excluding VAT."
