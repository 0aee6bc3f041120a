"""SendGrid's events per recipient: duplicates change nothing, a late "delivered" never hides a
bounce, the notification's status follows (DELIVERED / BOUNCED), and a bouncing address is
flagged until a later email to it is delivered."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.domain.email_events import EmailEvent, apply_events, parse_events
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationType,
    Recipient,
)
from licence_manager.services.alerts import SendNotification
from licence_manager.services.email_events import RecordEmailEvents
from tests.builders import T0
from tests.fakes.channels import MemoryBounceStore
from tests.fakes.memory_automation import InMemoryStore, RecordingMailer
from tests.fakes.unit_of_work import MemoryUnitOfWork

A, B = "a@acme.example", "b@acme.example"


def sent(*recipients: str) -> Notification:
    return Notification(
        "n1",
        LicenceKey("C01", "sku"),
        NotificationType.LOW_LICENCES,
        T0,
        status=DeliveryStatus.SENT,
        recipients=recipients,
    )


def ev(kind: str, email: str = A, minutes: int = 1, nid: str = "n1") -> EmailEvent:
    return EmailEvent(nid, email, kind, T0 + timedelta(minutes=minutes))


def test_every_recipient_delivered_makes_it_delivered() -> None:
    one = apply_events(sent(A, B), [ev("delivered", A)])
    assert one.status is DeliveryStatus.SENT  # B not heard of yet
    both = apply_events(one, [ev("delivered", B)])
    assert both.status is DeliveryStatus.DELIVERED


@pytest.mark.parametrize("problem", ["bounce", "dropped", "spamreport"])
def test_a_late_delivered_never_overwrites_a_problem(problem: str) -> None:
    bounced = apply_events(sent(A), [ev(problem, minutes=5)])
    late = apply_events(bounced, [ev("delivered", minutes=1)])  # older, arrived after
    later = apply_events(late, [ev("delivered", minutes=9)])  # even a newer one
    for n in (bounced, late, later):
        assert n.status is DeliveryStatus.BOUNCED
        assert n.recipient_outcomes[0].event == problem


def test_a_spam_report_after_delivery_is_a_problem() -> None:
    n = apply_events(sent(A), [ev("delivered", minutes=1), ev("spamreport", minutes=60)])
    assert n.status is DeliveryStatus.BOUNCED


def test_duplicates_change_nothing() -> None:
    once = apply_events(sent(A), [ev("bounce")])
    assert apply_events(once, [ev("bounce"), ev("bounce")]) == once


def test_an_email_not_yet_recorded_sent_keeps_its_events_for_when_it_is() -> None:
    store = InMemoryStore()
    store.save_recipient(Recipient("C01", A))
    store.notification_records["n1"] = replace(sent(), status=DeliveryStatus.PENDING)
    uow, bounces = MemoryUnitOfWork(store), MemoryBounceStore()

    class EventsBeforeSent(RecordingMailer):
        def send(self, email):  # type: ignore[no-untyped-def]
            answer = super().send(email)
            RecordEmailEvents(uow, bounces)([ev("bounce")])  # SendGrid is quick
            return answer

    SendNotification(store, uow, EventsBeforeSent(), "", lambda: T0)("n1")
    stored = store.notification("n1")
    assert stored is not None and stored.status is DeliveryStatus.BOUNCED


def test_the_service_flags_a_bouncing_address_until_a_later_delivery() -> None:
    store = InMemoryStore()
    store.notification_records["n1"] = sent(A)
    store.notification_records["n2"] = replace(sent(A), notification_id="n2")
    bounces = MemoryBounceStore()
    record = RecordEmailEvents(MemoryUnitOfWork(store), bounces)
    assert record([ev("bounce", minutes=5), ev("bounce", minutes=5), ev("open")]) == 1
    assert set(bounces.bouncing("C01")) == {A}
    record([ev("delivered", minutes=2)])  # about an earlier email, arriving late
    assert set(bounces.bouncing("C01")) == {A}
    record([ev("delivered", minutes=30, nid="n2")])
    assert bounces.bouncing("C01") == {}
    assert record([ev("bounce", nid="unknown")]) == 0


def test_only_our_tracked_events_are_read() -> None:
    body = [
        {
            "event": "delivered",
            "email": "A@Acme.Example",
            "timestamp": 1_700_000_000,
            "notificationId": "n1",
        },
        {"event": "open", "email": A, "timestamp": 1_700_000_000, "notificationId": "n1"},
        {"event": "bounce", "email": A, "timestamp": 1_700_000_000},  # not one of ours
        "noise",
    ]
    (only,) = parse_events(body)
    assert only.email == A and only.event == "delivered"
    with pytest.raises(ValueError):
        parse_events({"event": "delivered"})
