"""What the reclaimable seats of a SKU are worth, on its plan, and what they change.

FLEXIBLE is billed per assigned user per day: removing a user saves the seat's monthly price.
ANNUAL is billed for every committed seat until the end of the term: reclaiming a seat saves
nothing now, but frees a seat a new user can take instead of one being bought. Plans Google has
not documented are shown as they are, with no saving claimed. Every figure is an estimate at the
reseller's prices (domain.prices).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from licence_manager.domain.insights import HoldersStatus, LicenceInsights
from licence_manager.domain.model import Licence, PlanKind, known_plan_kind, seats
from licence_manager.domain.prices import NO_PRICE, PriceLookup, money
from licence_manager.domain.reclaim import REASON_LABELS, ReclaimableSeat, ReclaimReason
from licence_manager.domain.settings import MAX_SETTING
from licence_manager.domain.spreadsheet import safe_text
from licence_manager.domain.time_words import day_words


class ReclaimEffect(StrEnum):
    SAVES_MONEY = "SAVES_MONEY"  # FLEXIBLE: the seat's charge stops
    FREES_SEAT = "FREES_SEAT"  # ANNUAL: paid until renewal either way; a new user can take it
    NO_COST = "NO_COST"  # TRIAL, FREE: nothing is billed
    UNKNOWN_PLAN = "UNKNOWN_PLAN"  # a plan name Google has not documented


def reclaim_effect(plan_name: str) -> ReclaimEffect:
    kind = known_plan_kind(plan_name)
    if kind is None:
        return ReclaimEffect.UNKNOWN_PLAN
    if kind is PlanKind.ANNUAL:
        return ReclaimEffect.FREES_SEAT
    if kind is PlanKind.FLEXIBLE:
        return ReclaimEffect.SAVES_MONEY
    return ReclaimEffect.NO_COST


@dataclass(frozen=True, slots=True)
class ReclaimSummary:
    """One SKU's reclaimable seats: what My Licences shows and the Reclaim page heads with."""

    sku_id: str
    sku_name: str
    plan_name: str  # as Google reported it, shown as it is
    effect: ReclaimEffect
    count: int
    by_reason: Mapping[ReclaimReason, int]  # every reason, 0 included
    per_seat_minor: int | None  # None: no price set
    currency: str | None
    monthly_cost_minor: int | None  # what these seats cost a month, saved or not
    saves_per_month_minor: int | None  # from now; 0 on ANNUAL, None when unknown
    frees_seats: int  # ANNUAL: seats already paid for that new users can take
    renewal_date: date | None  # ANNUAL: the end of the commitment, when known

    @property
    def saves_now_minor(self) -> int | None:
        """What reclaiming saves a month starting now: 0 on an annual plan until it renews."""
        return self.saves_per_month_minor


def reclaim_summary(
    sku_id: str,
    sku_name: str,
    plan_name: str,
    reclaimable: Iterable[ReclaimableSeat],
    price_of: PriceLookup,
    renewal_date: date | None = None,
) -> ReclaimSummary:
    """The summary of `reclaimable`'s seats of `sku_id` (others are ignored)."""
    found = [s for s in reclaimable if s.holder.sku_id == sku_id]
    by_reason = {reason: sum(s.reason is reason for s in found) for reason in ReclaimReason}
    return summary_of_counts(sku_id, sku_name, plan_name, by_reason, price_of, renewal_date)


def summary_of_counts(
    sku_id: str,
    sku_name: str,
    plan_name: str,
    by_reason: Mapping[ReclaimReason, int],
    price_of: PriceLookup,
    renewal_date: date | None = None,
) -> ReclaimSummary:
    """The same summary from counts by reason alone: what the holder sync stores per SKU
    (domain.insights), so My Licences prices it without reading a single holder."""
    by_reason = {reason: by_reason.get(reason, 0) for reason in ReclaimReason}
    count = sum(by_reason.values())
    price = price_of(sku_id, plan_name)
    per_seat = None if price is None else price.per_seat_monthly_minor
    cost = None if per_seat is None else per_seat * count
    effect = reclaim_effect(plan_name)
    saves: int | None
    if effect is ReclaimEffect.SAVES_MONEY:
        saves = cost
    elif effect is ReclaimEffect.UNKNOWN_PLAN:
        saves = None
    else:
        saves = 0
    annual = effect is ReclaimEffect.FREES_SEAT
    return ReclaimSummary(
        sku_id=sku_id,
        sku_name=sku_name,
        plan_name=plan_name,
        effect=effect,
        count=count,
        by_reason=by_reason,
        per_seat_minor=per_seat,
        currency=None if price is None else price.currency,
        monthly_cost_minor=cost,
        saves_per_month_minor=saves,
        frees_seats=count if annual else 0,
        renewal_date=renewal_date if annual else None,
    )


# Generic on purpose: holdersDetail is for operators, and may name internals.
NO_ACCESS_NOTICE: Final = (
    "User data unavailable: this customer has switched reseller access to its Admin APIs off."
)
ERROR_NOTICE: Final = (
    "User data unavailable: the last daily check of who holds each seat did not complete. "
    "It is tried again tomorrow."
)
NOT_YET_NOTICE: Final = (
    "Who holds each seat has not been checked for this customer yet: it is checked once a day."
)


def unavailable_words(insights: LicenceInsights | None) -> str | None:
    """Why reclaimable seats cannot be shown, in words for the customer; None when they can."""
    if insights is None:
        return NOT_YET_NOTICE
    if insights.holders_status is HoldersStatus.NO_ACCESS:
        return NO_ACCESS_NOTICE
    if insights.holders_status is not HoldersStatus.OK:
        return ERROR_NOTICE
    return None


def customer_summaries(
    licences: list[Licence], insights: LicenceInsights | None, price_of: PriceLookup
) -> dict[str, ReclaimSummary]:
    """Each SKU's reclaimable seats and what they cost, by SKU id: the customer's licences
    (0 where the sync listed no holder) and any SKU the sync saw that is not stored as a
    licence (by its id, plan unknown). Empty when the holders could not be read."""
    if insights is None or insights.holders_status is not HoldersStatus.OK:
        return {}
    names = {lic.key.sku_id: (lic.usage.sku_name, lic.usage.plan_name) for lic in licences}
    found = {}
    for sku_id in sorted(names.keys() | insights.skus.keys()):
        name, plan = names.get(sku_id, (sku_id, ""))
        sku = insights.skus.get(sku_id)
        by_reason = {
            ReclaimReason.SUSPENDED: sku.suspended if sku else 0,
            ReclaimReason.NEVER_SIGNED_IN: sku.never_signed_in if sku else 0,
            ReclaimReason.INACTIVE: sku.inactive if sku else 0,
        }
        found[sku_id] = summary_of_counts(sku_id, name, plan, by_reason, price_of)
    return found


def summary_words(summary: ReclaimSummary) -> str:
    """The sentence My Licences and the Reclaim page show; figures are estimates excluding VAT,
    and with no price set none is made up."""
    s = summary
    if s.count == 0:
        return "No seats to reclaim."
    head = f"{seats(s.count)} can be reclaimed"
    minor, currency = s.monthly_cost_minor, s.currency
    priced = minor is not None and currency is not None
    cost = money(minor, currency) if minor is not None and currency is not None else ""
    if s.effect is ReclaimEffect.SAVES_MONEY:
        billed = "a flexible plan is billed per user per day"
        them = "it" if s.count == 1 else "them"
        if not priced:
            costs = "it costs" if s.count == 1 else "they cost"
            return f"{head}: removing {them} stops what {costs} ({billed}; {NO_PRICE.lower()})."
        return (
            f"{head}: removing {them} saves an estimated {cost} a month, excluding VAT ({billed})."
        )
    if s.effect is ReclaimEffect.FREES_SEAT:
        until = f" on {day_words(s.renewal_date)}" if s.renewal_date else ""
        paying = f" ({cost} a month for these)" if priced else ""
        return (
            f"{head}: on an annual plan every seat is paid for until it renews{until}{paying}, "
            f"so reclaiming saves nothing now but frees {seats(s.frees_seats)} for new users "
            "instead of buying more."
        )
    if s.effect is ReclaimEffect.NO_COST:
        return f"{head}: the {s.plan_name} plan costs nothing, so reclaiming saves nothing."
    paying = f" ({cost} a month at your prices)" if priced else ""
    return (
        f"{head}{paying}: Licence Manager does not know how Google bills the plan "
        f"{s.plan_name}, so no saving is estimated."
    )


def billing_words(summary: ReclaimSummary) -> str:
    """One reclaimable seat's billing, in a few words for the CSV's last column."""
    if summary.effect is ReclaimEffect.SAVES_MONEY:
        return "flexible: saved when removed"
    if summary.effect is ReclaimEffect.FREES_SEAT:
        until = f" {summary.renewal_date.isoformat()}" if summary.renewal_date else ""
        return f"annual: paid until renewal{until}; frees a seat"
    if summary.effect is ReclaimEffect.NO_COST:
        return "not billed"
    return f"plan {summary.plan_name}: billing unknown"


RECLAIM_CSV_COLUMNS: Final = (
    "user",
    "skuId",
    "skuName",
    "planName",
    "reason",
    "lastActivity",
    "activityAsOf",
    "daysWithoutActivity",
    "monthlyCost",
    "currency",
    "billing",
)


def reclaim_csv(
    reclaimable: Iterable[ReclaimableSeat], summaries: Mapping[str, ReclaimSummary]
) -> str:
    """The Reclaim page's export: a row per reclaimable seat. `summaries`: by SKU id; a seat of a
    SKU without one is written with its SKU id and no plan or price."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RECLAIM_CSV_COLUMNS)
    for seat in reclaimable:
        holder = seat.holder
        summary = summaries.get(holder.sku_id)
        per_seat = None if summary is None else summary.per_seat_minor
        seen = seat.last_seen
        days = seat.days_without_activity
        writer.writerow(
            [
                safe_text(holder.email),
                safe_text(holder.sku_id),
                safe_text(summary.sku_name if summary else ""),
                safe_text(summary.plan_name if summary else ""),
                REASON_LABELS[seat.reason],
                "never" if seen is None else seen.date().isoformat(),
                "" if holder.activity_as_of is None else holder.activity_as_of.isoformat(),
                "" if days is None else str(days),
                "" if per_seat is None else f"{per_seat / 100:.2f}",
                (summary.currency or "") if summary else "",
                safe_text(billing_words(summary)) if summary else "",
            ]
        )
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class ReclaimHold:
    """An automatic top-up held because seats can be reclaimed first."""

    reclaimable: int
    threshold: int
    reason: str  # worded as domain.buying.automatic_limit words its reasons
    alert: str  # the sentence the alert sends instead of a purchase


HOLD_SETTING: Final = "holdTopUpsWhenReclaimable"


def hold_setting_problems(hold_topups_when_reclaimable: int | None) -> dict[str, str]:
    """The per-SKU option "do not top up automatically while N or more seats are reclaimable"
    (None: off), validated as LicenceSettings' whole numbers are."""
    value = hold_topups_when_reclaimable
    if value is None:
        return {}
    if value < 1:
        return {HOLD_SETTING: "Hold top-ups from 1 reclaimable seat or more, or switch it off."}
    if value > MAX_SETTING:
        return {HOLD_SETTING: f"At most {MAX_SETTING:,}."}
    return {}


def reclaim_hold(
    hold_topups_when_reclaimable: int | None,
    reclaimable: int | None,
    *,
    plan_name: str,
    seats_wanted: int,
) -> ReclaimHold | None:
    """Reclaim before buying: why an automatic top-up of `seats_wanted` is held, or None to let
    it go ahead. `reclaimable`: the SKU's reclaimable seats, None when the customer's user data
    cannot be read (then nothing is held: the option cannot be judged, and buying goes on as
    the other limits allow).

    To plug in beside domain.buying.automatic_limit (its reason) and policy.plan_top_up (a
    TopUpBlocked whose alert is `alert`), inside the applier's claim and its property test."""
    threshold = hold_topups_when_reclaimable
    if threshold is None or reclaimable is None or reclaimable < threshold:
        return None
    reason = (
        f"{seats(reclaimable)} can be reclaimed, and automatic top-ups wait while "
        f"{threshold} or more can"
    )
    if reclaim_effect(plan_name) is ReclaimEffect.FREES_SEAT:
        why = (
            "On an annual plan every seat is paid for until it renews, so a reclaimed seat "
            "gives a new user one you already pay for."
        )
    else:
        why = "Reclaiming a seat frees it for a new user without buying another."
    alert = (
        f"{seats(seats_wanted)} {'was' if seats_wanted == 1 else 'were'} not added "
        f"automatically: {reason}. {why} Reclaim seats on the Reclaim page, or add seats by hand."
    )
    return ReclaimHold(reclaimable, threshold, reason, alert)
