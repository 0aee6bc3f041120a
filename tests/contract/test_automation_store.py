"""One contract, two automation stores: the in-memory fake must behave like Firestore on the
emulator for settings, evaluations, seat-change requests and their outcomes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

import pytest

from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.adapters.memory_automation import InMemoryStore
from licence_manager.domain import outcomes
from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.automation import AutomationState, Evaluation, evaluate
from licence_manager.domain.model import GENESIS, AuditHead, Licence, LicenceKey
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.observation import LicenceContext, RecordedChange, record_observation
from licence_manager.domain.settings import LicenceSettings, TopUpMode
from licence_manager.domain.topup import Claim, RequestStatus, TopUpRequest
from licence_manager.ports import EvaluationDecision
from tests.builders import T0, subscription

Store = InMemoryStore | FirestoreStore
T = TypeVar("T")

TZ = "Europe/London"
KEY = LicenceKey("C01", "1010020028")
LEASE = timedelta(minutes=2)
# 1 vacant of 10 is below 2: alert, and top up to 4 vacant (10 → 13).
POLICY = LicenceSettings(
    low_licence_alert=True,
    alert_vacant_at_or_below=2,
    auto_top_up=True,
    top_up_when_vacant_below=2,
    top_up_target_vacant=4,
)


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return InMemoryStore()
    return FirestoreStore(request.getfixturevalue("firestore_client"))


def observe(store: Store, total: int = 10, assigned: int = 9, at: datetime = T0) -> None:
    """What a sync does: record the subscription as the Reseller API reports it."""
    sub = subscription(total=total, assigned=assigned)

    def decide(context: LicenceContext) -> RecordedChange | None:
        return record_observation(context, sub, at, TZ)

    store.record(sub.key, at, TZ, decide)


def decide_at(now: datetime, seen: list[RequestStatus | None] | None = None) -> EvaluationDecision:
    """The production decision at `now`; `seen` collects the pending status it was given."""

    def decide(
        licence: Licence | None,
        settings: LicenceSettings,
        state: AutomationState,
        head: AuditHead,
        pending: RequestStatus | None,
    ) -> Evaluation | None:
        if seen is not None:
            seen.append(pending)
        return evaluate(licence, settings, state, head, now) if licence else None

    return decide


def low_licence_evaluated(store: Store) -> tuple[Evaluation, TopUpRequest]:
    """A licence 1 seat from full under POLICY, evaluated once: one request, one alert."""
    observe(store)
    store.save_settings(KEY, POLICY, "admin@acme.example", T0)
    evaluation = store.evaluate(KEY, decide_at(T0))
    assert evaluation is not None and evaluation.new_request is not None
    return evaluation, evaluation.new_request


def pending_status_given(store: Store) -> RequestStatus | None:
    """Evaluate again; what the decision was told about the licence's pending request."""
    seen: list[RequestStatus | None] = []
    store.evaluate(KEY, decide_at(T0, seen))
    return seen[-1]


def request(
    request_id: str = "r1", key: LicenceKey = KEY, at: datetime = T0, **changes: object
) -> TopUpRequest:
    made = TopUpRequest(
        request_id=request_id,
        key=key,
        source=Source.MANUAL,
        requested_by="admin@acme.example",
        plan_name="FLEXIBLE",
        seats_to_add=3,
        total_before=10,
        total_after=13,
        created_at=at,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def stored(store: Store, request_id: str = "r1") -> TopUpRequest:
    found = store.request(request_id)
    assert found is not None
    return found


def set_state(store: Store, key: LicenceKey, state: AutomationState) -> None:
    """Write a state through the only door the port has: an evaluation that changed it."""
    store.evaluate(key, lambda *_: Evaluation(state=state, changed=True))


def run_together(work: Callable[[], T], threads: int) -> list[T]:
    """Start `threads` copies of `work` at one instant; return their results or raise."""
    barrier = threading.Barrier(threads)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(work())
        except BaseException as error:  # surfaced below, not swallowed
            errors.append(error)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    return results


# settings


def test_settings_default_to_everything_off(store: Store) -> None:
    assert store.settings(KEY) == LicenceSettings()


def test_saved_settings_read_back_equal(store: Store) -> None:
    settings = LicenceSettings(
        low_licence_alert=True,
        alert_vacant_at_or_below=3,
        alert_utilisation_at_or_above=0.85,
        auto_top_up=True,
        top_up_when_vacant_below=2,
        top_up_target_vacant=5,
        top_up_mode=TopUpMode.FIXED_STEP,
        top_up_step=4,
        max_total_seats=200,
        max_seats_per_month=20,
    )
    store.save_settings(KEY, settings, "admin@acme.example", T0)
    assert store.settings(KEY) == settings
    assert store.settings(LicenceKey("C01", "1010020027")) == LicenceSettings()


def test_saving_settings_lifts_the_pause_of_a_failed_top_up(store: Store) -> None:
    _, top_up = low_licence_evaluated(store)
    store.take_request(top_up.request_id, T0, LEASE)
    store.finish_request(top_up.request_id, T0, partial(outcomes.failed, at=T0, error="HTTP 400"))
    paused = store.automation_state(KEY)
    assert paused.failed_at_total == 10

    store.save_settings(KEY, POLICY, "admin@acme.example", T0 + timedelta(minutes=1))

    assert store.automation_state(KEY) == replace(paused, failed_at_total=None)


# evaluation


def test_an_evaluation_writes_its_request_alert_audit_and_state(store: Store) -> None:
    made, new_request = low_licence_evaluated(store)

    assert (new_request.total_before, new_request.total_after) == (10, 13)
    assert store.request(new_request.request_id) == new_request
    assert store.requests_of(KEY) == [new_request]
    (alert,) = made.new_notifications
    assert alert.type is NotificationType.LOW_LICENCES
    assert store.notification(alert.notification_id) == alert
    assert store.notifications_of("C01") == [alert]
    entries = store.audit_entries(KEY)
    assert [e.action for e in entries] == [
        AuditAction.LICENCE_DISCOVERED,
        AuditAction.LOW_LICENCE_ALERT,
        AuditAction.TOP_UP_REQUESTED,
    ]
    assert entries[1:] == list(made.audit)
    assert verify_chain(entries) == []
    assert store.automation_state(KEY) == made.state
    assert made.state.pending_request_id == new_request.request_id


def test_running_the_same_decision_again_creates_nothing_more(store: Store) -> None:
    made, new_request = low_licence_evaluated(store)

    again = store.evaluate(KEY, decide_at(T0))

    assert again is not None
    assert (again.new_request, again.new_notifications, again.audit) == (None, (), ())
    assert store.requests_of(KEY) == [new_request]
    assert len(store.notifications_of("C01")) == 1
    assert len(store.audit_entries(KEY)) == 3
    assert store.automation_state(KEY) == made.state


def test_racing_evaluations_create_one_request(store: Store) -> None:
    observe(store)
    store.save_settings(KEY, POLICY, "admin@acme.example", T0)
    run_together(lambda: store.evaluate(KEY, decide_at(T0)), threads=2)

    assert len(store.requests_of(KEY)) == 1
    assert len(store.notifications_of("C01")) == 1
    entries = store.audit_entries(KEY)
    assert len(entries) == 3
    assert verify_chain(entries) == []


def test_an_unknown_licence_is_decided_on_with_nothing_stored(store: Store) -> None:
    given: list[tuple[object, ...]] = []

    def decide(*args: object) -> None:
        given.append(args)

    assert store.evaluate(KEY, decide) is None
    assert given == [(None, LicenceSettings(), AutomationState(), GENESIS, None)]
    assert store.automation_state(KEY) == AutomationState()


def test_decide_is_told_the_status_of_the_pending_request(store: Store) -> None:
    observe(store)
    store.save_settings(KEY, POLICY, "admin@acme.example", T0)

    assert pending_status_given(store) is None  # and this evaluation creates a request
    request_id = store.automation_state(KEY).pending_request_id
    assert request_id is not None
    assert pending_status_given(store) is RequestStatus.PENDING
    store.take_request(request_id, T0, LEASE)
    assert pending_status_given(store) is RequestStatus.CLAIMED
    applied = partial(outcomes.applied, at=T0, subscription_id="sub-2", recovered=False)
    store.finish_request(request_id, T0, applied)
    assert pending_status_given(store) is None


def test_an_automation_state_reads_back_equal(store: Store) -> None:
    state = AutomationState(
        low_alert_active=True,
        low_alerts=3,
        blocked_alert_active=True,
        blocked_alerts=2,
        pending_request_id="C01_1010020028-auto-4",
        top_ups=4,
        month="2026-11",
        seats_added_this_month=7,
        failed_at_total=12,
        in_flight_request_id="C01_1010020028-auto-4",
        in_flight_total_after=15,
        in_flight_since=T0 + timedelta(microseconds=123456),
    )
    assert store.automation_state(KEY) == AutomationState()
    set_state(store, KEY, state)
    assert store.automation_state(KEY) == state


# requests


def test_create_request_creates_only_once(store: Store) -> None:
    assert store.create_request(request()) is True
    assert store.create_request(request(seats_to_add=50, total_after=60)) is False
    assert store.request("r1") == request()
    assert store.request("nope") is None


def test_a_taken_request_is_claimed_then_busy_within_its_lease(store: Store) -> None:
    store.create_request(request())

    claim, claimed = store.take_request("r1", T0, LEASE)
    assert claim is Claim.CLAIMED
    assert claimed == request(status=RequestStatus.CLAIMED, claimed_at=T0, attempts=1)
    assert store.request("r1") == claimed

    claim, busy = store.take_request("r1", T0 + LEASE - timedelta(seconds=1), LEASE)
    assert claim is Claim.BUSY
    assert busy == claimed
    assert store.request("r1") == claimed


def test_a_claim_older_than_its_lease_is_taken_over(store: Store) -> None:
    store.create_request(request())
    store.take_request("r1", T0, LEASE)

    later = T0 + LEASE
    claim, taken = store.take_request("r1", later, LEASE)

    assert claim is Claim.CLAIMED
    assert (
        taken
        == stored(store)
        == request(status=RequestStatus.CLAIMED, claimed_at=later, attempts=2)
    )
    assert store.automation_state(KEY).in_flight_since == later


def test_a_finished_request_is_done(store: Store) -> None:
    observe(store)
    store.create_request(request())
    store.take_request("r1", T0, LEASE)
    store.finish_request("r1", T0, partial(outcomes.superseded, at=T0, current_total=11))

    claim, done = store.take_request("r1", T0 + LEASE * 2, LEASE)

    assert claim is Claim.DONE
    assert done == stored(store)
    assert stored(store).status is RequestStatus.SUPERSEDED


def test_an_unknown_request_is_done_and_absent(store: Store) -> None:
    assert store.take_request("nope", T0, LEASE) == (Claim.DONE, None)


def test_a_second_change_to_the_same_licence_waits_for_the_first(store: Store) -> None:
    store.create_request(request("r1"))
    store.create_request(request("r2", total_before=13, total_after=15))
    store.take_request("r1", T0, LEASE)

    claim, waiting = store.take_request("r2", T0 + timedelta(seconds=5), LEASE)

    assert claim is Claim.BUSY
    assert waiting == request("r2", total_before=13, total_after=15)
    assert store.request("r2") == waiting
    assert store.automation_state(KEY).in_flight_request_id == "r1"


def test_a_claimed_change_is_seen_in_flight_by_the_sync(store: Store) -> None:
    observe(store, total=10)
    store.create_request(request())
    store.take_request("r1", T0, LEASE)
    state = store.automation_state(KEY)
    assert (state.in_flight_request_id, state.in_flight_total_after) == ("r1", 13)
    assert state.in_flight_since == T0

    contexts: list[LicenceContext] = []
    store.record(KEY, T0, TZ, lambda context: contexts.append(context))
    assert [c.in_flight_total for c in contexts] == [13]

    # so the sync that sees the new seats does not call them a change outside Licence Manager
    observe(store, total=13, at=T0 + timedelta(minutes=1))
    actions = [e.action for e in store.audit_entries(KEY)]
    assert AuditAction.SEATS_CHANGED_OUTSIDE not in actions


def test_mark_change_sent_is_stored(store: Store) -> None:
    store.create_request(request())
    store.take_request("r1", T0, LEASE)
    sent_at = T0 + timedelta(seconds=3)

    store.mark_change_sent("r1", sent_at)

    assert (stored(store).change_sent_at, stored(store).status) == (sent_at, RequestStatus.CLAIMED)


def test_a_released_request_is_pending_again(store: Store) -> None:
    store.create_request(request())
    store.take_request("r1", T0, LEASE)

    store.release_request("r1")

    assert stored(store) == request(status=RequestStatus.PENDING, claimed_at=None, attempts=1)
    claim, _ = store.take_request("r1", T0 + timedelta(seconds=1), LEASE)
    assert claim is Claim.CLAIMED
    assert stored(store).attempts == 2


def test_releasing_an_unclaimed_request_changes_nothing(store: Store) -> None:
    store.create_request(request())
    store.release_request("r1")
    assert store.request("r1") == request()


def test_an_applied_outcome_updates_the_licence_day_request_state_audit_and_notifies(
    store: Store,
) -> None:
    _, top_up = low_licence_evaluated(store)
    request_id = top_up.request_id
    claimed_at, done_at = T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)
    store.take_request(request_id, claimed_at, LEASE)

    outcome = store.finish_request(
        request_id,
        done_at,
        partial(outcomes.applied, at=done_at, subscription_id="sub-2", recovered=False),
    )

    assert outcome is not None and outcome.licence is not None and outcome.daily is not None
    assert (outcome.licence.usage.total, outcome.licence.usage.subscription_id) == (13, "sub-2")
    assert store.licences_of("C01") == [outcome.licence]
    assert store.daily_usage(KEY) == [outcome.daily]
    assert (outcome.daily.last_total, outcome.daily.changes) == (13, 2)
    assert store.request(request_id) == outcome.request
    assert outcome.request.status is RequestStatus.APPLIED
    assert store.automation_state(KEY) == outcome.state
    state = outcome.state
    assert (state.pending_request_id, state.in_flight_request_id) == (None, None)
    assert (state.month, state.seats_added_this_month) == ("2026-11", 3)
    entries = store.audit_entries(KEY)
    assert entries[-1] == outcome.audit[0]
    assert entries[-1].action is AuditAction.TOP_UP_APPLIED
    assert verify_chain(entries) == []
    assert outcome.notification is not None
    assert store.notification(f"{request_id}-applied") == outcome.notification
    assert outcome.notification.type is NotificationType.TOP_UP_APPLIED


def test_a_decision_of_nothing_finishes_nothing(store: Store) -> None:
    store.create_request(request())
    store.take_request("r1", T0, LEASE)
    before = (store.request("r1"), store.automation_state(KEY))

    assert store.finish_request("r1", T0, lambda _context: None) is None

    assert (store.request("r1"), store.automation_state(KEY)) == before
    assert store.audit_entries(KEY) == []


def test_a_licences_requests_come_oldest_first(store: Store) -> None:
    store.create_request(request("b", at=T0 + timedelta(hours=1)))
    store.create_request(request("c", at=T0))
    store.create_request(request("a", at=T0 + timedelta(hours=1)))
    # neither another SKU nor one whose id shares the prefix may leak in
    store.create_request(request("x", key=LicenceKey("C01", "10100200280")))
    store.create_request(request("y", key=LicenceKey("C01", "1010020027")))

    assert [r.request_id for r in store.requests_of(KEY)] == ["c", "a", "b"]
    assert store.requests_of(LicenceKey("C02", "1010020028")) == []


def test_two_takers_at_once_claim_a_request_once(store: Store) -> None:
    store.create_request(request())

    results = run_together(lambda: store.take_request("r1", T0, LEASE), threads=2)

    assert sorted(claim for claim, _ in results) == [Claim.BUSY, Claim.CLAIMED]
    assert stored(store).attempts == 1
