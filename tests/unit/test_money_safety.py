"""Regression tests for the money-safety review (../shared/reviews/security-and-money.md), one or
more per finding, adapted from its reproduction scripts. Each failed on 0f7ba8a; the finding's
number is in the test's name."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from licence_manager.domain.audit import AuditAction
from licence_manager.domain.buying import AUTOMATIC_REQUEST_EXPIRY
from licence_manager.domain.model import LicenceKey, Subscription
from licence_manager.domain.reports import additions
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from licence_manager.ports import SourceError
from licence_manager.services.buying_control import set_buying_paused
from licence_manager.services.purchases import RequestPurchase
from licence_manager.services.settings import save_settings
from licence_manager.services.sweeper import MAX_ATTEMPTS, SweepRequests
from licence_manager.services.topup import RetryLater
from licence_manager_local.demo_prices import seed_demo_prices
from tests.automation_harness import LEASE, BusPublisher, Stack, flexible, restore_policy
from tests.builders import T0
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork


@pytest.fixture(autouse=True)
def quiet() -> Iterator[None]:
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


def short_stack(**policy: object) -> Stack:
    """10 seats, 9 assigned: one evaluation decides an automatic top-up 10 → 13."""
    return Stack(flexible(total=10, assigned=9), restore_policy(trigger=2, target=4, **policy))


def decide(stack: Stack) -> str:
    """Deliver the evaluation; return the top-up request it published (held back, not sent)."""
    while not any(m.kind == "top_up" for m in stack.bus.pending):
        stack.deliver(0)
    held = next(m for m in stack.bus.pending if m.kind == "top_up")
    stack.bus.pending.remove(held)
    return held.ref


def deliver_all(stack: Stack) -> None:
    stack.drain()


def manual(stack: Stack, seats: int, n: int = 1) -> TopUpRequest:
    return stack.add_by_hand(seats, n)


def google_total(stack: Stack) -> int:
    return stack.seats.subscriptions[stack.key].total_seats


def invoiced(stack: Stack) -> list[tuple[str, int, int]]:
    return [
        (a.source, a.seats_before, a.seats_after)
        for a in additions(stack.store.audit_entries(stack.key))
    ]


def statuses(stack: Stack) -> dict[str, RequestStatus]:
    return {r.request_id: r.status for r in stack.store.requests_of(stack.key)}


# 1. Two seat changes at once


def test_1_a_second_request_waits_while_a_change_is_inside_changeseats_for_150_s() -> None:
    stack = short_stack()
    r1 = decide(stack)
    original = stack.seats.change_seats
    seen: list[str] = []

    def slow(sub: Subscription, total: int, send_until: datetime | None = None) -> Subscription:
        if not seen:
            stack.advance(150)  # the old 2-minute lease would have run out here
            r2 = manual(stack, 5)
            try:
                stack.apply(r2.request_id)
                seen.append("applied")
            except RetryLater:
                seen.append("busy")
        return original(sub, total, send_until)

    stack.seats.change_seats = slow  # type: ignore[method-assign]
    stack.apply(r1)
    assert seen == ["busy"]
    stack.apply(f"{stack.key.doc_id}-manual-1")  # redelivered once R1 has finished
    deliver_all(stack)
    stack.run_sync()
    deliver_all(stack)
    assert [t for _, t in stack.seats.changes] == [13]
    assert google_total(stack) == 13
    assert statuses(stack)[f"{stack.key.doc_id}-manual-1"] is RequestStatus.SUPERSEDED
    assert invoiced(stack) == [("automatic", 10, 13)]


def test_1_an_attempt_that_lost_its_lease_writes_nothing_after_a_takeover() -> None:
    """The process froze after Google answered, past the lease; another delivery took over and
    recorded the change. The frozen attempt's late record is fenced out: recorded once."""
    stack = short_stack()
    r1 = decide(stack)
    original = stack.seats.change_seats
    frozen: list[bool] = []

    def answer_then_freeze(
        sub: Subscription, total: int, send_until: datetime | None = None
    ) -> Subscription:
        changed = original(sub, total, send_until)
        if not frozen:
            frozen.append(True)
            stack.advance(LEASE.total_seconds() + 60)
            stack.apply(r1)  # the redelivery takes over and finds the seats already at 13
        return changed

    stack.seats.change_seats = answer_then_freeze  # type: ignore[method-assign]
    assert stack.apply(r1) is None  # the frozen attempt: its claim was taken over
    (request,) = stack.store.requests_of(stack.key)
    assert (request.status, request.recovered) == (RequestStatus.APPLIED, True)
    assert request.attempts == 2
    assert len(stack.seats.changes) == 1
    assert invoiced(stack) == [("automatic", 10, 13)]
    applied = [
        e for e in stack.store.audit_entries(stack.key) if e.action.value == "TOP_UP_APPLIED"
    ]
    assert len(applied) == 1


def test_1_no_call_to_google_starts_after_the_attempt_may_send() -> None:
    stack = short_stack()
    r1 = decide(stack)
    calls: list[datetime | None] = []
    original = stack.seats.current

    def slow_read(customer_id: str, sku_id: str) -> Subscription | None:
        stack.advance(LEASE.total_seconds() - 60)  # the fresh read took almost the lease
        return original(customer_id, sku_id)

    stack.seats.current = slow_read  # type: ignore[method-assign]
    stack.seats.change_seats = lambda s, t, u=None: calls.append(u) or s  # type: ignore[method-assign,func-returns-value]
    with pytest.raises(RetryLater):
        stack.apply(r1)
    assert calls == []
    (request,) = stack.store.requests_of(stack.key)
    assert request.status is RequestStatus.PENDING and request.change_sent_at is None


# 2. A definite 404 recorded as a purchase


def test_2_a_404_after_an_admin_changed_seats_in_between_buys_and_invoices_nothing() -> None:
    stack = short_stack()
    r1 = decide(stack)
    original = stack.seats.change_seats

    def admin_first(
        sub: Subscription, total: int, send_until: datetime | None = None
    ) -> Subscription:
        now = stack.seats.subscriptions[stack.key]  # the admin adds 5; Google changes the id
        stack.seats.subscriptions[stack.key] = replace(
            now, maximum_number_of_seats=now.total_seats + 5, subscription_id="sub-1+admin"
        )
        stack.seats.change_seats = original  # type: ignore[method-assign]
        return original(sub, total, send_until)  # the stale id: 404

    stack.seats.change_seats = admin_first  # type: ignore[method-assign]
    outcome = stack.apply(r1)
    assert outcome is not None and outcome.request.status is RequestStatus.SUPERSEDED
    deliver_all(stack)
    stack.run_sync()
    deliver_all(stack)
    assert stack.seats.changes == []
    assert google_total(stack) == 15
    assert invoiced(stack) == [("outside", 10, 15)]
    assert not any("added" in e.subject for e in stack.mailer.sent)
    assert stack.store.automation_state(stack.key).seats_added_this_month == 0


def test_2_a_404_after_an_unanswered_try_is_checked_not_superseded() -> None:
    """The first try timed out but landed (the id moved); its retry gets 404: ours did land."""
    stack = short_stack()
    r1 = decide(stack)
    original = stack.seats.change_seats

    def lands_then_404(
        sub: Subscription, total: int, send_until: datetime | None = None
    ) -> Subscription:
        original(sub, total, send_until)
        raise SourceError("HTTP 404 notFound", status=404, may_have_applied=True)

    stack.seats.change_seats = lands_then_404  # type: ignore[method-assign]
    outcome = stack.apply(r1)
    assert outcome is not None
    assert (outcome.request.status, outcome.request.recovered) == (RequestStatus.APPLIED, True)
    assert invoiced(stack) == [("automatic", 10, 13)]


def test_2_an_unverifiable_earlier_send_is_not_invoiced_twice() -> None:
    """An attempt sent 10 → 13 and died; then the admin set 15 in the Admin console. Whether
    ours landed cannot be told: the additions still equal what Google did (10 → 15)."""
    stack = short_stack()
    r1 = decide(stack)
    stack.faults.armed.add("apply:after_change_seats")
    with pytest.raises(Exception, match="apply:after_change_seats"):
        stack.apply(r1)
    stack.add_seats_outside(2)  # 13 → 15
    stack.advance(LEASE.total_seconds() + 1)
    stack.apply(r1)
    deliver_all(stack)
    stack.run_sync()
    deliver_all(stack)
    added = sum(after - before for _, before, after in invoiced(stack))
    assert added == google_total(stack) - 10
    assert sum(1 for e in stack.mailer.sent if "added" in e.subject) <= 1


# 3. Switching automatic top-ups off does not stop a pending one


def test_3_switching_automatic_top_ups_off_cancels_the_pending_request() -> None:
    stack = short_stack()
    r1 = decide(stack)
    stack.advance(60)
    save_settings(
        stack.uow,
        stack.key,
        LicenceSettings(auto_top_up=False, max_total_seats=10),
        "admin",
        stack.now,
    )
    stack._collect_watch_events()
    deliver_all(stack)  # the settings write is evaluated
    assert statuses(stack)[r1] is RequestStatus.SUPERSEDED
    assert stack.apply(r1) is None  # the held-back message arrives: nothing to do
    assert stack.seats.changes == []
    assert google_total(stack) == 10


def test_3_settings_saved_after_the_decision_are_checked_again_before_buying() -> None:
    """Even before the settings write is evaluated, apply_topup asks the rule itself."""
    stack = short_stack()
    r1 = decide(stack)
    stack.advance(60)
    save_settings(stack.uow, stack.key, restore_policy(max_total_seats=11), "admin", stack.now)
    outcome = stack.apply(r1)
    assert outcome is not None and outcome.request.status is RequestStatus.SUPERSEDED
    assert "settings were changed" in outcome.request.message
    assert stack.seats.changes == []


def test_3_an_automatic_request_never_sent_expires() -> None:
    stack = short_stack()
    r1 = decide(stack)
    stack.advance(AUTOMATIC_REQUEST_EXPIRY.total_seconds() + 1)
    outcome = stack.apply(r1)
    assert outcome is not None and outcome.request.status is RequestStatus.SUPERSEDED
    assert "expired" in outcome.request.message
    assert stack.seats.changes == []
    deliver_all(stack)  # decided again, from the figures as they are now, and bought once
    assert [t for _, t in stack.seats.changes] == [13]


def test_3_a_request_already_sent_is_driven_to_an_outcome_after_automation_is_switched_off() -> (
    None
):
    stack = short_stack()
    r1 = decide(stack)
    stack.faults.armed.add("apply:after_change_seats")
    with pytest.raises(Exception, match="apply:after_change_seats"):
        stack.apply(r1)
    save_settings(
        stack.uow,
        stack.key,
        LicenceSettings(auto_top_up=False, max_total_seats=10),
        "admin",
        stack.now,
    )
    stack._collect_watch_events()
    stack.advance(LEASE.total_seconds() + 1)
    deliver_all(stack)
    stack.apply(r1)
    assert statuses(stack)[r1] is RequestStatus.APPLIED  # Google made it: recorded, once
    assert len(stack.seats.changes) == 1


# 6. Dead-lettered or crashed requests are never driven again


def sweeper(stack: Stack) -> SweepRequests:
    publisher = BusPublisher(stack.bus, stack.faults, "sweep")
    return SweepRequests(stack.uow, stack.store, stack.store, publisher, lambda: stack.now, LEASE)


def test_6_a_request_whose_deliveries_all_died_is_driven_by_the_sweeper() -> None:
    stack = short_stack()
    r1 = decide(stack)
    for _ in range(5):  # every delivery dies after claiming; then the message is dead-lettered
        stack.faults.armed.add("apply:after_claim")
        with pytest.raises(Exception, match="after_claim"):
            stack.apply(r1)
        stack.advance(LEASE.total_seconds() + 1)
    deliver_all(stack)
    assert stack.store.request(r1).status is RequestStatus.CLAIMED  # type: ignore[union-attr]
    report = sweeper(stack)()
    assert r1 in report.actions["republished"]
    deliver_all(stack)
    assert statuses(stack)[r1] in (RequestStatus.APPLIED, RequestStatus.SUPERSEDED)
    assert stack.store.automation_state(stack.key).pending_request_id != r1


def test_6_the_sweeper_gives_up_with_an_alert_on_a_request_that_keeps_failing() -> None:
    stack = short_stack()
    r1 = decide(stack)

    def unavailable(customer_id: str, sku_id: str) -> Subscription | None:
        raise SourceError("HTTP 503", status=503)

    stack.seats.current = unavailable  # type: ignore[method-assign]
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(RetryLater):
            stack.apply(r1)
    stack.advance(180)
    report = sweeper(stack)()
    assert report.actions["gave_up"] == [r1]
    (request,) = stack.store.requests_of(stack.key)
    assert request.status is RequestStatus.FAILED
    deliver_all(stack)
    assert any(e.subject.startswith("Top-up not made") for e in stack.mailer.sent)


def test_6_a_stale_purchase_does_not_block_buying_the_sku_for_ever() -> None:
    store = InMemoryApiStore()
    seed_demo_prices(store)
    clock = [T0]
    buy = RequestPurchase(
        store, RecordingPublisher(), MemoryUnitOfWork(store), clock=lambda: clock[0]
    )
    first = buy("C01", "1010020025", "FLEXIBLE", 5, "alex@acme.example")
    assert store.request(first.request_id) is not None  # its message is then lost
    clock[0] = T0 + timedelta(hours=2)
    second = buy("C01", "1010020025", "FLEXIBLE", 5, "alex@acme.example")
    assert second.request_id != first.request_id
    assert LicenceKey("C01", "1010020025") == second.key


# 7. The compare-and-set ignores the plan


def annual(stack: Stack) -> None:
    sub = stack.seats.subscriptions[stack.key]
    stack.seats.subscriptions[stack.key] = replace(
        sub,
        plan_name="ANNUAL",
        number_of_seats=sub.total_seats,
        maximum_number_of_seats=None,
        subscription_id="sub-annual",
    )


def test_7_a_top_up_decided_on_flexible_is_not_bought_on_an_annual_plan() -> None:
    stack = short_stack()
    r1 = decide(stack)
    annual(stack)
    outcome = stack.apply(r1)
    assert outcome is not None and outcome.request.status is RequestStatus.SUPERSEDED
    assert "plan changed" in outcome.request.message
    assert stack.seats.changes == []
    assert stack.store.licences[stack.key].usage.plan_name == "ANNUAL"  # recorded as Google has it


def test_7_a_manual_addition_on_a_changed_plan_fails_with_an_email() -> None:
    stack = Stack(flexible(total=10, assigned=9), LicenceSettings())
    deliver_all(stack)
    request = manual(stack, 2)
    annual(stack)
    outcome = stack.apply(request.request_id)
    assert outcome is not None and outcome.request.status is RequestStatus.FAILED
    assert "plan changed" in outcome.request.message
    assert stack.seats.changes == []


# 12. The emergency stop does not stop buying


def test_12_pausing_buying_stops_a_request_already_on_its_way() -> None:
    stack = short_stack()
    r1 = decide(stack)
    set_buying_paused(stack.uow, True, "ops@reseller.example", stack.now, "incident 42")
    outcome = stack.apply(r1)
    assert outcome is not None and outcome.request.status is RequestStatus.SUPERSEDED
    assert "paused" in outcome.request.message
    deliver_all(stack)
    assert stack.seats.changes == []
    entries = stack.store.audit_entries(stack.key)
    assert any(e.action is AuditAction.TOP_UP_BLOCKED and "paused" in e.message for e in entries)


def test_12_nothing_is_decided_while_paused_and_buying_resumes_after() -> None:
    stack = short_stack()
    set_buying_paused(stack.uow, True, "ops@reseller.example", stack.now)
    deliver_all(stack)
    assert stack.seats.changes == []
    set_buying_paused(stack.uow, False, "ops@reseller.example", stack.now)
    stack.set_assigned(10)
    stack.run_sync()
    deliver_all(stack)
    assert [t for _, t in stack.seats.changes] == [14]


def test_2_an_unverifiable_earlier_send_still_counts_against_the_monthly_cap() -> None:
    """Found by the concurrent property test: a top-up that may have landed (sent, then the
    seats moved on before anyone could check) is not invoiced as automatic, but the monthly
    cap counts it, so automation never buys past the cap."""
    stack = Stack(
        flexible(total=10, assigned=9),
        restore_policy(trigger=2, target=2, max_seats_per_month=2),
    )
    r1 = decide(stack)  # 10 → 11
    stack.faults.armed.add("apply:after_change_seats")
    with pytest.raises(Exception, match="apply:after_change_seats"):
        stack.apply(r1)
    stack.add_seats_outside(1)  # 11 → 12 before anyone checks
    stack.advance(LEASE.total_seconds() + 1)
    stack.apply(r1)
    assert stack.store.automation_state(stack.key).seats_added_this_month == 1
    stack.set_assigned(12)  # 0 vacant: 2 more wanted, 1 + 2 is above the cap of 2
    stack.run_sync()
    deliver_all(stack)
    assert [t for _, t in stack.seats.changes] == [11]
    entries = stack.store.audit_entries(stack.key)
    assert any(e.action is AuditAction.TOP_UP_BLOCKED for e in entries)


def test_soak_a_change_a_sync_saw_landing_is_recorded_as_applied_after_the_seats_moved_on() -> None:
    """Found by the soak of the local stack: apply_topup died after Google applied the change,
    a sync saw the new total, then an admin added seats in the Admin console before the
    takeover. The change is recorded as applied (with its source) and only the admin's seats
    as changed outside, not all of them as outside."""
    stack = short_stack()
    r1 = decide(stack)  # 10 → 13
    stack.faults.armed.add("apply:after_change_seats")
    with pytest.raises(Exception, match="apply:after_change_seats"):
        stack.apply(r1)
    stack.advance(10)
    stack.run_sync()  # sees 13 while the change is in flight
    stack.add_seats_outside(2)  # 13 → 15
    stack.advance(LEASE.total_seconds() + 1)
    outcome = stack.apply(r1)
    assert outcome is not None
    assert (outcome.request.status, outcome.request.recovered) == (RequestStatus.APPLIED, True)
    deliver_all(stack)
    stack.run_sync()
    deliver_all(stack)
    assert invoiced(stack) == [("automatic", 10, 13), ("outside", 13, 15)]
    assert google_total(stack) == 15
