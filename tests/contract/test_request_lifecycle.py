"""One contract, two databases: an evaluation and a seat-change request's lifecycle, driven
through the production read-decide-writes (services.evaluate, services.request_records) in a
unit of work, must leave the same documents in memory as on Firestore's emulator.

An attempt claims a request and holds it by its token (the claim's number, `attempts`); every
later write of that attempt is fenced by the token, so an attempt that lost its claim (the lease
passed and another took over, or the request finished) writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

import pytest

from licence_manager.domain import outcomes
from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.automation import Evaluation
from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.model import LicenceKey, Subscription
from licence_manager.domain.notifications import Notification, NotificationType
from licence_manager.domain.observation import LicenceContext, RecordedChange, record_observation
from licence_manager.domain.outcomes import TopUpOutcome
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import Claim, RequestStatus, TopUpRequest
from licence_manager.ports.unit_of_work import BUYING, AlreadyExists
from licence_manager.services import request_records as records
from licence_manager.services.evaluate import EvaluateLicence
from licence_manager.services.request_records import Attempt, Decide, SendDecision
from licence_manager.services.settings import save_settings
from licence_manager.services.topup import DEFAULT_LEASE, SEND_MARGIN
from tests.builders import T0, subscription
from tests.contract.test_unit_of_work import Backend, Store, backend
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.unit_of_work import record

__all__ = ["backend"]  # the fixture, shared with the unit of work's contract

T = TypeVar("T")

TZ = "Europe/London"
KEY = LicenceKey("C01", "1010020028")
LEASE = DEFAULT_LEASE
# 1 vacant of 10 is below 2: alert, and top up to 4 vacant (10 → 13).
POLICY = LicenceSettings(
    low_licence_alert=True,
    alert_vacant_at_or_below=2,
    auto_top_up=True,
    top_up_when_vacant_below=2,
    top_up_target_vacant=4,
    max_total_seats=100,
)


# the world around the services


def observe(store: Store, total: int = 10, assigned: int = 9, at: datetime = T0) -> None:
    """What a sync does: record the subscription as the Reseller API reports it."""
    sub = subscription(total=total, assigned=assigned)

    def decide(context: LicenceContext) -> RecordedChange | None:
        return record_observation(context, sub, at, TZ)

    record(store, sub.key, at, TZ, decide)


def evaluate(
    backend: Backend, now: datetime = T0, publisher: RecordingPublisher | None = None
) -> Evaluation | None:
    return EvaluateLicence(backend.uow, publisher or RecordingPublisher(), lambda: now)(KEY)


def low_licence_evaluated(backend: Backend) -> tuple[Evaluation, TopUpRequest]:
    """A licence 1 seat from full under POLICY, evaluated once: one request, one alert."""
    observe(backend.store)
    save_settings(backend.uow, KEY, POLICY, "admin@acme.example", T0)
    evaluation = evaluate(backend)
    assert evaluation is not None and evaluation.new_request is not None
    return evaluation, evaluation.new_request


def a_request(request_id: str = "r1", **changes: object) -> TopUpRequest:
    made = TopUpRequest(
        request_id=request_id,
        key=KEY,
        source=Source.MANUAL,
        requested_by="admin@acme.example",
        plan_name="FLEXIBLE",
        seats_to_add=3,
        total_before=10,
        total_after=13,
        created_at=T0,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def stored(store: Store, request_id: str = "r1") -> TopUpRequest:
    found = store.request(request_id)
    assert found is not None
    return found


def everything(store: Store) -> tuple[object, ...]:
    """All the documents a request's lifecycle may write, as the store reads them."""
    return (
        store.requests_of(KEY),
        store.automation_state(KEY),
        store.licences_of("C01"),
        store.daily_usage(KEY),
        store.audit_entries(KEY),
        store.notifications_of("C01"),
    )


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


def holders_synced(
    backend: Backend, reclaimable: int, status: HoldersStatus = HoldersStatus.OK
) -> None:
    """What the holder sync does: write the customer's licence_insights."""
    skus = {KEY.sku_id: SkuInsight("Google-Apps", 9, reclaimable, reclaimable, 0, 0)}
    insights = LicenceInsights("C01", T0, status, "", 60, skus)
    backend.run(lambda tx: tx.insights.put("C01", insights))


HELD = replace(POLICY, hold_top_ups_when_reclaimable=3)  # reclaim before buying, from 3 seats


# each step of an attempt, one unit of work


def take(backend: Backend, request_id: str, now: datetime) -> tuple[Claim, TopUpRequest | None]:
    return backend.run(lambda tx: records.take(tx, request_id, now, LEASE))


def claim(backend: Backend, request_id: str = "r1", now: datetime = T0) -> Attempt:
    """Take the request as apply_topup does; the attempt that now holds it."""
    taken, claimed = take(backend, request_id, now)
    assert taken is Claim.CLAIMED and claimed is not None
    return Attempt(
        request_id,
        token=claimed.attempts,
        send_until=now + LEASE - SEND_MARGIN,
        sent_before=claimed.change_sent_at is not None,
    )


def finish(
    backend: Backend,
    attempt: Attempt,
    at: datetime,
    decide: Decide,
    seen: Subscription | None = None,
) -> TopUpOutcome | None:
    return backend.run(lambda tx: records.finish(tx, attempt, at, decide, seen, TZ))


def before_sending(
    backend: Backend, attempt: Attempt, now: datetime, current: Subscription | None = None
) -> SendDecision:
    return backend.run(lambda tx: records.before_sending(tx, attempt, current, now, TZ))


def release(backend: Backend, attempt: Attempt) -> None:
    backend.run(lambda tx: records.release(tx, attempt))


def unmark(backend: Backend, attempt: Attempt) -> TopUpRequest | None:
    return backend.run(lambda tx: records.unmark(tx, attempt))


def applied(at: datetime) -> Decide:
    return partial(outcomes.applied, at=at, subscription_id="sub-2", recovered=False)


def superseded(at: datetime, current_total: int = 11) -> Decide:
    return partial(outcomes.superseded, at=at, current_total=current_total)


# evaluation


def test_an_evaluation_writes_its_request_alert_audit_and_state(backend: Backend) -> None:
    store = backend.store
    made, new_request = low_licence_evaluated(backend)

    assert (new_request.total_before, new_request.total_after) == (10, 13)
    assert store.requests_of(KEY) == [new_request]
    (alert,) = made.new_notifications
    assert alert.type is NotificationType.LOW_LICENCES
    assert store.notifications_of("C01") == [alert]
    entries = store.audit_entries(KEY)
    assert [e.action for e in entries] == [
        AuditAction.LICENCE_DISCOVERED,
        AuditAction.SETTINGS_CHANGED,
        AuditAction.LOW_LICENCE_ALERT,
        AuditAction.TOP_UP_REQUESTED,
    ]
    assert entries[2:] == list(made.audit)
    assert verify_chain(entries) == []
    assert store.automation_state(KEY) == made.state
    assert made.state.pending_request_id == new_request.request_id


def test_an_evaluation_publishes_what_it_created_after_the_commit(backend: Backend) -> None:
    observe(backend.store)
    save_settings(backend.uow, KEY, POLICY, "admin@acme.example", T0)
    publisher = RecordingPublisher()

    made = evaluate(backend, publisher=publisher)

    assert made is not None and made.new_request is not None
    assert publisher.top_ups == [made.new_request.request_id]
    assert publisher.notifications == [n.notification_id for n in made.new_notifications]


def test_evaluating_again_creates_nothing_more(backend: Backend) -> None:
    made, new_request = low_licence_evaluated(backend)

    again = evaluate(backend)

    assert again is not None
    assert (again.new_request, again.new_notifications, again.audit) == (None, (), ())
    assert backend.store.requests_of(KEY) == [new_request]
    assert len(backend.store.notifications_of("C01")) == 1
    assert len(backend.store.audit_entries(KEY)) == 4  # discovered, settings, alert, request
    assert backend.store.automation_state(KEY) == made.state


def test_a_pending_request_is_published_again_by_the_next_evaluation(backend: Backend) -> None:
    _, new_request = low_licence_evaluated(backend)
    publisher = RecordingPublisher()

    evaluate(backend, publisher=publisher)

    assert publisher.top_ups == [new_request.request_id]


def test_a_claimed_request_is_not_published_again(backend: Backend) -> None:
    _, new_request = low_licence_evaluated(backend)
    claim(backend, new_request.request_id)
    publisher = RecordingPublisher()

    evaluate(backend, publisher=publisher)

    assert publisher.top_ups == []


def test_once_its_request_is_superseded_the_licence_is_decided_again(backend: Backend) -> None:
    _, first = low_licence_evaluated(backend)
    finish(backend, claim(backend, first.request_id), T0, superseded(T0, current_total=10))

    again = evaluate(backend, now=T0 + timedelta(seconds=1))

    assert again is not None and again.new_request is not None
    assert again.new_request.request_id != first.request_id
    assert backend.store.automation_state(KEY).pending_request_id == again.new_request.request_id
    assert [r.status for r in backend.store.requests_of(KEY)] == [
        RequestStatus.SUPERSEDED,
        RequestStatus.PENDING,
    ]


def test_a_replayed_decision_cannot_create_its_request_twice(backend: Backend) -> None:
    made, new_request = low_licence_evaluated(backend)
    # A state that forgot the request (as a decision replayed on stale reads would see it): the
    # evaluation decides the same request, with the same id, again.
    forgot = replace(made.state, pending_request_id=None, top_ups=made.state.top_ups - 1)
    backend.run(lambda tx: tx.automation.put(KEY, forgot))
    before = everything(backend.store)
    publisher = RecordingPublisher()

    with pytest.raises(AlreadyExists):
        evaluate(backend, publisher=publisher)

    assert everything(backend.store) == before
    assert backend.store.requests_of(KEY) == [new_request]
    assert (publisher.top_ups, publisher.notifications) == ([], [])


def test_racing_evaluations_create_one_request(backend: Backend) -> None:
    observe(backend.store)
    save_settings(backend.uow, KEY, POLICY, "admin@acme.example", T0)

    run_together(lambda: evaluate(backend), threads=2)

    assert len(backend.store.requests_of(KEY)) == 1
    assert len(backend.store.notifications_of("C01")) == 1
    entries = backend.store.audit_entries(KEY)
    assert len(entries) == 4  # discovered, settings, alert, request
    assert verify_chain(entries) == []


def test_an_unknown_licence_is_not_evaluated_and_nothing_is_stored(backend: Backend) -> None:
    save_settings(backend.uow, KEY, POLICY, "admin@acme.example", T0)
    before = everything(backend.store)
    publisher = RecordingPublisher()

    assert evaluate(backend, publisher=publisher) is None

    assert everything(backend.store) == before
    assert (publisher.top_ups, publisher.notifications) == ([], [])


def test_a_request_decided_under_older_settings_is_superseded_and_decided_again(
    backend: Backend,
) -> None:
    _, first = low_licence_evaluated(backend)
    later = T0 + timedelta(minutes=1)
    save_settings(backend.uow, KEY, replace(POLICY, top_up_target_vacant=5), "admin", later)

    made = evaluate(backend, now=later + timedelta(seconds=1))

    assert made is not None and made.new_request is not None
    old = stored(backend.store, first.request_id)
    assert old.status is RequestStatus.SUPERSEDED
    assert "settings were changed" in old.message
    assert (made.new_request.total_before, made.new_request.total_after) == (10, 14)
    assert backend.store.requests_of(KEY) == [old, made.new_request]
    state = backend.store.automation_state(KEY)
    assert state.pending_request_id == made.new_request.request_id
    entries = backend.store.audit_entries(KEY)
    assert [e.action for e in entries[-2:]] == [
        AuditAction.TOP_UP_SUPERSEDED,
        AuditAction.TOP_UP_REQUESTED,
    ]
    assert verify_chain(entries) == []


# taking a request


def test_a_taken_request_is_claimed_and_marks_its_licence_changing(backend: Backend) -> None:
    backend.store.create_request(a_request())

    taken, claimed = take(backend, "r1", T0)

    assert taken is Claim.CLAIMED
    assert claimed == a_request(status=RequestStatus.CLAIMED, claimed_at=T0, attempts=1)
    assert stored(backend.store) == claimed
    state = backend.store.automation_state(KEY)
    assert (state.in_flight_request_id, state.in_flight_total_after) == ("r1", 13)
    assert state.in_flight_since == T0


def test_a_claimed_request_is_busy_within_its_lease(backend: Backend) -> None:
    backend.store.create_request(a_request())
    claim(backend)
    before = everything(backend.store)

    taken, busy = take(backend, "r1", T0 + LEASE - timedelta(seconds=1))

    assert taken is Claim.BUSY
    assert busy == stored(backend.store)
    assert everything(backend.store) == before


def test_a_claim_older_than_its_lease_is_taken_over(backend: Backend) -> None:
    backend.store.create_request(a_request())
    claim(backend)
    later = T0 + LEASE

    taken, claimed = take(backend, "r1", later)

    assert taken is Claim.CLAIMED
    assert (
        claimed
        == stored(backend.store)
        == a_request(status=RequestStatus.CLAIMED, claimed_at=later, attempts=2)
    )
    assert backend.store.automation_state(KEY).in_flight_since == later


def test_a_finished_request_is_done(backend: Backend) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    finish(backend, claim(backend), T0, superseded(T0))
    before = everything(backend.store)

    taken, done = take(backend, "r1", T0 + LEASE * 2)

    assert taken is Claim.DONE
    assert done == stored(backend.store)
    assert done.status is RequestStatus.SUPERSEDED
    assert everything(backend.store) == before


def test_an_unknown_request_is_done_and_absent(backend: Backend) -> None:
    before = everything(backend.store)

    assert take(backend, "nope", T0) == (Claim.DONE, None)
    assert everything(backend.store) == before


def test_a_second_change_to_the_same_licence_waits_for_the_first(backend: Backend) -> None:
    backend.store.create_request(a_request("r1"))
    backend.store.create_request(a_request("r2", total_before=13, total_after=15))
    claim(backend, "r1")

    taken, waiting = take(backend, "r2", T0 + timedelta(seconds=5))

    assert taken is Claim.BUSY
    assert waiting == a_request("r2", total_before=13, total_after=15)
    assert stored(backend.store, "r2") == waiting
    assert backend.store.automation_state(KEY).in_flight_request_id == "r1"


def test_a_second_change_takes_the_licence_once_the_firsts_lease_has_passed(
    backend: Backend,
) -> None:
    backend.store.create_request(a_request("r1"))
    backend.store.create_request(a_request("r2", total_before=13, total_after=15))
    claim(backend, "r1")

    taken, _ = take(backend, "r2", T0 + LEASE)

    assert taken is Claim.CLAIMED
    state = backend.store.automation_state(KEY)
    assert (state.in_flight_request_id, state.in_flight_total_after) == ("r2", 15)


@pytest.mark.parametrize("step", ["finish", "release"])
def test_a_change_whose_lease_passed_leaves_the_newer_changes_licence_marker_alone(
    backend: Backend, step: str
) -> None:
    observe(backend.store)
    backend.store.create_request(a_request("r1"))
    backend.store.create_request(a_request("r2", total_before=13, total_after=15))
    first = claim(backend, "r1", T0)
    claim(backend, "r2", T0 + LEASE)  # the licence, taken over from r1
    marked = backend.store.automation_state(KEY)

    late = T0 + LEASE + timedelta(seconds=1)
    if step == "finish":
        finish(backend, first, late, superseded(late))
    else:
        release(backend, first)

    state = backend.store.automation_state(KEY)
    assert (state.in_flight_request_id, state.in_flight_total_after, state.in_flight_since) == (
        marked.in_flight_request_id,
        marked.in_flight_total_after,
        marked.in_flight_since,
    )
    assert marked.in_flight_request_id == "r2"


def test_two_takers_at_once_claim_a_request_once(backend: Backend) -> None:
    backend.store.create_request(a_request())

    results = run_together(lambda: take(backend, "r1", T0), threads=2)

    assert sorted(taken for taken, _ in results) == [Claim.BUSY, Claim.CLAIMED]
    assert stored(backend.store).attempts == 1


def test_a_claimed_change_is_seen_in_flight_by_the_sync(backend: Backend) -> None:
    store = backend.store
    observe(store, total=10)
    store.create_request(a_request())
    claim(backend)

    contexts: list[LicenceContext] = []
    record(store, KEY, T0, TZ, lambda context: contexts.append(context))
    assert [c.in_flight_total for c in contexts] == [13]

    # so the sync that sees the new seats does not call them a change outside Licence Manager
    observe(store, total=13, at=T0 + timedelta(minutes=1))
    actions = [e.action for e in store.audit_entries(KEY)]
    assert AuditAction.SEATS_CHANGED_OUTSIDE not in actions


# just before Google is asked


def test_before_sending_marks_the_change_sent(backend: Backend) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    attempt = claim(backend)
    sent_at = T0 + timedelta(seconds=3)

    decision = before_sending(backend, attempt, sent_at, subscription())

    assert decision == SendDecision(request=stored(backend.store))
    assert (stored(backend.store).change_sent_at, stored(backend.store).status) == (
        sent_at,
        RequestStatus.CLAIMED,
    )


def test_before_sending_past_the_attempts_send_deadline_writes_nothing(backend: Backend) -> None:
    backend.store.create_request(a_request())
    attempt = claim(backend)
    before = everything(backend.store)

    decision = before_sending(backend, attempt, attempt.send_until + timedelta(seconds=1))

    assert decision == SendDecision()
    assert everything(backend.store) == before


def test_before_sending_while_buying_is_paused_fails_the_request_and_says_why(
    backend: Backend,
) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    attempt = claim(backend)
    stop = BuyingControl(True, "card declined", "ops@reseller.example", T0)
    backend.run(lambda tx: tx.controls.put(BUYING, stop))

    decision = before_sending(backend, attempt, T0 + timedelta(seconds=3), subscription())

    assert decision.request is None and decision.refused is not None
    failed = stored(backend.store)
    assert failed.status is RequestStatus.FAILED and failed.change_sent_at is None
    assert "buying is paused by the reseller: card declined" in failed.message
    state = backend.store.automation_state(KEY)
    assert state.in_flight_request_id is None
    assert backend.store.audit_entries(KEY)[-1].action is AuditAction.TOP_UP_FAILED
    assert backend.store.notification("r1-failed") == decision.refused.notification


def test_a_claim_reads_the_reclaimable_seats_now_and_holds_an_automatic_top_up(
    backend: Backend,
) -> None:
    """Decided with 2 reclaimable seats (below the hold of 3); 3 can be reclaimed by the time
    it is about to be sent: nothing is bought, the request is superseded with the reason."""
    observe(backend.store)
    save_settings(backend.uow, KEY, HELD, "admin@acme.example", T0 - timedelta(minutes=1))
    holders_synced(backend, reclaimable=2)
    made = evaluate(backend)
    assert made is not None and made.new_request is not None
    request_id = made.new_request.request_id
    attempt = claim(backend, request_id, T0 + timedelta(seconds=1))
    holders_synced(backend, reclaimable=3)

    decision = before_sending(backend, attempt, T0 + timedelta(seconds=3), subscription())

    assert decision.request is None and decision.refused is not None
    held = stored(backend.store, request_id)
    assert held.status is RequestStatus.SUPERSEDED and held.change_sent_at is None
    assert "3 seats can be reclaimed, and automatic top-ups wait while 3 or more can" in (
        held.message
    )
    assert backend.store.automation_state(KEY).in_flight_request_id is None


@pytest.mark.parametrize("status", [HoldersStatus.OK, HoldersStatus.NO_ACCESS])
def test_a_claim_sends_when_the_reclaimable_seats_are_below_the_hold_or_unknown(
    backend: Backend, status: HoldersStatus
) -> None:
    observe(backend.store)
    save_settings(backend.uow, KEY, HELD, "admin@acme.example", T0 - timedelta(minutes=1))
    made = evaluate(backend)
    assert made is not None and made.new_request is not None
    attempt = claim(backend, made.new_request.request_id, T0 + timedelta(seconds=1))
    holders_synced(backend, reclaimable=2 if status is HoldersStatus.OK else 9, status=status)

    decision = before_sending(backend, attempt, T0 + timedelta(seconds=3), subscription())

    assert decision.request is not None and decision.request.change_sent_at is not None


def test_a_claim_never_holds_an_admins_own_addition(backend: Backend) -> None:
    observe(backend.store)
    save_settings(backend.uow, KEY, HELD, "admin@acme.example", T0 - timedelta(minutes=1))
    holders_synced(backend, reclaimable=8)
    backend.store.create_request(a_request())
    attempt = claim(backend)

    decision = before_sending(backend, attempt, T0 + timedelta(seconds=3), subscription())

    assert decision.request is not None and decision.refused is None


def test_an_evaluation_holds_the_top_up_with_an_alert_that_says_why(backend: Backend) -> None:
    observe(backend.store)
    save_settings(backend.uow, KEY, HELD, "admin@acme.example", T0 - timedelta(minutes=1))
    holders_synced(backend, reclaimable=4)

    made = evaluate(backend)

    assert made is not None and made.new_request is None
    assert backend.store.requests_of(KEY) == []
    kinds = {n.type: n for n in backend.store.notifications_of("C01")}
    blocked = kinds[NotificationType.TOP_UP_FAILED]
    assert str(blocked.facts["reason"]).startswith(
        "3 seats were not added automatically: 4 seats can be reclaimed"
    )
    # the low-licence alert of the same evaluation states them too
    assert kinds[NotificationType.LOW_LICENCES].facts["reclaimable"] == 4
    assert backend.store.audit_entries(KEY)[-1].action is AuditAction.TOP_UP_BLOCKED


def test_a_pending_top_up_is_superseded_when_the_reclaimable_seats_reach_the_hold(
    backend: Backend,
) -> None:
    observe(backend.store)
    save_settings(backend.uow, KEY, HELD, "admin@acme.example", T0 - timedelta(minutes=1))
    made = evaluate(backend)
    assert made is not None and made.new_request is not None
    holders_synced(backend, reclaimable=5)

    again = evaluate(backend, now=T0 + timedelta(seconds=1))

    assert again is not None and again.new_request is None
    assert stored(backend.store, made.new_request.request_id).status is RequestStatus.SUPERSEDED
    assert backend.store.audit_entries(KEY)[-1].action is AuditAction.TOP_UP_BLOCKED


def test_unmark_clears_the_change_sent_marker(backend: Backend) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    attempt = claim(backend)
    before_sending(backend, attempt, T0 + timedelta(seconds=3))

    unmarked = unmark(backend, attempt)

    assert unmarked == stored(backend.store)
    assert (unmarked.change_sent_at, unmarked.status) == (None, RequestStatus.CLAIMED)


# giving a request back


def test_a_released_request_is_pending_again_and_frees_its_licence(backend: Backend) -> None:
    backend.store.create_request(a_request())
    release(backend, claim(backend))

    assert stored(backend.store) == a_request(
        status=RequestStatus.PENDING, claimed_at=None, attempts=1
    )
    assert backend.store.automation_state(KEY).in_flight_request_id is None
    again = claim(backend, now=T0 + timedelta(seconds=1))
    assert again.token == stored(backend.store).attempts == 2


def test_a_released_request_that_may_have_been_sent_keeps_its_licence_changing(
    backend: Backend,
) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    attempt = claim(backend)
    before_sending(backend, attempt, T0 + timedelta(seconds=3))

    release(backend, attempt)

    assert stored(backend.store).status is RequestStatus.PENDING
    assert stored(backend.store).change_sent_at == T0 + timedelta(seconds=3)
    state = backend.store.automation_state(KEY)
    assert (state.in_flight_request_id, state.in_flight_total_after) == ("r1", 13)


def test_releasing_an_unclaimed_request_changes_nothing(backend: Backend) -> None:
    backend.store.create_request(a_request())
    never_claimed = Attempt("r1", token=0, send_until=T0 + LEASE, sent_before=False)
    before = everything(backend.store)

    release(backend, never_claimed)

    assert everything(backend.store) == before


# recording what became of it


def test_an_applied_outcome_updates_the_licence_day_request_state_audit_and_notifies(
    backend: Backend,
) -> None:
    store = backend.store
    _, top_up = low_licence_evaluated(backend)
    request_id = top_up.request_id
    claimed_at, done_at = T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)
    attempt = claim(backend, request_id, claimed_at)

    outcome = finish(backend, attempt, done_at, applied(done_at))

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
    assert "reclaimable" not in outcome.notification.facts  # unknown: no insights


def test_a_confirmation_states_the_reclaimable_seats_read_when_it_is_recorded(
    backend: Backend,
) -> None:
    _, top_up = low_licence_evaluated(backend)
    attempt = claim(backend, top_up.request_id, T0 + timedelta(seconds=10))
    holders_synced(backend, reclaimable=2)
    done_at = T0 + timedelta(seconds=20)

    outcome = finish(backend, attempt, done_at, applied(done_at))

    assert outcome is not None and outcome.notification is not None
    assert outcome.notification.facts["reclaimable"] == 2
    assert backend.store.notification(f"{top_up.request_id}-applied") == outcome.notification


def test_a_failed_outcome_pauses_automation_at_the_total_and_notifies(backend: Backend) -> None:
    _, top_up = low_licence_evaluated(backend)
    attempt = claim(backend, top_up.request_id)

    outcome = finish(backend, attempt, T0, partial(outcomes.failed, at=T0, error="HTTP 400"))

    assert outcome is not None and outcome.notification is not None
    assert stored(backend.store, top_up.request_id).status is RequestStatus.FAILED
    state = backend.store.automation_state(KEY)
    assert (state.failed_at_total, state.pending_request_id) == (10, None)
    assert backend.store.notification(outcome.notification.notification_id) is not None


def test_a_finish_records_the_seats_it_saw_as_a_sync_would(backend: Backend) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    attempt = claim(backend)
    at = T0 + timedelta(seconds=5)

    finish(backend, attempt, at, superseded(at), seen=subscription(total=11, assigned=9))

    assert stored(backend.store).status is RequestStatus.SUPERSEDED
    (licence,) = backend.store.licences_of("C01")
    assert licence.usage.total == 11
    entries = backend.store.audit_entries(KEY)
    assert [e.action for e in entries[-2:]] == [
        AuditAction.TOP_UP_SUPERSEDED,
        AuditAction.SEATS_CHANGED_OUTSIDE,
    ]
    assert verify_chain(entries) == []


def test_a_finish_that_cannot_create_its_notification_writes_nothing(backend: Backend) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    attempt = claim(backend)
    there = Notification("r1-applied", KEY, NotificationType.TOP_UP_APPLIED, T0)
    backend.run(lambda tx: tx.notifications.create(there.notification_id, there))
    before = everything(backend.store)

    with pytest.raises(AlreadyExists):
        finish(backend, attempt, T0, applied(T0))

    assert everything(backend.store) == before
    assert stored(backend.store).status is RequestStatus.CLAIMED


# fencing: an attempt that no longer holds its request writes nothing


def _finish(backend: Backend, attempt: Attempt, at: datetime) -> object:
    return finish(backend, attempt, at, applied(at), seen=subscription(total=13))


def _before_sending(backend: Backend, attempt: Attempt, at: datetime) -> object:
    return before_sending(backend, attempt, at, subscription())


def _release(backend: Backend, attempt: Attempt, _at: datetime) -> object:
    release(backend, attempt)
    return None


def _unmark(backend: Backend, attempt: Attempt, _at: datetime) -> object:
    return unmark(backend, attempt)


LATE_STEPS: dict[str, Callable[[Backend, Attempt, datetime], object]] = {
    "finish": _finish,
    "before_sending": _before_sending,
    "release": _release,
    "unmark": _unmark,
}
NOTHING = (None, SendDecision())  # what a fenced step returns


@pytest.mark.parametrize("step", LATE_STEPS)
def test_a_stale_attempt_writes_nothing_once_a_newer_one_has_claimed(
    backend: Backend, step: str
) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    stale = claim(backend, now=T0)
    newer = claim(backend, now=T0 + LEASE)  # the first attempt's lease has passed
    before_sending(backend, newer, T0 + LEASE + timedelta(seconds=1))
    before = everything(backend.store)
    # only its token fences the stale attempt: its deadline would still let it send
    stale = replace(stale, send_until=T0 + LEASE * 10)

    result = LATE_STEPS[step](backend, stale, T0 + LEASE + timedelta(seconds=2))

    assert result in NOTHING
    assert everything(backend.store) == before
    assert stored(backend.store).attempts == newer.token == 2


@pytest.mark.parametrize("step", LATE_STEPS)
def test_a_finished_request_is_never_touched_by_a_late_step(backend: Backend, step: str) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    attempt = claim(backend)
    before_sending(backend, attempt, T0 + timedelta(seconds=1))
    finish(backend, attempt, T0 + timedelta(seconds=2), applied(T0 + timedelta(seconds=2)))
    before = everything(backend.store)

    result = LATE_STEPS[step](backend, attempt, T0 + timedelta(seconds=3))

    assert result in NOTHING
    assert everything(backend.store) == before
    assert stored(backend.store).status is RequestStatus.APPLIED


def test_a_late_finish_does_not_overwrite_the_outcome_recorded_first(backend: Backend) -> None:
    observe(backend.store)
    backend.store.create_request(a_request())
    attempt = claim(backend)
    first = finish(backend, attempt, T0, superseded(T0))

    late = finish(backend, attempt, T0 + timedelta(seconds=1), applied(T0 + timedelta(seconds=1)))

    assert late is None and first is not None
    assert stored(backend.store) == first.request
    assert stored(backend.store).status is RequestStatus.SUPERSEDED
