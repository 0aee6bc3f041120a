"""The demo world's backfilled history (DEMO_HISTORY=1): written as the sync and the top-up
service write, ending where Google is now, with its additions before this month."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.model import Customer
from licence_manager.domain.reports import Granularity, headline
from licence_manager.services.reports import ReportRange, Reports
from licence_manager.services.sync import record_seen
from licence_manager_local.demo_history import backfill
from tests.builders import subscription
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.memory_reports import InMemoryReports
from tests.fakes.unit_of_work import MemoryUnitOfWork

TODAY = date(2026, 12, 5)
TZ = "Europe/London"


@pytest.mark.parametrize(
    ("plan", "total", "assigned"),
    [("FLEXIBLE", 30, 12), ("ANNUAL_MONTHLY_PAY", 25, 19), ("FLEXIBLE", 15, 15)],
)
def test_history_ends_where_google_is_now_and_verifies(
    plan: str, total: int, assigned: int
) -> None:
    store = InMemoryApiStore()
    uow = MemoryUnitOfWork(store)
    now = subscription(customer_id="C01", plan=plan, total=total, assigned=assigned)

    written = backfill(uow, now, TZ, TODAY)

    assert written > 20
    (licence,) = store.licences_of("C01")
    assert (licence.usage.total, licence.usage.assigned) == (total, assigned)
    # The first real sync finds nothing to record.
    assert record_seen(uow, now, TZ, datetime(2026, 12, 5, 12, tzinfo=UTC)) is None
    entries = store.audit_entries(now.key)
    assert verify_chain(entries) == []
    assert entries[0].action is AuditAction.LICENCE_DISCOVERED
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    additions = [e for e in entries if (e.seats_after or 0) > (e.seats_before or 0)]
    assert additions, "a demo licence grows"
    assert all(e.at.date() < date(2026, 12, 1) for e in additions)
    days = store.daily_usage(now.key)
    assert days[0].day == date(2026, 8, 7)
    assert date(2026, 11, 1) <= days[-1].day <= date(2026, 12, 4)  # up to yesterday
    assert all(d.max_assigned <= d.max_total for d in days)


def test_history_fills_the_reports_chart_with_top_ups() -> None:
    store = InMemoryApiStore()
    store.save_customer(Customer("C01", "acme.example", "Acme", TZ))
    now = subscription(customer_id="C01", plan="FLEXIBLE", total=30, assigned=12)
    backfill(MemoryUnitOfWork(store), now, TZ, TODAY)
    reports = Reports(
        InMemoryReports(store), store, clock=lambda: datetime(2026, 12, 5, 12, tzinfo=UTC)
    )

    counted = reports.usage(now.key, ReportRange(date(2026, 1, 1), TODAY, Granularity.MONTH))

    assert counted is not None
    with_figures = [p for p in counted.report.periods if p.figures.last_total is not None]
    assert [p.label for p in with_figures] == [
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
    ]
    cards = headline(counted.report)
    assert cards.top_ups >= 1
    assert cards.manual_additions == 1
    # Every seat the licence grew by is accounted for by some route.
    first_total = store.daily_usage(now.key)[0].open_total
    assert cards.licences_added == 30 - first_total > 0
    assert {a.source for a in counted.report.additions} >= {Source.AUTOMATIC.value}
