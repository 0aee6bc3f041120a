"""The usage sync with in-memory fakes of both ports: the rules of a run, in milliseconds."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from licence_manager.domain.audit import AuditAction
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.observation import REMOVED
from licence_manager.domain.usage_digest import ShardLease, fingerprint
from licence_manager.services.sync import SyncUsage, UsageSync
from tests.builders import T0, subscription
from tests.fakes.memory import FakeSubscriptionSource
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.unit_of_work import MemoryUnitOfWork


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int = 1) -> None:
        self.now += timedelta(minutes=minutes)


def world(customers: int = 3, skus: tuple[str, ...] = ("1010020027", "1010020028")):
    return [
        subscription(
            customer_id=f"C{c:02d}",
            domain=f"customer{c:02d}.example",
            sku_id=sku,
            subscription_id=f"s-{c}-{sku}",
        )
        for c in range(customers)
        for sku in skus
    ]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


def make_sync(source, store, clock, uow=None) -> UsageSync:
    return UsageSync(source, store, uow or MemoryUnitOfWork(store), "Europe/London", clock=clock)


def test_first_sync_records_every_licence_and_customer(store, clock) -> None:
    source = FakeSubscriptionSource(world(customers=3))
    report = make_sync(source, store, clock)(SyncUsage())
    assert report.total("licences_created") == 6
    assert report.total("customers_added") == 3
    assert len(store.licences) == 6
    assert [c.customer_id for c in store.customers()] == ["C00", "C01", "C02"]
    assert report.failures == []


def test_an_unchanged_second_sync_writes_only_the_heartbeat(store, clock) -> None:
    source = FakeSubscriptionSource(world())
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    writes_before, calls_before = store.writes, source.calls
    clock.advance()
    report = sync(SyncUsage())
    assert store.writes - writes_before == 1  # the sync_runs heartbeat
    assert source.calls - calls_before == 1  # one page, no customers.get
    assert report.licences_written == 0


def test_only_changed_licences_are_written(store, clock) -> None:
    subs = world(customers=10)
    source = FakeSubscriptionSource(subs)
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    source.subscriptions[3] = subscription(
        customer_id=subs[3].customer_id,
        domain=subs[3].customer_domain,
        sku_id=subs[3].sku_id,
        assigned=9,
    )
    writes_before = store.writes
    clock.advance()
    report = sync(SyncUsage())
    assert report.total("licences_updated") == 1
    # the licence, its day, the heartbeat, its digest entry marked then settled, and the
    # anomaly guard's window of assigned counts (its automation state)
    assert store.writes - writes_before == 6
    assert store.licences[subs[3].key].usage.assigned == 9


def test_seats_changed_in_the_admin_console_are_audited(store, clock) -> None:
    source = FakeSubscriptionSource([subscription(total=10)])
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    source.subscriptions = [subscription(total=14)]
    clock.advance()
    report = sync(SyncUsage())
    assert report.total("outside_changes") == 1
    entries = store.audit_entries(LicenceKey("C01", "1010020028"))
    assert [e.action for e in entries] == [
        AuditAction.LICENCE_DISCOVERED,
        AuditAction.SEATS_CHANGED_OUTSIDE,
    ]


def test_a_renewal_type_changed_at_google_is_stored_and_audited(store, clock) -> None:
    ends = T0 + timedelta(days=200)
    annual = subscription(
        plan="ANNUAL_YEARLY_PAY", renewal_type="AUTO_RENEW_YEARLY_PAY", commitment_ends_at=ends
    )
    source = FakeSubscriptionSource([annual])
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    source.subscriptions = [replace(annual, renewal_type="RENEW_CURRENT_USERS_YEARLY_PAY")]
    clock.advance()
    report = sync(SyncUsage())
    assert report.total("licences_updated") == 1
    assert report.total("outside_changes") == 1
    stored = store.licences[annual.key]
    assert (stored.usage.renewal_type, stored.usage.commitment_ends_at) == (
        "RENEW_CURRENT_USERS_YEARLY_PAY",
        ends,
    )
    entries = store.audit_entries(annual.key)
    assert [e.action for e in entries] == [
        AuditAction.LICENCE_DISCOVERED,
        AuditAction.RENEWAL_TYPE_CHANGED,
    ]
    assert store.digests["_all"][annual.key] == fingerprint(stored.usage)
    clock.advance()
    assert sync(SyncUsage()).licences_written == 0  # and then it is idle again


class OtherRun:
    """Another sync run holding the shard's lease while this run lists: it gives the lease back
    after `holds_for` of this run's pauses (None: never)."""

    def __init__(self, store: InMemoryStore, clock: Clock, holds_for: int | None) -> None:
        self.store, self.holds_for = store, holds_for
        self.pauses: list[float] = []
        store.digest_leases[""] = ShardLease("other-run", clock() + timedelta(minutes=10))

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if self.holds_for is not None and len(self.pauses) >= self.holds_for:
            self.store.digest_leases.pop("", None)  # its settle gives the lease back


def test_a_run_that_meets_a_busy_shard_records_it_once_the_other_run_is_done(store, clock) -> None:
    """A sync triggered just after a change at Google must record it even when a run that
    listed before the change is still recording the shard (CI: the renewal type never came)."""
    annual = subscription(plan="ANNUAL_YEARLY_PAY", renewal_type="RENEW_CURRENT_USERS_YEARLY_PAY")
    source = FakeSubscriptionSource([annual])
    make_sync(source, store, clock)(SyncUsage())
    source.subscriptions = [replace(annual, renewal_type="AUTO_RENEW_YEARLY_PAY")]
    clock.advance()
    other = OtherRun(store, clock, holds_for=3)
    sync = UsageSync(
        source, store, MemoryUnitOfWork(store), "Europe/London", clock=clock, sleep=other.sleep
    )
    report = sync(SyncUsage())
    assert report.failures == []
    assert store.licences[annual.key].usage.renewal_type == "AUTO_RENEW_YEARLY_PAY"
    assert len(other.pauses) == 3


def test_a_shard_held_longer_than_the_wait_is_left_to_its_holder(store, clock) -> None:
    source = FakeSubscriptionSource([subscription(total=10)])
    make_sync(source, store, clock)(SyncUsage())
    source.subscriptions = [subscription(total=14)]
    clock.advance()
    other = OtherRun(store, clock, holds_for=None)
    sync = UsageSync(
        source, store, MemoryUnitOfWork(store), "Europe/London", clock=clock, sleep=other.sleep
    )
    report = sync(SyncUsage())
    assert [f for f in report.failures if "another sync run" in f["reason"]]
    assert store.licences[LicenceKey("C01", "1010020028")].usage.total == 10
    assert 20 <= sum(other.pauses) <= 40  # a bounded wait, not the lease's ten minutes


def test_licences_stored_before_renewals_were_read_are_re_read_once(store, clock) -> None:
    """Deploying renewal types: an annual licence's fingerprint changes once, so the first sync
    reads and writes it once (no audit entry: nothing changed at Google); a FLEXIBLE one's
    fingerprint stays, and it is not recorded again."""
    flexible = subscription(sku_id="1010020027", subscription_id="s-flex")
    annual = subscription(plan="ANNUAL", subscription_id="s-annual")
    source = FakeSubscriptionSource([flexible, annual])
    sync = make_sync(source, store, clock)
    sync(SyncUsage())  # as the sync stored them before it read renewal settings
    ends = T0 + timedelta(days=200)
    source.subscriptions = [
        flexible,
        replace(annual, renewal_type="RENEW_CURRENT_USERS_MONTHLY_PAY", commitment_ends_at=ends),
    ]
    clock.advance()
    report = sync(SyncUsage())
    assert report.licences_written == 1
    assert report.total("outside_changes") == 0
    assert store.licences[annual.key].usage.commitment_ends_at == ends
    assert [e.action for e in store.audit_entries(annual.key)] == [AuditAction.LICENCE_DISCOVERED]
    clock.advance()
    assert sync(SyncUsage()).licences_written == 0


def test_offline_subscriptions_are_ignored(store, clock) -> None:
    source = FakeSubscriptionSource(world(customers=1))
    source.offline = [
        subscription(customer_id="C00", domain="customer00.example", sku_id="1010020025")
    ]
    report = make_sync(source, store, clock)(SyncUsage())
    assert report.total("offline_skipped") == 1
    assert LicenceKey("C00", "1010020025") not in store.licences


def test_an_incomplete_listing_keeps_what_it_read_and_removes_nothing(store, clock) -> None:
    source = FakeSubscriptionSource(world(customers=100), page_size=100)
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    source.fail_listing_after_pages = 1
    clock.advance()
    report = sync(SyncUsage())
    assert not report.shards[0].complete
    assert report.failures and "listing stopped early" in report.failures[0]["reason"]
    assert all(lic.usage.status != REMOVED for lic in store.licences.values())


def test_a_cancelled_subscription_is_marked_removed_after_checking_its_customer(
    store, clock
) -> None:
    source = FakeSubscriptionSource(world(customers=2))
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    gone = source.subscriptions.pop(0)
    clock.advance()
    report = sync(SyncUsage())
    assert report.total("licences_removed") == 1
    assert store.licences[gone.key].usage.status == REMOVED
    clock.advance()
    assert make_sync(source, store, clock)(SyncUsage()).total("licences_removed") == 0


def test_a_customer_answering_403_is_reported_and_the_others_still_sync(store, clock) -> None:
    source = FakeSubscriptionSource(world(customers=3))
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    source.forbidden = {"C01"}
    source.subscriptions = [
        subscription(
            customer_id=s.customer_id, domain=s.customer_domain, sku_id=s.sku_id, assigned=8
        )
        for s in source.subscriptions
    ]
    clock.advance()
    report = sync(SyncUsage())
    assert [f["customerId"] for f in report.failures] == ["C01"]
    assert "403" in report.failures[0]["reason"]
    assert report.total("licences_updated") == 4
    forbidden = [lic for key, lic in store.licences.items() if key.customer_id == "C01"]
    assert all(lic.usage.assigned == 5 and lic.usage.status == "ACTIVE" for lic in forbidden)


def test_shards_split_the_work_by_customer_name_prefix(store, clock) -> None:
    subs = [
        subscription(customer_id=f"C{d}", domain=f"{d}corp.example", subscription_id=d)
        for d in "abcxyz"
    ]
    source = FakeSubscriptionSource(subs)
    report = make_sync(source, store, clock)(SyncUsage(shards=("a", "b", "c", "x", "y", "z")))
    assert [s.subscriptions_seen for s in report.shards] == [1] * 6
    assert len(store.licences) == 6


def test_one_licence_failing_to_save_does_not_stop_the_others(store, clock) -> None:
    class FlakyUnitOfWork(MemoryUnitOfWork):
        """Every write of customer C01's licences times out."""

        def run(self, work):
            key = getattr(work, "keywords", {}).get("key")
            if key is not None and key.customer_id == "C01":
                raise RuntimeError("deadline exceeded")
            return super().run(work)

    flaky = FlakyUnitOfWork(store)
    source = FakeSubscriptionSource(world(customers=3))
    report = make_sync(source, store, clock, uow=flaky)(SyncUsage())
    assert len(store.licences) == 4
    assert len(report.failures) == 2
    assert all(f["customerId"] == "C01" for f in report.failures)


def test_the_heartbeat_says_when_google_was_checked_and_why_a_customer_was_not(
    store, clock
) -> None:
    from licence_manager.domain.freshness import FreshnessState, freshness_of

    subs = world(customers=2)
    source = FakeSubscriptionSource(subs)
    sync = UsageSync(
        source, store, MemoryUnitOfWork(store), "Europe/London", clock=clock, interval_seconds=60
    )
    sync(SyncUsage())
    first = clock.now
    source.forbidden.add("C01")  # the reseller lost the customer: gone from the listing, 403
    for _ in range(4):
        clock.advance()
        sync(SyncUsage())
    beat = store.sync_heartbeat()
    assert beat is not None and beat.interval_seconds == 60
    fine = freshness_of(beat, "C00", "customer00.example", clock.now, "Europe/London")
    assert fine.state is FreshnessState.FRESH and fine.checked_at == clock.now
    dark = freshness_of(beat, "C01", "customer01.example", clock.now, "Europe/London")
    assert dark.state is FreshnessState.STALE and dark.checked_at == first
    assert dark.reason is not None and "403" in dark.reason


def test_a_listing_that_stops_early_does_not_move_the_last_check(store, clock) -> None:
    source = FakeSubscriptionSource(world(customers=3), page_size=2)
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    first = clock.now
    source.fail_listing_after_pages = 1
    clock.advance()
    sync(SyncUsage())
    beat = store.sync_heartbeat()
    assert beat is not None
    shard = beat.shards[""]
    assert shard.checked_at == first and shard.attempted_at == clock.now
    assert shard.error is not None and "HTTP 503" in shard.error


def test_offline_orders_are_remembered_in_the_heartbeat_without_another_write(store, clock) -> None:
    from licence_manager.domain.offline import offline_skus_of

    source = FakeSubscriptionSource(world(customers=2))
    source.offline = [subscription(customer_id="C01", domain="customer01.example", sku_id="X1")]
    sync = make_sync(source, store, clock)
    sync(SyncUsage())
    assert offline_skus_of(store.heartbeat, "customer01.example", "C01") == {"X1"}
    writes_before, calls_before = store.writes, source.calls
    clock.advance()
    sync(SyncUsage())
    assert store.writes - writes_before == 1  # still only the heartbeat
    assert source.calls - calls_before == 1
    source.offline = []
    clock.advance()
    sync(SyncUsage())
    assert offline_skus_of(store.heartbeat, "customer01.example", "C01") == frozenset()


def test_a_large_first_sync_is_spread_over_runs_at_firestores_starting_pace(store, clock) -> None:
    """500/50/5: new licences are admitted at a pace and a number a run; the rest wait for the
    next runs and their customers say so (domain.onboarding)."""
    from licence_manager.domain.onboarding import WAITING, OnboardingPace
    from licence_manager.services.shard_pass import OnboardingGate

    slept: list[float] = []
    source = FakeSubscriptionSource(world(customers=10))  # 20 licences

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))

    def gate() -> OnboardingGate:
        # time stands still but for the waits: the pace alone decides them
        pace = OnboardingPace(per_second=40, per_run=8)
        return OnboardingGate(pace, lambda: sum(slept), sleep)

    uow = MemoryUnitOfWork(store)
    sync = UsageSync(source, store, uow, "Europe/London", clock, onboarding=gate)
    report = sync(SyncUsage())
    assert (report.total("licences_created"), report.total("licences_deferred")) == (8, 12)
    assert slept == [0.025] * 4  # a burst of 4 (a tenth of a second), then one every 25 ms
    waiting = {c for c, reason in store.sync_heartbeat().shards[""].customers.items()}
    assert len(waiting) >= 6 and WAITING in {
        problem.reason for problem in store.sync_heartbeat().shards[""].customers.values()
    }
    for _ in range(2):
        clock.advance()
        sync(SyncUsage())
    assert len(store.licences) == 20
    clock.advance()
    last = sync(SyncUsage())
    assert (last.total("licences_deferred"), last.licences_written) == (0, 0)
    assert store.sync_heartbeat().shards[""].customers == {}
