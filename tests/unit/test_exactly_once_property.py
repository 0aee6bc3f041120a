"""Property: whatever the cloud does to the events (duplicates, any order, messages held back
and redelivered later, processes dying at any step), seats are bought exactly as the policy
demands and no notification is emailed twice."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from licence_manager.domain.audit import AuditAction, verify_chain
from licence_manager.domain.notifications import DeliveryStatus
from licence_manager.domain.topup import RequestStatus
from tests.automation_harness import CRASH_POINTS, Stack, flexible, restore_policy

STATS: Counter[str] = Counter()

actions = st.lists(
    st.one_of(
        st.tuples(st.just("users"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("sync"), st.none()),
        st.tuples(st.just("deliver"), st.tuples(st.integers(0, 20), st.booleans())),
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=300)),
        st.tuples(st.just("outside"), st.integers(min_value=1, max_value=5)),
        st.tuples(st.just("crash"), st.sampled_from(CRASH_POINTS)),
    ),
    min_size=5,
    max_size=80,
)
policies = st.builds(
    lambda trigger, extra, cap, monthly: restore_policy(
        trigger=trigger, target=trigger + extra, max_total_seats=cap, max_seats_per_month=monthly
    ),
    st.integers(1, 4),
    st.integers(0, 4),
    st.one_of(st.none(), st.integers(12, 40)),
    st.one_of(st.none(), st.integers(3, 20)),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=policies, steps=actions)
def test_seats_are_bought_exactly_once_whatever_the_delivery(policy, steps) -> None:  # type: ignore[no-untyped-def]
    stack = Stack(flexible(total=10, assigned=5), policy)
    for action, arg in steps:
        if action == "users":
            stack.set_assigned(arg)
        elif action == "sync":
            stack.run_sync()
        elif action == "deliver":
            index, duplicate = arg
            outcome = stack.deliver(index, duplicate)
            STATS["deliveries"] += 1
            STATS[f"delivery:{outcome}"] += 1
            STATS["duplicates"] += duplicate
        elif action == "wait":
            stack.advance(arg)
        elif action == "outside":
            stack.add_seats_outside(arg)
        else:
            stack.faults.armed.add(arg)
    STATS.update(f"fault:{point}" for point in stack.faults.fired)
    STATS["examples"] += 1
    # the cloud calms down: everything still pending is delivered, the world is synced again
    stack.faults.armed.clear()
    stack.drain()
    stack.run_sync()
    stack.drain()
    note(f"faults fired: {stack.faults.fired}")

    requests = stack.store.requests_of(stack.key)
    applied = [r for r in requests if r.status is RequestStatus.APPLIED]
    # every request finished; nothing left half-way
    assert all(r.status.final for r in requests), requests
    state = stack.store.automation_state(stack.key)
    assert state.pending_request_id is None and state.in_flight_request_id is None
    # each applied request changed the seats exactly once, and nothing else changed them
    assert len(stack.seats.changes) == len(applied)
    final_total = stack.seats.subscriptions[stack.key].total_seats
    bought = sum(r.seats_to_add for r in applied)
    assert final_total == stack.initial_total + stack.outside_added + bought
    # top-ups chain: each was decided on the seats the previous one left, or more if an admin
    # added some meanwhile (no double top-up on the same seats)
    for before, after in pairwise(applied):
        assert after.total_before >= before.total_after
    # never more than the policy allowed
    if policy.max_total_seats is not None:
        assert stack.initial_total + bought <= max(policy.max_total_seats, stack.initial_total)
    if policy.max_seats_per_month is not None:
        assert sum(r.seats_to_add for r in applied) <= policy.max_seats_per_month
    # and what the policy demands: once calm, vacant seats are back at the target, unless a cap
    # stopped it (then an alert said so)
    usage = stack.store.licences[stack.key].usage
    assert usage.total == final_total
    blocked = any(
        e.action is AuditAction.TOP_UP_BLOCKED for e in stack.store.audit_entries(stack.key)
    )
    assert usage.vacant >= policy.top_up_when_vacant_below or blocked
    # no email twice; one that may have gone out unrecorded is flagged, not resent
    references = [email.reference for email in stack.mailer.sent]
    assert len(references) == len(set(references))
    for notification in stack.store.notifications_of("C01"):
        assert notification.status in (DeliveryStatus.SENT, DeliveryStatus.UNCONFIRMED)
    # the audit log is intact
    assert verify_chain(stack.store.audit_entries(stack.key)) == []
    STATS["requests_applied"] += len(applied)
    STATS["requests_superseded"] += sum(r.status is RequestStatus.SUPERSEDED for r in requests)
    STATS["recovered_after_crash"] += sum(r.recovered for r in applied)
    STATS["unconfirmed_emails"] += sum(
        n.status is DeliveryStatus.UNCONFIRMED for n in stack.store.notifications_of("C01")
    )


def teardown_module() -> None:
    print("\nexactly-once property:", dict(sorted(STATS.items())))
