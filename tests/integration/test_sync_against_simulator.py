"""The usage sync end to end: google-api-python-client against the Reseller simulator (strict:
every response checked against the discovery document) and Firestore on Google's emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from licence_manager.domain.audit import AuditAction, verify_chain
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.observation import REMOVED
from licence_manager.services.sync import SyncUsage, UsageSync
from licence_manager_local.simulator import RunningSimulator, generated_world
from tests.fakes.unit_of_work import unit_of_work_for
from tests.integration.conftest import (
    RecordedSleeps,
    document_versions,
    documents_written,
    reseller_source,
    running,
)

SUBSCRIPTIONS = 300


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    yield from running(generated_world(SUBSCRIPTIONS, seed=3, n_customers=120))


@pytest.fixture
def sync(simulator: RunningSimulator, firestore_store: Any, sleeps: RecordedSleeps) -> UsageSync:
    source = reseller_source(simulator.url, sleeps)
    return UsageSync(source, firestore_store, unit_of_work_for(firestore_store), "Europe/London")


def online(simulator: RunningSimulator) -> list[Any]:
    return [s for s in simulator.world.subscriptions() if s.billing_method == "ONLINE"]


def test_first_sync_pages_through_every_online_subscription(
    simulator: RunningSimulator, sync: UsageSync, firestore_store: Any
) -> None:
    expected = online(simulator)
    offline = SUBSCRIPTIONS - len(expected)
    assert offline > 0, "the generated world should include offline orders"
    report = sync(SyncUsage())
    stats = simulator.stats.snapshot()
    assert stats["subscriptions.list"] == 3  # 300 subscriptions, pages of 100
    assert stats["customers.get"] == 120  # once per customer, on first sight only
    assert report.total("subscriptions_seen") == len(expected)
    assert report.total("offline_skipped") == offline
    assert report.total("licences_created") == len(expected)
    stored = firestore_store.licences_for_domains(None)
    assert set(stored) == {LicenceKey(s.customer_id, s.sku_id) for s in expected}
    assert report.failures == []


def test_plans_store_the_right_seat_field(
    simulator: RunningSimulator, sync: UsageSync, firestore_store: Any
) -> None:
    sync(SyncUsage())
    stored = firestore_store.licences_for_domains(None)
    for sub in online(simulator):
        licence = stored[LicenceKey(sub.customer_id, sub.sku_id)]
        assert licence.usage.total == sub.seats, sub.plan_name
        assert licence.usage.assigned == min(sub.users, sub.seats)
    plans = {lic.usage.plan_name for lic in stored.values()}
    assert {"ANNUAL", "FLEXIBLE"} <= plans  # ANNUAL_MONTHLY_PAY comes back as ANNUAL
    assert "ANNUAL_MONTHLY_PAY" not in plans


def test_a_second_sync_with_nothing_changed_writes_only_the_heartbeat(
    simulator: RunningSimulator, sync: UsageSync, firestore_client: Any
) -> None:
    sync(SyncUsage())
    simulator.stats.reset()
    before = document_versions(firestore_client)
    report = sync(SyncUsage())
    written = documents_written(before, document_versions(firestore_client))
    assert written == ["sync_runs/latest"]
    assert simulator.stats.snapshot()["subscriptions.list"] == 3
    assert simulator.stats.snapshot().get("customers.get", 0) == 0
    assert report.licences_written == 0


def test_only_changed_licences_and_their_rollups_are_written(
    simulator: RunningSimulator, sync: UsageSync, firestore_client: Any, firestore_store: Any
) -> None:
    sync(SyncUsage())
    subs = online(simulator)
    grows, shrinks = subs[0], subs[1]
    simulator.world.update_subscription(grows.customer_id, grows.sku_id, users=0)
    simulator.world.update_subscription(
        shrinks.customer_id, shrinks.sku_id, seats=shrinks.seats + 5
    )
    before = document_versions(firestore_client)
    report = sync(SyncUsage())
    written = documents_written(before, document_versions(firestore_client))
    changed = sorted(f"{s.customer_id}_{s.sku_id}" for s in (grows, shrinks))
    assert sorted(p.split("/")[1] for p in written if p.startswith("licences/")) == changed
    assert len([p for p in written if p.startswith("usage_daily/")]) == 2
    assert len([p for p in written if p.startswith("audit_events/")]) == 1  # the seat change
    assert len([p for p in written if p.startswith("audit_heads/")]) == 1
    assert "sync_digests/_all" in written  # the shard's usage digest, marked then settled
    # the anomaly guard's window of assigned counts: only where the count moved
    grown = f"licence_automation/{grows.customer_id}_{grows.sku_id}"
    assert [p for p in written if p.startswith("licence_automation/")] == [grown]
    # licences, rollups, audit entry + head, the digest, the heartbeat, the window
    assert len(written) == 2 + 2 + 1 + 1 + 1 + 1 + 1
    assert report.total("outside_changes") == 1
    key = LicenceKey(shrinks.customer_id, shrinks.sku_id)
    entries = firestore_store.audit_entries(key)
    assert entries[-1].action is AuditAction.SEATS_CHANGED_OUTSIDE
    assert (entries[-1].seats_before, entries[-1].seats_after) == (shrinks.seats, shrinks.seats + 5)
    assert verify_chain(entries) == []


def test_a_429_then_success_is_retried_with_backoff(
    simulator: RunningSimulator, sync: UsageSync, sleeps: RecordedSleeps
) -> None:
    simulator.faults.fail_next(429, count=2, method="subscriptions.list")
    report = sync(SyncUsage())
    assert report.failures == []
    assert report.total("subscriptions_seen") == len(online(simulator))
    assert len(sleeps) == 2
    assert simulator.stats.snapshot()["subscriptions.list"] == 5  # 2 refused + 3 pages


def test_a_503_storm_longer_than_the_retries_leaves_the_data_intact(
    simulator: RunningSimulator, sync: UsageSync, firestore_store: Any
) -> None:
    sync(SyncUsage())
    simulator.faults.fail_next(503, count=50, method="subscriptions.list")
    report = sync(SyncUsage())
    assert not report.shards[0].complete
    assert "503" in report.failures[0]["reason"]
    stored = firestore_store.licences_for_domains(None)
    assert len(stored) == len(online(simulator))
    assert not any(lic.usage.status == REMOVED for lic in stored.values())
    simulator.faults.clear()
    assert sync(SyncUsage()).failures == []


def test_a_timeout_is_retried(simulator: RunningSimulator, firestore_store: Any) -> None:
    source = reseller_source(simulator.url, RecordedSleeps(), timeout=0.5)
    simulator.faults.hang_next(2.0, count=1, method="subscriptions.list")
    uow = unit_of_work_for(firestore_store)
    report = UsageSync(source, firestore_store, uow, "Europe/London")(SyncUsage())
    assert report.failures == []
    assert report.total("subscriptions_seen") == len(online(simulator))


def test_one_customer_answering_403_does_not_stop_the_others(
    simulator: RunningSimulator, sync: UsageSync, firestore_store: Any
) -> None:
    sync(SyncUsage())
    subs = online(simulator)
    lost = subs[0].customer_id
    simulator.world.set_ours(lost, False)
    healthy = next(s for s in subs if s.customer_id != lost)
    simulator.world.update_subscription(healthy.customer_id, healthy.sku_id, users=0)
    report = sync(SyncUsage())
    assert [f["customerId"] for f in report.failures] == [lost]
    assert "403" in report.failures[0]["reason"]
    assert (
        firestore_store.licences_for_domains(None)[
            LicenceKey(healthy.customer_id, healthy.sku_id)
        ].usage.assigned
        == 0
    )
    lost_licences = [lic for lic in firestore_store.licences_of(lost)]
    assert lost_licences and all(lic.usage.status != REMOVED for lic in lost_licences)


def test_shards_by_customer_name_prefix_cover_everyone_once(
    simulator: RunningSimulator, sync: UsageSync
) -> None:
    domains = {s.customer_domain[0] for s in online(simulator)}
    report = sync(SyncUsage(shards=tuple(sorted(domains))))
    assert report.total("subscriptions_seen") == len(online(simulator))
    assert report.failures == []


def test_offline_orders_are_remembered_per_customer_for_the_catalogue(
    simulator: RunningSimulator, sync: UsageSync, firestore_store: Any
) -> None:
    from licence_manager.domain.offline import offline_skus_of

    offline = [s for s in simulator.world.subscriptions() if s.billing_method == "OFFLINE"]
    assert offline, "the generated world should include offline orders"
    sync(SyncUsage())
    beat = firestore_store.sync_heartbeat()
    for sub in offline:
        held = offline_skus_of(beat, sub.customer_domain, sub.customer_id)
        assert sub.sku_id in held, (sub.customer_id, sub.sku_id)
    expected = {(s.customer_id, s.sku_id) for s in offline}
    remembered = {(c, sku) for c, skus in beat.shards[""].offline_skus.items() for sku in skus}
    assert remembered == expected


def test_an_idle_sync_reads_one_digest_document_a_shard_and_the_heartbeat(
    simulator: RunningSimulator, sync: UsageSync, firestore_store: Any
) -> None:
    """Issue 12's target, counted on the emulator: reads per idle sync ≤ shards + 1, whatever
    the number of licences (here ~290 in 3 shards); a changed licence costs its own reads."""
    from bench.firestore_tools import counting_reads

    shards = tuple(sorted({s.customer_domain[0] for s in online(simulator)}))[:3]
    in_shards = [s for s in online(simulator) if s.customer_domain[0] in shards]
    sync(SyncUsage(shards=shards))  # the first run reads every licence and writes the digests
    with counting_reads() as counter:
        report = sync(SyncUsage(shards=shards))
    assert report.licences_written == 0 and report.failures == []
    assert counter.reads == len(shards) + 1, counter.calls  # digests, then the heartbeat

    changed = in_shards[0]
    simulator.world.update_subscription(changed.customer_id, changed.sku_id, users=0)
    with counting_reads() as counter:
        report = sync(SyncUsage(shards=shards))
    assert report.total("licences_updated") == 1
    # digests + heartbeat, and for the one licence: its record transaction (licence, day, head,
    # automation state), the lease's read of the digest and the settle's
    assert counter.reads <= len(shards) + 1 + 4 + 2, counter.calls

    # a daily verifying run reads every licence and leaves the digest as it was
    with counting_reads() as counter:
        report = sync(SyncUsage(shards=shards, verify=True))
    assert report.licences_written == 0 and report.failures == []
    assert counter.reads >= len(in_shards)
    with counting_reads() as counter:
        sync(SyncUsage(shards=shards))
    assert counter.reads == len(shards) + 1
