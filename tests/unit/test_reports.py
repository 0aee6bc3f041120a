"""Report figures on known histories, each expectation worked out by hand in its docstring."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.daily import DailyUsage, roll
from licence_manager.domain.model import GENESIS, Licence, LicenceKey, Usage
from licence_manager.domain.month_end import month_additions, parse_month
from licence_manager.domain.reports import Granularity, additions, build_report
from tests.builders import subscription
from tests.pricing import DEMO_PRICE_OF

KEY = LicenceKey("C01", "1010020028")


class History:
    """Usage observed over time, folded into daily rollups exactly as the sync does."""

    def __init__(self, time_zone: str) -> None:
        self.time_zone = time_zone
        self.rollups: dict[date, DailyUsage] = {}
        self.last: Usage | None = None
        self.last_day: DailyUsage | None = None
        self.entries: list[AuditEntry] = []

    def observe(self, at: datetime, assigned: int, total: int) -> History:
        usage = Usage.of(subscription(assigned=assigned, total=total))
        day = roll(self.last_day, KEY, self.time_zone, at, self.last, usage)
        self.rollups[day.day] = day
        self.last, self.last_day = usage, day
        return self

    def added(
        self,
        at: datetime,
        before: int,
        after: int,
        source: Source,
        action: AuditAction = AuditAction.TOP_UP_APPLIED,
    ) -> History:
        head = self.entries[-1].head if self.entries else GENESIS
        self.entries.append(
            audit.append(head, KEY, at, action, source, f"by {source}", "", before, after)
        )
        return self

    def report(
        self,
        first: date,
        last: date,
        granularity: Granularity,
        now: datetime,
        carried_in: DailyUsage | None = None,
    ):  # type: ignore[no-untyped-def]
        return build_report(
            first=first,
            last=last,
            granularity=granularity,
            time_zone=self.time_zone,
            now=now,
            rollups=[r for d, r in self.rollups.items() if first <= d <= last],
            carried_in=carried_in,
            months={},
            entries=self.entries,
            vacant_now=self.last.vacant if self.last else 0,
        )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_utilisation_is_time_weighted_and_carried_over_days_without_changes() -> None:
    """Seen 10 Jan 00:00 at 5/10, full from 12:00. Day 10: 12 h at 0.5 and 12 h at 1.0 = 0.75.
    Day 11 has no rollup: it ran at 10/10 all day = 1.0. Both: (6 + 12 + 24) / 48 = 0.875."""
    history = History("UTC").observe(utc(2026, 1, 10), 5, 10).observe(utc(2026, 1, 10, 12), 10, 10)
    report = history.report(
        date(2026, 1, 10), date(2026, 1, 11), Granularity.DAY, now=utc(2026, 1, 12)
    )
    day10, day11 = report.periods
    assert day10.figures.average_utilisation == pytest.approx(0.75)
    assert day10.figures.average_assigned == pytest.approx(7.5)
    assert (day10.figures.min_assigned, day10.figures.max_assigned) == (5, 10)
    assert day11.figures.average_utilisation == pytest.approx(1.0)
    assert day11.figures.last_assigned == 10
    assert report.overall.average_utilisation == pytest.approx(0.875)


def test_a_day_in_progress_counts_only_up_to_now() -> None:
    """Seen at 00:00 at 2/4 (0.5); now is 06:00: six hours covered, not 24."""
    history = History("UTC").observe(utc(2026, 2, 3), 2, 4)
    report = history.report(
        date(2026, 2, 3), date(2026, 2, 5), Granularity.DAY, now=utc(2026, 2, 3, 6)
    )
    today, tomorrow, after = report.periods
    assert today.figures.covered_seconds == 6 * 3600
    assert tomorrow.figures.covered_seconds == 0 and after.figures.average_utilisation is None


def test_days_before_the_licence_was_first_seen_are_not_counted_as_empty() -> None:
    """A customer with no data in part of the range: first seen 15 Jan 00:00 at 8/10 (0.8).
    1-14 Jan are uncovered; the range's average is 0.8, not diluted by empty days."""
    history = History("UTC").observe(utc(2026, 1, 15), 8, 10)
    report = history.report(
        date(2026, 1, 1), date(2026, 1, 20), Granularity.DAY, now=utc(2026, 2, 1)
    )
    assert [p.figures.average_utilisation for p in report.periods[:14]] == [None] * 14
    assert report.periods[14].figures.average_utilisation == pytest.approx(0.8)
    assert report.overall.covered_seconds == 6 * 24 * 3600
    assert report.overall.average_utilisation == pytest.approx(0.8)


def test_a_dst_day_is_23_hours_long() -> None:
    """Europe/London, 29 Mar 2026 (clocks go forward). 4/8 (0.5) from local midnight (00:00
    UTC) to 12:00 BST (11:00 UTC): 11 h; then 8/8 (1.0) to the next local midnight (23:00 UTC):
    12 h. Average (5.5 + 12) / 23."""
    history = History("Europe/London").observe(utc(2026, 3, 28), 4, 8)
    history.observe(utc(2026, 3, 29, 11), 8, 8)
    report = history.report(
        date(2026, 3, 29),
        date(2026, 3, 29),
        Granularity.DAY,
        now=utc(2026, 4, 1),
        carried_in=history.rollups[date(2026, 3, 28)],
    )
    (day,) = report.periods
    assert day.figures.covered_seconds == 23 * 3600
    assert day.figures.average_utilisation == pytest.approx(17.5 / 23)


def test_months_split_at_the_local_month_boundary() -> None:
    """UTC. 20/40 (0.5) from 1 Jan; at 31 Jan 12:00 it becomes 40/40 (1.0).
    January: 30.5 days at 0.5 and 0.5 day at 1.0 = (15.25 + 0.5) / 31 = 0.508064...
    February (28 days) at 1.0 throughout."""
    history = History("UTC").observe(utc(2026, 1, 1), 20, 40)
    history.observe(utc(2026, 1, 31, 12), 40, 40)
    report = history.report(
        date(2026, 1, 1), date(2026, 2, 28), Granularity.MONTH, now=utc(2026, 3, 5)
    )
    january, february = report.periods
    assert (january.label, february.label) == ("2026-01", "2026-02")
    assert january.figures.average_utilisation == pytest.approx(15.75 / 31)
    assert february.figures.average_utilisation == pytest.approx(1.0)
    assert february.figures.covered_seconds == 28 * 24 * 3600


def test_iso_weeks_run_monday_to_sunday_across_a_year_end() -> None:
    history = History("UTC").observe(utc(2025, 12, 29), 1, 2)
    report = history.report(
        date(2025, 12, 29), date(2026, 1, 11), Granularity.WEEK, now=utc(2026, 2, 1)
    )
    assert [p.label for p in report.periods] == ["2026-W01", "2026-W02"]
    assert report.periods[0].first == date(2025, 12, 29)
    assert report.periods[1].last == date(2026, 1, 11)


def test_additions_are_counted_by_source_and_on_their_local_day() -> None:
    """Europe/London in summer (UTC+1): a top-up at 23:59 local on 30 June (22:59 UTC) is June's;
    one at 00:01 local on 1 July (23:01 UTC on 30 June) is July's. A manual addition, a purchase
    and an Admin-console addition count too, each under its source."""
    history = History("Europe/London").observe(utc(2026, 6, 1), 10, 10)
    history.added(utc(2026, 6, 30, 22, 59), 10, 13, Source.AUTOMATIC)
    history.added(utc(2026, 6, 30, 23, 1), 13, 15, Source.AUTOMATIC)
    history.added(utc(2026, 6, 10), 15, 16, Source.MANUAL)
    history.added(utc(2026, 6, 11), 0, 5, Source.PURCHASE)
    history.added(utc(2026, 6, 12), 16, 20, Source.OUTSIDE, AuditAction.SEATS_CHANGED_OUTSIDE)
    history.added(utc(2026, 6, 13), 20, 18, Source.OUTSIDE, AuditAction.SEATS_CHANGED_OUTSIDE)
    june = history.report(date(2026, 6, 1), date(2026, 6, 30), Granularity.DAY, now=utc(2026, 7, 2))
    assert june.added_by_source == {"automatic": 3, "manual": 1, "purchase": 5, "outside": 4}
    assert june.top_ups_by_source == {"automatic": 1, "manual": 1, "purchase": 1, "outside": 1}
    assert june.periods[-1].label == "2026-06-30"
    assert [a.seats for a in june.periods[-1].additions] == [3]
    july = history.report(date(2026, 7, 1), date(2026, 7, 1), Granularity.DAY, now=utc(2026, 7, 2))
    assert july.added_by_source["automatic"] == 2


def test_the_month_end_csv_parses_back_into_the_json_figures() -> None:
    history = History("Europe/London").observe(utc(2026, 10, 1), 10, 10)
    history.added(utc(2026, 10, 5, 9), 10, 12, Source.AUTOMATIC)
    history.added(utc(2026, 10, 20, 15), 12, 15, Source.MANUAL)
    licence = Licence(
        KEY,
        "acme.example",
        history.last,
        "Europe/London",  # type: ignore[arg-type]
        utc(2026, 10, 20),
    )
    found = month_additions(
        customer_id="C01",
        customer_domain="acme.example",
        customer_name="Acme",
        month=parse_month("2026-10"),
        time_zone="Europe/London",
        additions=additions(history.entries),
        licences={KEY.sku_id: licence},
        price_of=DEMO_PRICE_OF,
    )
    rows = list(csv.DictReader(io.StringIO(found.csv())))
    assert [int(r["seatsAdded"]) for r in rows] == [2, 3]
    assert [r["source"] for r in rows] == ["automatic", "manual"]
    (total,) = found.totals
    assert total.seats_added == sum(int(r["seatsAdded"]) for r in rows) == 5
    # Business Standard FLEXIBLE at £14.16/seat/month: 2 seats from 5 Oct (27 of 31 days),
    # 3 seats from 20 Oct (12 of 31 days)
    assert rows[0]["estimatedCost"] == f"{2 * 1416 * 27 / 31 / 100:.2f}"
    assert rows[1]["estimatedCost"] == f"{3 * 1416 * 12 / 31 / 100:.2f}"
    assert sum(round(float(r["estimatedCost"]) * 100) for r in rows) == total.estimated_cost_minor
    assert rows[0]["date"].startswith("2026-10-05T10:00")  # local time (BST)


def test_the_month_end_csv_never_hands_a_spreadsheet_a_formula() -> None:
    history = History("Europe/London").observe(utc(2026, 10, 1), 10, 10)
    history.added(utc(2026, 10, 5, 9), 10, 12, Source.AUTOMATIC)
    licence = Licence(KEY, "x", history.last, "Europe/London", utc(2026, 10, 5))  # type: ignore[arg-type]
    found = month_additions(
        customer_id="C01",
        customer_domain='=HYPERLINK("https://evil.example")',
        customer_name="Acme",
        month=parse_month("2026-10"),
        time_zone="Europe/London",
        additions=additions(history.entries),
        licences={KEY.sku_id: licence},
        price_of=DEMO_PRICE_OF,
    )
    (row,) = csv.DictReader(io.StringIO(found.csv()))
    assert row["customerDomain"] == '\'=HYPERLINK("https://evil.example")'
