"""A sender that stalls past its lease and is taken over never sends the email a second time:
its late writes are fenced by its claim number (services.notification_records)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationType,
    Recipient,
)
from licence_manager.services.alerts import SendNotification
from tests.builders import T0
from tests.fakes.memory_automation import InMemoryStore, RecordingMailer
from tests.fakes.unit_of_work import MemoryUnitOfWork

LEASE = timedelta(minutes=2)


class StallingStore(InMemoryStore):
    """The first read of recipients takes longer than the lease; meanwhile `during` runs."""

    def __init__(self) -> None:
        super().__init__()
        self.during: list[Callable[[], None]] = []

    def recipients(self, customer_id: str) -> list[Recipient]:
        while self.during:
            self.during.pop()()
        return super().recipients(customer_id)


def test_a_sender_taken_over_while_preparing_does_not_send_again() -> None:
    store = StallingStore()
    store.save_recipient(Recipient("C01", "admin@acme.example"))
    store.notification_records["n1"] = Notification(
        "n1", LicenceKey("C01", "1010020028"), NotificationType.LOW_LICENCES, T0, {}
    )
    mailer = RecordingMailer()
    now = [T0]

    def sender() -> SendNotification:
        return SendNotification(store, MemoryUnitOfWork(store), mailer, "", lambda: now[0], LEASE)

    def stall_then_second_sender() -> None:
        now[0] = T0 + LEASE + timedelta(seconds=1)
        second = sender()("n1")
        assert second is not None and second.status is DeliveryStatus.SENT

    store.during = [stall_then_second_sender]
    first = sender()("n1")

    assert len(mailer.sent) == 1
    assert first is not None
    stored = store.notification("n1")
    assert stored is not None and stored.status is DeliveryStatus.SENT
    assert stored.attempts == 2


def test_when_nobody_took_over_the_email_is_sent_once() -> None:
    store = StallingStore()
    store.save_recipient(Recipient("C01", "admin@acme.example"))
    store.notification_records["n1"] = Notification(
        "n1", LicenceKey("C01", "1010020028"), NotificationType.LOW_LICENCES, T0, {}
    )
    mailer = RecordingMailer()
    sent = SendNotification(store, MemoryUnitOfWork(store), mailer, "", lambda: T0, LEASE)("n1")
    assert sent is not None and sent.status is DeliveryStatus.SENT
    assert [e.reference for e in mailer.sent] == ["n1"]
