"""Per-day usage rollups: what a report needs about one licence on one local calendar day.

A rollup is written only on days when usage changed; a day without a rollup carries the
previous day's last values. Each rollup keeps time integrals (seat-seconds) up to its last
change, so a report completes a day with `last * (day_end - last_change_at)` and gets an exact
time-weighted average without reading every sync.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from licence_manager.domain.model import LicenceKey, Usage


def local_day(at: datetime, time_zone: str) -> date:
    return at.astimezone(ZoneInfo(time_zone)).date()


# The days a report may ask for: far wider than any licence's history, and far enough from
# date.min and date.max that a day's bounds (and a week or month around it) always exist.
FIRST_REPORTABLE_DAY = date(2000, 1, 1)
LAST_REPORTABLE_DAY = date(2100, 12, 31)


def reportable(day: date) -> bool:
    return FIRST_REPORTABLE_DAY <= day <= LAST_REPORTABLE_DAY


def day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """Start and end of a local day in UTC; 23 or 25 hours long across DST changes.
    (Python subtracts aware datetimes sharing a tzinfo as wall-clock times: hence UTC.)"""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


@dataclass(frozen=True, slots=True)
class DailyUsage:
    key: LicenceKey
    day: date
    time_zone: str
    open_assigned: int
    open_total: int
    min_assigned: int
    max_assigned: int
    last_assigned: int
    min_total: int
    max_total: int
    last_total: int
    covered_from: datetime
    last_change_at: datetime
    assigned_seat_seconds: float
    total_seat_seconds: float
    utilisation_seconds: float
    changes: int

    @property
    def doc_id(self) -> str:
        return f"{self.key.doc_id}_{self.day.isoformat()}"


def _integrals(usage: Usage, seconds: float) -> tuple[float, float, float]:
    return usage.assigned * seconds, usage.total * seconds, usage.utilisation * seconds


def open_day(
    key: LicenceKey, time_zone: str, at: datetime, before: Usage | None, after: Usage
) -> DailyUsage:
    """The first change of a local day: until `at` the day ran at `before` (None: new licence)."""
    day = local_day(at, time_zone)
    start, _ = day_bounds(day, time_zone)
    opening = before or after
    covered_from = start if before is not None else at
    assigned_s, total_s, util_s = _integrals(opening, (at - covered_from).total_seconds())
    return DailyUsage(
        key=key,
        day=day,
        time_zone=time_zone,
        open_assigned=opening.assigned,
        open_total=opening.total,
        min_assigned=min(opening.assigned, after.assigned),
        max_assigned=max(opening.assigned, after.assigned),
        last_assigned=after.assigned,
        min_total=min(opening.total, after.total),
        max_total=max(opening.total, after.total),
        last_total=after.total,
        covered_from=covered_from,
        last_change_at=at,
        assigned_seat_seconds=assigned_s,
        total_seat_seconds=total_s,
        utilisation_seconds=util_s,
        changes=1,
    )


def record_change(daily: DailyUsage, at: datetime, before: Usage, after: Usage) -> DailyUsage:
    """A later change on the same day: close the interval that ran at `before`, then move on."""
    at = max(at, daily.last_change_at)  # a late observation never runs time backwards
    assigned_s, total_s, util_s = _integrals(before, (at - daily.last_change_at).total_seconds())
    return replace(
        daily,
        min_assigned=min(daily.min_assigned, after.assigned),
        max_assigned=max(daily.max_assigned, after.assigned),
        last_assigned=after.assigned,
        min_total=min(daily.min_total, after.total),
        max_total=max(daily.max_total, after.total),
        last_total=after.total,
        last_change_at=at,
        assigned_seat_seconds=daily.assigned_seat_seconds + assigned_s,
        total_seat_seconds=daily.total_seat_seconds + total_s,
        utilisation_seconds=daily.utilisation_seconds + util_s,
        changes=daily.changes + 1,
    )


def roll(
    daily: DailyUsage | None,
    key: LicenceKey,
    time_zone: str,
    at: datetime,
    before: Usage | None,
    after: Usage,
) -> DailyUsage:
    """Fold one usage change into the rollup of the local day it happened on."""
    if daily is None or daily.day != local_day(at, time_zone) or before is None:
        return open_day(key, time_zone, at, before, after)
    return record_change(daily, at, before, after)
