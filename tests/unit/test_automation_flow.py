"""The top-up flow through the real services with in-memory ports: the happy path and each
fault the cloud can deliver, one at a time."""

from licence_manager.domain.audit import AuditAction, verify_chain
from licence_manager.domain.notifications import DeliveryStatus, NotificationType
from licence_manager.domain.topup import RequestStatus
from licence_manager.ports import SourceError
from licence_manager.services.settings import save_settings
from tests.automation_harness import Stack, flexible, restore_policy


def deliver_all(stack: Stack) -> None:
    while stack.bus.pending:
        assert stack.deliver(0) == "ok"


def statuses(stack: Stack) -> list[RequestStatus]:
    return [r.status for r in stack.store.requests_of(stack.key)]


def test_users_growing_past_the_threshold_tops_up_once_and_emails_twice() -> None:
    stack = Stack(flexible(total=10, assigned=5), restore_policy(trigger=2, target=4))
    deliver_all(stack)
    assert stack.seats.changes == []  # 5 vacant: nothing to do

    stack.set_assigned(9)  # 1 vacant: below 2
    stack.run_sync()
    deliver_all(stack)

    assert stack.seats.changes == [(stack.key, 13)]  # back to 4 vacant
    assert statuses(stack) == [RequestStatus.APPLIED]
    kinds = sorted(n.type for n in stack.store.notifications_of("C01"))
    assert kinds == [NotificationType.LOW_LICENCES, NotificationType.TOP_UP_APPLIED]
    assert len(stack.mailer.sent) == 2
    assert all(n.status is DeliveryStatus.SENT for n in stack.store.notifications_of("C01"))
    licence = stack.store.licences[stack.key]
    assert (licence.usage.total, licence.usage.vacant) == (13, 4)
    actions = [e.action for e in stack.store.audit_entries(stack.key)]
    assert actions == [
        AuditAction.SETTINGS_CHANGED,  # the harness saves the settings before the first sync
        AuditAction.LICENCE_DISCOVERED,
        AuditAction.LOW_LICENCE_ALERT,
        AuditAction.TOP_UP_REQUESTED,
        AuditAction.TOP_UP_APPLIED,
    ]
    assert verify_chain(stack.store.audit_entries(stack.key)) == []


def test_the_sync_that_sees_the_new_seats_does_not_top_up_again_or_call_it_outside() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy())
    deliver_all(stack)
    stack.run_sync()
    deliver_all(stack)
    assert len(stack.seats.changes) == 1
    actions = [e.action for e in stack.store.audit_entries(stack.key)]
    assert AuditAction.SEATS_CHANGED_OUTSIDE not in actions


def test_a_duplicated_top_up_message_buys_once() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy())
    stack.deliver(0)  # evaluate: publishes the request
    (message,) = [m for m in stack.bus.pending if m.kind == "top_up"]
    stack.bus.pending.append(message)
    deliver_all(stack)
    assert len(stack.seats.changes) == 1
    assert statuses(stack) == [RequestStatus.APPLIED]


def test_a_process_dying_after_change_seats_is_recovered_without_buying_again() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy())
    stack.faults.armed.add("apply:after_change_seats")
    stack.drain()
    assert stack.faults.fired == ["apply:after_change_seats"]
    assert len(stack.seats.changes) == 1
    (request,) = stack.store.requests_of(stack.key)
    assert request.status is RequestStatus.APPLIED and request.recovered
    assert request.attempts == 2


def test_a_lost_publish_after_the_decision_is_published_again() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy())
    stack.faults.armed.add("evaluate:before_publish")
    stack.drain()
    assert len(stack.seats.changes) == 1
    assert statuses(stack) == [RequestStatus.APPLIED]


def test_a_refused_change_is_recorded_alerted_and_not_retried_in_a_storm() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy())

    def refuse(subscription, total, send_until=None):  # type: ignore[no-untyped-def]
        raise SourceError("HTTP 400 invalid: seats above the reseller's limit", status=400)

    stack.seats.change_seats = refuse  # type: ignore[method-assign]
    stack.drain()
    assert statuses(stack) == [RequestStatus.FAILED]
    failed = [
        n for n in stack.store.notifications_of("C01") if n.type is NotificationType.TOP_UP_FAILED
    ]
    assert len(failed) == 1 and "400" in str(failed[0].facts["reason"])
    for _ in range(3):  # users keep coming: no new attempt while the seats stay where they are
        stack.set_assigned(10)
        stack.run_sync()
        stack.drain()
    assert statuses(stack) == [RequestStatus.FAILED]
    save_settings(stack.uow, stack.key, restore_policy(), "admin", stack.now)
    stack._collect_watch_events()
    stack.drain()
    assert statuses(stack) == [RequestStatus.FAILED, RequestStatus.FAILED]  # one retry, on request


def test_a_cap_blocks_the_top_up_and_says_why_once() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy(max_total_seats=12))
    stack.drain()
    stack.run_sync()
    stack.drain()
    assert stack.seats.changes == []
    blocked = [
        n for n in stack.store.notifications_of("C01") if n.type is NotificationType.TOP_UP_FAILED
    ]
    assert len(blocked) == 1
    assert "above your maximum of 12" in str(blocked[0].facts["reason"])


def test_seats_changed_elsewhere_meanwhile_supersede_the_request() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy())
    stack.deliver(0)  # evaluate → request for 10 → 13
    sub = stack.seats.subscriptions[stack.key]
    stack.seats.subscriptions[stack.key] = type(sub)(
        **{**{f: getattr(sub, f) for f in sub.__slots__}, "maximum_number_of_seats": 20}
    )
    stack.drain()
    assert stack.seats.changes == []
    assert statuses(stack)[0] is RequestStatus.SUPERSEDED


def test_an_email_that_may_have_gone_out_is_flagged_not_resent() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy())
    stack.faults.armed.add("send:after_send")
    stack.drain()
    references = [email.reference for email in stack.mailer.sent]
    assert len(references) == len(set(references))
    flagged = [
        n for n in stack.store.notifications_of("C01") if n.status is DeliveryStatus.UNCONFIRMED
    ]
    assert len(flagged) == 1


def test_a_request_superseded_by_an_outside_change_is_decided_again_from_googles_figures() -> None:
    """Found by the property test on a fresh clone: the request's publish is lost, an admin adds
    a seat, users fill it; the superseded request must not leave the licence short."""
    stack = Stack(flexible(total=10, assigned=10), restore_policy(trigger=1, target=1))
    stack.faults.armed.add("evaluate:before_publish")
    stack.deliver(0)  # decided 10 → 11, publish lost
    stack.add_seats_outside(1)
    stack.set_assigned(11)
    stack.drain()
    statuses_now = statuses(stack)
    assert statuses_now[0] is RequestStatus.SUPERSEDED
    assert statuses_now[-1] is RequestStatus.APPLIED
    assert stack.store.licences[stack.key].usage.vacant >= 1
    assert len(stack.seats.changes) == 1  # one purchase, for the figures Google really had


def test_a_request_superseded_after_the_sync_already_saw_the_outside_seats_is_decided_again() -> (
    None
):
    """Also found on a fresh clone: the sync records the admin's seat while the request is still
    pending, so no later licence write would re-evaluate; apply_topup must decide again itself."""
    stack = Stack(flexible(total=10, assigned=8), restore_policy(trigger=4, target=4))
    stack.faults.armed.add("evaluate:before_publish")
    stack.deliver(0)  # decided 10 → 12, publish lost
    stack.add_seats_outside(1)
    stack.run_sync()  # records 11 seats while the request is pending
    stack.drain()
    assert statuses(stack)[0] is RequestStatus.SUPERSEDED
    assert statuses(stack)[-1] is RequestStatus.APPLIED
    assert stack.store.licences[stack.key].usage.vacant >= 4
