"""The month-end additions report used for invoicing: every seat added in a calendar month,
with its source, the plan it was added on, and how that plan bills it.

Google bills the plans differently (Reseller API, `Seats`): an ANNUAL addition is a commitment
billed pro rata from the day it was made, so it gets an estimated cost; a FLEXIBLE (or TRIAL)
addition only raises `maximumNumberOfSeats`, the cap on users, and costs nothing until users
are assigned, so it gets no cost and is marked as a cap raise.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from licence_manager.domain.model import Licence, PlanKind, plan_kind
from licence_manager.domain.prices import PriceLookup, money
from licence_manager.domain.reports import SOURCES, Addition
from licence_manager.domain.spreadsheet import safe_text

# Customer-wide notifications (the month-end report) use this in place of a SKU id; Google's SKU
# ids are numeric, so it cannot clash with one.
MONTH_END_SCOPE = "customer"

CSV_COLUMNS = (
    "date",
    "customerId",
    "customerDomain",
    "skuId",
    "skuName",
    "planName",
    "source",
    "triggeredBy",
    "seatsBefore",
    "seatsAfter",
    "seatsAdded",
    "estimatedCost",
    "currency",
    "billing",  # last, so readers of the columns before it by position are not broken
)

# How a row is billed, in words for the account manager reading the report.
PRO_RATA: Final = "pro-rata estimate"
CAP_RAISE: Final = "cap raise: billed only for users assigned"
PLAN_UNKNOWN: Final = "plan at time of addition unknown"


# The months a report may ask for: far beyond any real invoice either way, and well inside
# what dates and time zones can represent (9999-12 overflowed; 0001-01 printed as "1-01").
FIRST_MONTH: Final = date(2000, 1, 1)
LAST_MONTH: Final = date(2100, 12, 1)


def parse_month(text: str) -> date:
    """'2026-10' → 2026-10-01; ValueError with a clear message otherwise."""
    try:
        parsed = datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise ValueError(
            f"Write the month like 2026-10 (year, then month), not {text[:20]}."
        ) from error
    if not FIRST_MONTH <= parsed <= LAST_MONTH:
        raise ValueError(
            f"Choose a month from {FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m}, not {text[:20]}."
        )
    return parsed


def month_bounds(month: date, time_zone: str) -> tuple[datetime, datetime]:
    """The month's first and next month's first local midnight, as aware datetimes."""
    zone = ZoneInfo(time_zone)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (
        datetime.combine(month, time.min, tzinfo=zone),
        datetime.combine(following, time.min, tzinfo=zone),
    )


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def estimated_cost_minor(
    addition: Addition, plan_name: str, time_zone: str, price_of: PriceLookup
) -> tuple[int, str] | None:
    """Seats * the customer's monthly price * the share of the month left from the day they
    were added (inclusive), rounded half to even once, and the price's currency: what the
    addition adds to this month's invoice. An estimate, excluding VAT: Google bills annual
    plans by commitment and flexible plans by daily use. None when no price is set."""
    found = price_of(addition.sku_id, plan_name)
    if found is None:
        return None
    price = found.per_seat_monthly_minor
    day = addition.at.astimezone(ZoneInfo(time_zone)).date()
    in_month = calendar.monthrange(day.year, day.month)[1]
    remaining = in_month - day.day + 1
    return round(addition.seats * price * remaining / in_month), found.currency


def billing_of(plan_name: str) -> str:
    """How an addition made on `plan_name` is billed; "" is a plan not recorded."""
    if not plan_name:
        return PLAN_UNKNOWN
    if plan_kind(plan_name) in (PlanKind.FLEXIBLE, PlanKind.TRIAL):
        return CAP_RAISE
    return PRO_RATA


@dataclass(frozen=True, slots=True)
class PricedAddition:
    plan_name: str  # the plan the row is priced at
    billing: str
    estimated_cost_minor: int | None  # None: no cost to estimate (a cap raise, or no price)
    currency: str = ""  # the price's; "" when there is no cost


def price_addition(
    addition: Addition, current_plan: str, time_zone: str, price_of: PriceLookup
) -> PricedAddition:
    """Priced at the plan the seats were added on. An addition recorded before plans were is
    priced as it always was, at the licence's current plan, and says so."""
    if not addition.plan_name:
        plan, billing = current_plan, f"{PLAN_UNKNOWN}; {PRO_RATA} at the current plan"
    else:
        plan, billing = addition.plan_name, billing_of(addition.plan_name)
        if billing == CAP_RAISE:
            return PricedAddition(plan, billing, None)
    cost = estimated_cost_minor(addition, plan, time_zone, price_of)
    if cost is None:
        return PricedAddition(plan, f"{billing}; no price set", None)
    return PricedAddition(plan, billing, *cost)


@dataclass(frozen=True, slots=True)
class AdditionRow:
    addition: Addition
    local_time: datetime
    customer_domain: str
    sku_name: str
    plan_name: str
    estimated_cost_minor: int | None
    billing: str
    currency: str = ""

    def as_csv(self) -> list[str]:
        a = self.addition
        cost = "" if self.estimated_cost_minor is None else f"{self.estimated_cost_minor / 100:.2f}"
        return [
            self.local_time.isoformat(timespec="seconds"),
            a.customer_id,
            safe_text(self.customer_domain),
            a.sku_id,
            safe_text(self.sku_name),
            self.plan_name,
            a.source,
            safe_text(a.actor),
            str(a.seats_before),
            str(a.seats_after),
            str(a.seats),
            cost,
            self.currency,
            self.billing,
        ]


@dataclass(frozen=True, slots=True)
class SkuTotal:
    sku_id: str
    sku_name: str
    seats_added: int
    by_source: Mapping[str, int]
    estimated_cost_minor: int
    currency: str = ""  # of the rows with a cost; "" when none has one


@dataclass(frozen=True, slots=True)
class MonthEndSummary:
    """One customer's month, flat: what account managers export from the console."""

    customer_id: str
    customer_domain: str
    customer_name: str
    month: str
    time_zone: str
    seats_added: int
    by_source: Mapping[str, int]
    additions: int
    estimated_cost_minor: int
    sku_summary: str  # "Business Standard: 5 seats (£59.00); ..." for people, not machines
    currency: str = ""  # of the estimates; "" when nothing was priced

    @property
    def doc_id(self) -> str:
        return f"{self.customer_id}_{self.month}"


@dataclass(frozen=True, slots=True)
class MonthAdditions:
    customer_id: str
    customer_domain: str
    customer_name: str
    month: str
    time_zone: str
    rows: tuple[AdditionRow, ...]
    totals: tuple[SkuTotal, ...]

    @property
    def currency(self) -> str:
        """The estimates' currency ("" when nothing was priced). A customer's prices share one
        currency in practice; the rows say each one's."""
        return next((r.currency for r in self.rows if r.currency), "")

    def summary(self) -> MonthEndSummary:
        by_source = {
            s: sum(r.addition.seats for r in self.rows if r.addition.source == s) for s in SOURCES
        }
        parts = [
            f"{t.sku_name}: {t.seats_added} seats ({_money(t.estimated_cost_minor, t.currency)})"
            for t in self.totals
        ]
        return MonthEndSummary(
            self.customer_id,
            self.customer_domain,
            self.customer_name,
            self.month,
            self.time_zone,
            sum(t.seats_added for t in self.totals),
            by_source,
            len(self.rows),
            sum(t.estimated_cost_minor for t in self.totals),
            "; ".join(parts) or "none",
            self.currency,
        )

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(row.as_csv() for row in self.rows)
        return out.getvalue()


def _money(minor: int, currency: str) -> str:
    return money(minor, currency) if currency else "no price set"


def month_additions(
    *,
    customer_id: str,
    customer_domain: str,
    customer_name: str,
    month: date,
    time_zone: str,
    additions: Iterable[Addition],
    licences: Mapping[str, Licence],
    price_of: PriceLookup,
) -> MonthAdditions:
    """`licences`: the customer's licences by SKU id, for names, and plans where an addition's
    own was not recorded; `price_of`: the customer's prices."""
    zone = ZoneInfo(time_zone)
    rows = []
    for addition in sorted(additions, key=lambda a: (a.at, a.sku_id)):
        licence = licences.get(addition.sku_id)
        current_plan = licence.usage.plan_name if licence else ""
        name = licence.usage.sku_name if licence else addition.sku_id
        priced = price_addition(addition, current_plan, time_zone, price_of)
        rows.append(
            AdditionRow(
                addition,
                addition.at.astimezone(zone),
                customer_domain,
                name,
                priced.plan_name,
                priced.estimated_cost_minor,
                priced.billing,
                priced.currency,
            )
        )
    totals = []
    for sku_id in sorted({r.addition.sku_id for r in rows}):
        mine = [r for r in rows if r.addition.sku_id == sku_id]
        totals.append(
            SkuTotal(
                sku_id,
                mine[0].sku_name,
                sum(r.addition.seats for r in mine),
                {s: sum(r.addition.seats for r in mine if r.addition.source == s) for s in SOURCES},
                sum(r.estimated_cost_minor or 0 for r in mine),
                next((r.currency for r in mine if r.currency), ""),
            )
        )
    return MonthAdditions(
        customer_id,
        customer_domain,
        customer_name,
        month.strftime("%Y-%m"),
        time_zone,
        tuple(rows),
        tuple(totals),
    )
