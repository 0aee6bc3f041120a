"""The demo history (DEMO_HISTORY=1) on the real clients: the demo world in the Reseller
simulator, Firestore on Google's emulator. The first real sync afterwards finds nothing to
change, every customer is there, and every audit chain verifies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager.domain.audit import AuditAction, verify_chain
from licence_manager.services.sync import SyncUsage, UsageSync
from licence_manager_local.demo_history import DAYS, simulator_source, write_demo_history
from licence_manager_local.simulator import demo_world
from tests.fakes.unit_of_work import unit_of_work_for
from tests.integration.conftest import running

TZ = "Europe/London"


def test_the_history_ends_where_google_is_and_the_first_sync_changes_nothing(
    firestore_client: Any,
) -> None:
    store = FirestoreApiStore(firestore_client)
    uow = unit_of_work_for(store)
    today = datetime.now(UTC).date()
    for simulator in running(demo_world(seed=7)):
        source = simulator_source(simulator.url)

        written = write_demo_history(source, store, store, uow, TZ, today)

        listed = source.list_subscriptions(None).subscriptions
        assert written > 10 * len(listed)
        report = UsageSync(source, store, uow, TZ, recipients=store)(SyncUsage())
        assert report.licences_written == 0
        assert {c.customer_id for c in store.customers()} == {s.customer_id for s in listed}
        for subscription in listed:
            entries = store.audit_entries(subscription.key)
            assert verify_chain(entries) == []
            assert entries[0].action is AuditAction.LICENCE_DISCOVERED
            assert entries[0].at.date() == date.fromordinal(today.toordinal() - DAYS)
            assert store.daily_usage(subscription.key)[0].day == entries[0].at.date()
