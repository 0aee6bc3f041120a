"""Reseller events → targeted syncs, on in-memory fakes: coalescing under interleavings of
several handlers (function instances), duplicates, reordering and lost events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.observation import REMOVED
from licence_manager.domain.relist_coalescing import Coalescing
from licence_manager.domain.reseller_events import ResellerEvent
from licence_manager.services.customer_sync import (
    CustomerSyncOutcome,
    CustomerSyncReport,
    SyncCustomer,
)
from licence_manager.services.event_sync import EventOutcome, ReactToResellerEvent
from licence_manager.services.sync import SyncUsage, UsageSync
from tests.builders import T0, subscription
from tests.fakes.memory import FakeSubscriptionSource
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.memory_relists import InMemoryRelistGate
from tests.fakes.unit_of_work import MemoryUnitOfWork

TZ = "Europe/London"
RULE = Coalescing(window=timedelta(seconds=5), claim_lease=timedelta(seconds=30))
KEY = LicenceKey("C01", "1010020028")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def event(kind: str = "LICENSE_ASSIGNMENT_CHANGED", customer: str = "C01") -> ResellerEvent:
    return ResellerEvent(customer, kind, T0, sku_id="1010020028", subscription_id="stale-id")


class World:
    """The store, Google's side and a way to make handlers: one per function instance."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.store = InMemoryStore()
        self.uow = MemoryUnitOfWork(self.store)
        self.source = FakeSubscriptionSource([subscription(assigned=5)])
        self.gate = InMemoryRelistGate()
        self.relists: list[str] = []
        self._sync = SyncCustomer(self.source, self.store, self.uow, TZ, self.clock)
        self.scheduled = UsageSync(self.source, self.store, self.uow, TZ, clock=self.clock)

    def event(
        self, kind: str = "LICENSE_ASSIGNMENT_CHANGED", customer: str = "C01"
    ) -> ResellerEvent:
        """An event Google publishes now."""
        return replace(event(kind, customer), event_time=self.clock.now)

    def sync_customer(self, customer_id: str) -> CustomerSyncReport:
        self.relists.append(customer_id)
        return self._sync(customer_id)

    def handler(self, sleep: Callable[[float], None] | None = None) -> ReactToResellerEvent:
        def advance(seconds: float) -> None:
            self.clock.now += timedelta(seconds=seconds)

        return ReactToResellerEvent(
            self.gate, self.sync_customer, self.clock, RULE, sleep=sleep or advance
        )

    def google_assigns(self, assigned: int) -> None:
        self.source.subscriptions = [
            replace(s, licensed_number_of_seats=assigned, subscription_id=f"sub-{assigned}")
            for s in self.source.subscriptions
        ]

    def stored_assigned(self) -> int:
        return self.store.licences[KEY].usage.assigned


@pytest.fixture
def world() -> World:
    w = World()
    w.scheduled(SyncUsage())  # the customer is known: the poll has run
    return w


def test_an_event_relists_its_customer_by_id_and_records_the_new_figures(world: World) -> None:
    world.google_assigns(6)
    handled = world.handler()(world.event())
    assert handled.outcome is EventOutcome.RELISTED
    assert handled.report is not None
    assert handled.report.outcome is CustomerSyncOutcome.SYNCED
    assert handled.report.licences_written == 1
    assert world.stored_assigned() == 6
    # The stale subscription id in the event does not matter: the licence carries Google's.
    assert world.store.licences[KEY].usage.subscription_id == "sub-6"


def test_duplicates_and_reordered_events_write_nothing_more(world: World) -> None:
    world.google_assigns(6)
    handler = world.handler()
    handler(world.event())
    writes = world.store.writes
    world.clock.now += timedelta(seconds=60)
    for kind in ("LICENSE_ASSIGNMENT_CHANGED", "NEW_SUBSCRIPTION_CREATED"):  # late, twice
        handled = handler(world.event(kind))
        assert handled.report is not None and handled.report.licences_written == 0
        world.clock.now += timedelta(seconds=60)
    assert world.stored_assigned() == 6
    assert world.store.writes == writes  # no licence, rollup or audit entry written


def test_an_event_published_before_the_last_relist_started_is_covered(world: World) -> None:
    """A late delivery (a burst's tail, a duplicate) of an event the last re-list already saw."""
    late = world.event()
    world.clock.now += timedelta(seconds=3)
    assert world.handler()(world.event()).outcome is EventOutcome.RELISTED
    world.clock.now += timedelta(seconds=1)
    assert world.handler()(late).outcome is EventOutcome.COVERED
    assert world.relists == ["C01"]
    # Published only just before the re-list started (clocks differ): not trusted to be seen.
    almost = replace(world.event(), event_time=world.clock.now - timedelta(seconds=1.5))
    assert world.handler()(almost).outcome is EventOutcome.FOLLOWED_UP


def test_a_lost_event_is_caught_by_the_next_scheduled_sync(world: World) -> None:
    """The event sync's write marks the usage digest, so the poll reads the licence again even
    when Google's figures go back to what the digest last fingerprinted."""
    world.google_assigns(6)
    world.handler()(world.event())
    world.google_assigns(5)  # its event is lost
    world.clock.now += timedelta(minutes=5)
    report = world.scheduled(SyncUsage())
    assert report.licences_written == 1
    assert world.stored_assigned() == 5


def test_a_burst_of_events_inside_the_window_costs_two_relists(world: World) -> None:
    """A script creating users: the first event re-lists at once; every later one arriving
    while the follow-up's owner waits coalesces into that follow-up, which sees them all."""
    handler = world.handler()
    outcomes: list[EventOutcome] = []

    def meanwhile(seconds: float) -> None:
        # While the follow-up's owner (instance A) sleeps, instance B handles the rest of the
        # burst and Google's count keeps rising.
        for n in range(7, 500):
            world.google_assigns(n)
            outcomes.append(other(world.event()).outcome)
        world.clock.now += timedelta(seconds=seconds)

    other = world.handler()
    world.google_assigns(6)
    outcomes.append(handler(world.event()).outcome)  # instance B: re-lists at once
    world.clock.now += timedelta(seconds=1)
    # instance A owns one more
    outcomes.append(world.handler(sleep=meanwhile)(world.event()).outcome)
    assert outcomes.count(EventOutcome.RELISTED) == 1
    assert outcomes.count(EventOutcome.FOLLOWED_UP) == 1
    assert outcomes.count(EventOutcome.COALESCED) == 493
    assert world.relists == ["C01", "C01"]
    assert world.stored_assigned() == 499
    assert world.gate.state("C01").relists == 2


def test_an_event_after_the_follow_up_started_gets_a_follow_up_of_its_own(world: World) -> None:
    handler = world.handler()
    handler(world.event())
    world.clock.now += timedelta(seconds=1)

    def change_after_the_claim(seconds: float) -> None:
        world.clock.now += timedelta(seconds=seconds)

    assert world.handler(change_after_the_claim)(world.event()).outcome is EventOutcome.FOLLOWED_UP
    world.google_assigns(8)  # after the follow-up listed
    world.clock.now += timedelta(seconds=1)
    assert handler(world.event()).outcome is EventOutcome.FOLLOWED_UP
    assert world.stored_assigned() == 8


def test_a_follow_up_overtaken_by_a_later_relist_does_not_run(world: World) -> None:
    handler = world.handler()
    handler(world.event())
    world.clock.now += timedelta(seconds=1)

    def slow_owner(seconds: float) -> None:
        # The owner wakes late (a busy instance): an event after the due time re-lists first.
        world.clock.now += timedelta(seconds=seconds + 2)
        assert handler(world.event()).outcome is EventOutcome.RELISTED

    assert world.handler(slow_owner)(world.event()).outcome is EventOutcome.OVERTAKEN
    assert world.relists == ["C01", "C01"]


def test_a_failed_relist_propagates_and_its_redelivery_relists(world: World) -> None:
    """The failed re-list covers nothing: the redelivered event (published before that re-list
    started) re-lists, it is not taken as seen."""
    world.google_assigns(6)
    delivered = world.event()
    world.clock.now += timedelta(seconds=3)  # Google's delivery took a while

    def broken(customer_id: str) -> CustomerSyncReport:
        raise RuntimeError("HTTP 503")

    failing = ReactToResellerEvent(world.gate, broken, world.clock, RULE, sleep=lambda s: None)
    with pytest.raises(RuntimeError):
        failing(delivered)
    world.clock.now += timedelta(seconds=10)  # Pub/Sub's backoff, then the redelivery
    assert world.handler()(delivered).outcome is EventOutcome.RELISTED
    assert world.stored_assigned() == 6
    assert world.gate.state("C01").covered_until == world.clock.now


def test_an_unknown_event_type_is_ignored(world: World) -> None:
    handled = world.handler()(world.event("SOMETHING_NEW"))
    assert handled.outcome is EventOutcome.IGNORED
    assert world.relists == []


def test_an_unknown_customer_is_left_to_the_scheduled_sync(world: World) -> None:
    world.source.subscriptions.append(subscription(customer_id="C99", domain="new.example"))
    handled = world.handler()(world.event("NEW_SUBSCRIPTION_CREATED", customer="C99"))
    assert handled.report is not None
    assert handled.report.outcome is CustomerSyncOutcome.UNKNOWN_CUSTOMER
    assert LicenceKey("C99", "1010020028") not in world.store.licences


def test_a_customer_no_longer_ours_changes_nothing(world: World) -> None:
    world.source.forbidden.add("C01")
    handled = world.handler()(world.event())
    assert handled.report is not None
    assert handled.report.outcome is CustomerSyncOutcome.NO_ACCESS
    assert world.store.licences[KEY].usage.status != REMOVED


def test_a_cancelled_subscription_is_recorded_as_removed(world: World) -> None:
    world.source.subscriptions = []
    handled = world.handler()(world.event("SUBSCRIPTION_CANCELLED"))
    assert handled.report is not None and handled.report.licences_removed == 1
    assert world.store.licences[KEY].usage.status == REMOVED


def test_concurrent_instances_on_one_customer_relist_at_most_twice() -> None:
    """Real threads, real time: 40 handlers at once for one customer, a 0.3 s window."""
    w = World()
    w.scheduled(SyncUsage())
    rule = Coalescing(window=timedelta(seconds=0.3), claim_lease=timedelta(seconds=5))

    def now() -> datetime:
        return datetime.now(UTC)

    sync = SyncCustomer(w.source, w.store, w.uow, TZ, now)
    lock, relists = threading.Lock(), []

    def counted(customer_id: str) -> CustomerSyncReport:
        with lock:
            relists.append(customer_id)
        return sync(customer_id)

    handlers = [ReactToResellerEvent(w.gate, counted, now, rule) for _ in range(40)]
    start = threading.Barrier(40)
    outcomes: list[EventOutcome] = []

    def run(handler: ReactToResellerEvent) -> None:
        start.wait()
        outcome = handler(replace(event(), event_time=datetime.now(UTC))).outcome
        with lock:
            outcomes.append(outcome)

    w.google_assigns(9)
    threads = [threading.Thread(target=run, args=(h,)) for h in handlers]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - began < 0.3 * 2 + 2  # one wait for the window, not forty
    assert len(relists) == 2
    assert outcomes.count(EventOutcome.RELISTED) == 1
    assert outcomes.count(EventOutcome.FOLLOWED_UP) == 1
    assert w.stored_assigned() == 9
