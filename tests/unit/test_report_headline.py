"""The Reports page's cards (issue 11): "Total Top-Ups" is automatic top-ups, as the guide
says; "Total Licences Added" is seats from every route, and its breakdown adds up to it."""

from __future__ import annotations

import csv
import io
from datetime import date

from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.report_csv import RANGE_CSV_COLUMNS, range_csv
from licence_manager.domain.reports import Granularity, headline
from licence_manager.domain.spreadsheet import safe_text
from tests.unit.test_reports import History, utc


def a_month_of_every_route() -> History:
    """June 2026 in London: two automatic top-ups (+3, +2), one manual addition (+1), one
    purchase (+5), one Admin-console increase (+4) and one Admin-console decrease (not an
    addition)."""
    history = History("Europe/London").observe(utc(2026, 6, 1), 10, 10)
    history.added(utc(2026, 6, 2, 9), 10, 13, Source.AUTOMATIC)
    history.added(utc(2026, 6, 9, 9), 13, 15, Source.AUTOMATIC)
    history.added(utc(2026, 6, 10), 15, 16, Source.MANUAL)
    history.added(utc(2026, 6, 11), 0, 5, Source.PURCHASE)
    history.added(utc(2026, 6, 12), 16, 20, Source.OUTSIDE, AuditAction.SEATS_CHANGED_OUTSIDE)
    history.added(utc(2026, 6, 13), 20, 18, Source.OUTSIDE, AuditAction.SEATS_CHANGED_OUTSIDE)
    return history


def test_total_top_ups_counts_automatic_top_ups_and_the_other_routes_beside_it() -> None:
    report = a_month_of_every_route().report(
        date(2026, 6, 1), date(2026, 6, 30), Granularity.WEEK, now=utc(2026, 7, 2)
    )

    cards = headline(report)

    assert cards.top_ups == 2
    assert (cards.manual_additions, cards.purchases, cards.outside_changes) == (1, 1, 1)
    assert cards.added_by_source == {"automatic": 5, "manual": 1, "purchase": 5, "outside": 4}
    assert cards.licences_added == 15 == sum(cards.added_by_source.values())


def test_no_top_ups_means_no_automatic_seats_in_the_breakdown() -> None:
    """The cards never contradict: seats added in the Admin console alone show 0 top-ups and
    the seats under 'outside', none under 'automatic'."""
    history = History("Europe/London").observe(utc(2026, 6, 1), 10, 10)
    history.added(utc(2026, 6, 12), 10, 15, Source.OUTSIDE, AuditAction.SEATS_CHANGED_OUTSIDE)
    report = history.report(
        date(2026, 6, 1), date(2026, 6, 30), Granularity.DAY, now=utc(2026, 7, 2)
    )

    cards = headline(report)

    assert cards.top_ups == 0
    assert cards.added_by_source["automatic"] == 0
    assert cards.licences_added == cards.added_by_source["outside"] == 5


def test_the_range_csv_has_a_row_per_period_that_adds_up_to_the_cards() -> None:
    report = a_month_of_every_route().report(
        date(2026, 6, 1), date(2026, 6, 30), Granularity.WEEK, now=utc(2026, 7, 2)
    )

    rows = list(csv.DictReader(io.StringIO(range_csv(report, "1010020028", "Std", "UTC"))))

    assert list(rows[0]) == list(RANGE_CSV_COLUMNS)
    assert [r["period"] for r in rows] == [p.label for p in report.periods]
    assert rows[0]["from"] == "2026-06-01" and rows[-1]["to"] == "2026-06-30"
    assert sum(int(r["automaticTopUps"]) for r in rows) == 2
    assert sum(int(r["licencesAdded"]) for r in rows) == headline(report).licences_added
    assert sum(int(r["licencesAdded_outside"]) for r in rows) == 4
    assert rows[0]["assignedAtEnd"] == "10"


def test_csv_cells_keep_commas_quotes_and_never_become_formulas() -> None:
    report = a_month_of_every_route().report(
        date(2026, 6, 1), date(2026, 6, 2), Granularity.DAY, now=utc(2026, 7, 2)
    )
    name = 'Workspace, "Plus"\n=HYPERLINK("x")'

    text = range_csv(report, "1010020028", name, "Europe/London")

    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[0]["skuName"] == name  # quoted, not split across cells or lines
    assert safe_text("=SUM(A1)") == "'=SUM(A1)"
    assert safe_text("-5") == "'-5"
    assert safe_text("Business Starter") == "Business Starter"
    risky = list(csv.DictReader(io.StringIO(range_csv(report, "1", "@cmd", "UTC"))))
    assert risky[0]["skuName"] == "'@cmd"
