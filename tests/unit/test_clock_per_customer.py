"""Each customer's own clock on the server: the month-end report waits until the month has ended
in the customer's time zone, and a new SKU of a known customer starts on that customer's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from licence_manager.domain.model import Customer
from licence_manager.services.reports import MonthEndJob, Reports
from licence_manager.services.sync import SyncUsage, UsageSync
from tests.builders import T0, subscription
from tests.fakes.memory import FakeSubscriptionSource
from tests.fakes.memory_automation import InMemoryStore, RecordingPublisher
from tests.fakes.memory_reports import InMemoryReports
from tests.fakes.unit_of_work import MemoryUnitOfWork

LONDON, LOS_ANGELES = "Europe/London", "America/Los_Angeles"


def month_end_at(store: InMemoryStore, reports: InMemoryReports, now: datetime) -> MonthEndJob:
    return MonthEndJob(
        Reports(reports, store),
        reports,
        store,
        store,
        RecordingPublisher(),
        clock=lambda: now,
        time_zone=LONDON,
    )


def test_a_customer_west_of_the_job_waits_for_their_own_month_end() -> None:
    store = InMemoryStore()
    store.save_customer(Customer("C01", "london.example", "London Ltd", LONDON))
    store.save_customer(Customer("C02", "la.example", "LA Inc", LOS_ANGELES))
    reports = InMemoryReports(store)

    # 06:00 in London on 1 December is 22:00 on 30 November in Los Angeles.
    early = month_end_at(store, reports, datetime(2026, 12, 1, 6, tzinfo=UTC))()
    assert (early.month, early.reports_created, early.customers_waiting) == ("2026-11", 1, 1)
    assert sorted(reports.month_ends) == ["C01_2026-11"]

    # 12:00 UTC: November has ended everywhere; London's report is not written twice.
    noon = month_end_at(store, reports, datetime(2026, 12, 1, 12, tzinfo=UTC))()
    assert (noon.reports_created, noon.reports_already_there, noon.customers_waiting) == (1, 1, 0)
    assert sorted(reports.month_ends) == ["C01_2026-11", "C02_2026-11"]


def test_a_new_sku_of_a_known_customer_starts_on_the_customers_zone() -> None:
    store = InMemoryStore()
    first = subscription(sku_id="1010020028", subscription_id="s-1")
    source = FakeSubscriptionSource([first])
    sync = UsageSync(source, store, MemoryUnitOfWork(store), LONDON, clock=lambda: T0)
    sync(SyncUsage())
    customer = store.customer("C01")
    assert customer is not None and customer.time_zone == LONDON  # the deployment's default
    store.save_customer(Customer("C01", customer.customer_domain, customer.name, LOS_ANGELES))

    source = FakeSubscriptionSource(
        [first, subscription(sku_id="1010020027", subscription_id="s-2")]
    )
    UsageSync(source, store, MemoryUnitOfWork(store), LONDON, clock=lambda: T0)(SyncUsage())

    zones = {lic.key.sku_id: lic.time_zone for lic in store.licences_of("C01")}
    assert zones == {"1010020028": LONDON, "1010020027": LOS_ANGELES}
