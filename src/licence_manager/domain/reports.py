"""Report figures from recorded facts: daily rollups for usage, audit entries for additions.

Averages are time-weighted. A day's rollup holds seat-seconds up to its last change; the rest of
the day ran at its last values. A day without a rollup ran all day at the previous rollup's last
values (usage only gets a rollup on days it changed). Time before a licence was first seen, and
time after now, is not covered: it counts neither as used nor as empty. Average utilisation is
utilisation-seconds over covered seconds; when nothing in the range is covered it is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.daily import DailyUsage, day_bounds

MAX_RANGE_DAYS = 3 * 366 + 1
# Audit actions that add seats when the total grows; sources say who: automatic, manual,
# purchase (through Licence Manager) or outside (the Admin console, another tool).
ADDING_ACTIONS = frozenset({"TOP_UP_APPLIED", "SEATS_CHANGED_OUTSIDE", "PURCHASE_APPLIED"})
SOURCES = ("automatic", "manual", "purchase", "outside")


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday to Sunday
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Figures:
    """Usage over a stretch of time: integrals over the covered seconds, extremes, last values."""

    covered_seconds: float = 0.0
    assigned_seconds: float = 0.0
    total_seconds: float = 0.0
    utilisation_seconds: float = 0.0
    min_assigned: int | None = None
    max_assigned: int | None = None
    min_total: int | None = None
    max_total: int | None = None
    last_assigned: int | None = None
    last_total: int | None = None

    def then(self, later: Figures) -> Figures:
        """This stretch followed by a later one."""
        if later.last_assigned is None:
            return self
        if self.last_assigned is None:
            return later
        return Figures(
            self.covered_seconds + later.covered_seconds,
            self.assigned_seconds + later.assigned_seconds,
            self.total_seconds + later.total_seconds,
            self.utilisation_seconds + later.utilisation_seconds,
            _min(self.min_assigned, later.min_assigned),
            _max(self.max_assigned, later.max_assigned),
            _min(self.min_total, later.min_total),
            _max(self.max_total, later.max_total),
            later.last_assigned,
            later.last_total,
        )

    @property
    def average_utilisation(self) -> float | None:
        return self.utilisation_seconds / self.covered_seconds if self.covered_seconds else None

    @property
    def average_assigned(self) -> float | None:
        return self.assigned_seconds / self.covered_seconds if self.covered_seconds else None

    @property
    def average_total(self) -> float | None:
        return self.total_seconds / self.covered_seconds if self.covered_seconds else None


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _utilisation(assigned: int, total: int) -> float:
    if total <= 0:
        return 1.0 if assigned > 0 else 0.0
    return min(assigned / total, 1.0)


def _steady(assigned: int, total: int, seconds: float) -> Figures:
    seconds = max(seconds, 0.0)
    return Figures(
        seconds,
        assigned * seconds,
        total * seconds,
        _utilisation(assigned, total) * seconds,
        assigned,
        assigned,
        total,
        total,
        assigned,
        total,
    )


def day_figures(
    day: date, time_zone: str, rollup: DailyUsage | None, carried: Figures | None, now: datetime
) -> Figures:
    """One local day's figures, from its rollup or else the values carried from before."""
    start, end = day_bounds(day, time_zone)
    end = min(end, max(now, start))
    if rollup is None:
        if carried is None or carried.last_assigned is None or carried.last_total is None:
            return Figures()  # before the licence was first seen
        return _steady(carried.last_assigned, carried.last_total, (end - start).total_seconds())
    recorded = Figures(
        (min(rollup.last_change_at, end) - rollup.covered_from).total_seconds(),
        rollup.assigned_seat_seconds,
        rollup.total_seat_seconds,
        rollup.utilisation_seconds,
        rollup.min_assigned,
        rollup.max_assigned,
        rollup.min_total,
        rollup.max_total,
        rollup.last_assigned,
        rollup.last_total,
    )
    tail = _steady(
        rollup.last_assigned, rollup.last_total, (end - rollup.last_change_at).total_seconds()
    )
    return recorded.then(tail) if tail.covered_seconds else recorded


def period_of(day: date, granularity: Granularity) -> tuple[str, date, date]:
    """The period a day falls in: its label, first day and last day."""
    if granularity is Granularity.DAY:
        return day.isoformat(), day, day
    if granularity is Granularity.WEEK:
        year, week, weekday = day.isocalendar()
        first = day - timedelta(days=weekday - 1)
        return f"{year}-W{week:02d}", first, first + timedelta(days=6)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first.strftime("%Y-%m"), first, following - timedelta(days=1)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Addition:
    """Seats added to one licence at one moment, and by whom."""

    at: datetime
    customer_id: str
    sku_id: str
    seats: int
    seats_before: int
    seats_after: int
    source: str
    actor: str
    action: str
    plan_name: str = ""  # the plan it was added on; empty when its entry predates recording it


def additions(entries: Iterable[AuditEntry]) -> list[Addition]:
    found = []
    for entry in entries:
        before = entry.seats_before or 0
        after = entry.seats_after or 0
        if entry.action.value in ADDING_ACTIONS and after > before:
            found.append(
                Addition(
                    entry.at,
                    entry.key.customer_id,
                    entry.key.sku_id,
                    after - before,
                    before,
                    after,
                    entry.source.value,
                    entry.actor,
                    entry.action.value,
                    entry.plan_name,
                )
            )
    return sorted(found, key=lambda a: (a.at, a.customer_id, a.sku_id))


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    first: date
    last: date
    figures: Figures
    additions: tuple[Addition, ...] = ()


@dataclass(frozen=True, slots=True)
class UsageReport:
    periods: tuple[Period, ...]
    overall: Figures
    additions: tuple[Addition, ...]
    vacant_now: int
    added_by_source: dict[str, int] = field(default_factory=dict)
    top_ups_by_source: dict[str, int] = field(default_factory=dict)


def build_report(
    *,
    first: date,
    last: date,
    granularity: Granularity,
    time_zone: str,
    now: datetime,
    rollups: Iterable[DailyUsage],
    carried_in: DailyUsage | None,
    months: dict[str, Figures],
    entries: Iterable[AuditEntry],
    vacant_now: int,
) -> UsageReport:
    """`months`: precomputed figures of whole closed months (label → figures), used instead of
    their days when the granularity is month. `carried_in`: the last rollup before `first`."""
    by_day = {r.day: r for r in rollups}
    found = additions(entries)
    carried = (
        None
        if carried_in is None
        else day_figures(carried_in.day, time_zone, carried_in, None, now)
    )
    periods: list[Period] = []
    overall = Figures()
    day = first
    while day <= last:
        label, start, end = period_of(day, granularity)
        stop = min(end, last)
        if granularity is Granularity.MONTH and label in months and start >= first and end <= last:
            figures = months[label]
        else:
            figures = Figures()
            for each in days(day, stop):
                today = day_figures(each, time_zone, by_day.get(each), carried, now)
                figures = figures.then(today)
                carried = today if today.last_assigned is not None else carried
        if figures.last_assigned is not None:
            carried = figures
        in_period = tuple(a for a in found if day <= _local(a.at, time_zone) <= stop)
        periods.append(Period(label, day, stop, figures, in_period))
        overall = overall.then(figures)
        day = stop + timedelta(days=1)
    in_range = tuple(a for a in found if first <= _local(a.at, time_zone) <= last)
    added = {source: sum(a.seats for a in in_range if a.source == source) for source in SOURCES}
    counts = {source: sum(1 for a in in_range if a.source == source) for source in SOURCES}
    return UsageReport(tuple(periods), overall, in_range, vacant_now, added, counts)


def _local(at: datetime, time_zone: str) -> date:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(time_zone)).date()


# ---- the headline cards --------------------------------------------------------------------

# The guide's "Total Top-Ups" counts automatic top-ups only (its note: report figures come from
# automatic licence additions). The other routes are counted beside it, never inside it, and
# "Total Licences Added" counts seats from every route, so neither card hides a seat.
TOP_UP_SOURCES = ("automatic",)
LICENCES_ADDED_SOURCES = SOURCES


@dataclass(frozen=True, slots=True)
class Headline:
    """The Reports page's cards over one range; `added_by_source` sums to `licences_added`."""

    top_ups: int  # automatic top-ups applied
    manual_additions: int
    purchases: int
    outside_changes: int  # seat increases made outside Licence Manager (the Admin console)
    licences_added: int
    added_by_source: dict[str, int]


def headline(report: UsageReport) -> Headline:
    counts = report.top_ups_by_source
    added = {source: report.added_by_source.get(source, 0) for source in SOURCES}
    return Headline(
        top_ups=sum(counts.get(source, 0) for source in TOP_UP_SOURCES),
        manual_additions=counts.get("manual", 0),
        purchases=counts.get("purchase", 0),
        outside_changes=counts.get("outside", 0),
        licences_added=sum(added[source] for source in LICENCES_ADDED_SOURCES),
        added_by_source=added,
    )


def automatic_top_ups(found: Iterable[Addition]) -> int:
    """How many of these additions were automatic top-ups (a period's marks on the chart)."""
    return sum(1 for a in found if a.source in TOP_UP_SOURCES)
