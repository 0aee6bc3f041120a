"""One bad recipient must not silence a customer's emails (security review #9).

SendGrid refuses a whole request when one address is bad, and says which one. The delivery
service then sends once more to the others, and records the refused address on the
notification for the admin to fix. Addresses that break SendGrid's rule are never handed over.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from licence_manager.adapters.sendgrid_mailer import RecipientsRejected
from licence_manager.domain.email_address import is_valid_email
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationType,
    Recipient,
)
from licence_manager.ports import Email, MailRejected
from licence_manager.services.alerts import SendNotification
from tests.builders import T0
from tests.fakes.memory_automation import InMemoryStore, RecordingMailer
from tests.fakes.unit_of_work import MemoryUnitOfWork

KEY = LicenceKey("C01", "1010020028")
NOTIFICATION_ID = "C01_1010020028-low-1"


class RefusingMailer(RecordingMailer):
    """Refuses, naming them as SendGrid does, the addresses listed and any breaking its rule;
    like SendGrid, a refused request sends nothing at all."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        super().__init__()
        self.refuse = refuse or set()
        self.calls: list[Email] = []

    def send(self, email: Email) -> str:
        self.calls.append(email)
        named = tuple(a for a in email.to if a in self.refuse or not is_valid_email(a))
        if named:
            raise RecipientsRejected("SendGrid refused the email (400)", named)
        return super().send(email)


def store_with(*addresses: str) -> InMemoryStore:
    store = InMemoryStore()
    for address in addresses:
        store.save_recipient(Recipient("C01", address))
    store.notification_records[NOTIFICATION_ID] = Notification(
        NOTIFICATION_ID, KEY, NotificationType.LOW_LICENCES, T0, {"skuName": "Standard"}
    )
    return store


def deliver(store: InMemoryStore, mailer: RecordingMailer) -> Notification:
    delivered = SendNotification(
        store, MemoryUnitOfWork(store), mailer, "https://lm.example", clock=lambda: T0
    )(NOTIFICATION_ID)
    assert delivered is not None
    assert store.notification(NOTIFICATION_ID) == delivered
    return delivered


def test_an_address_breaking_sendgrids_rule_is_never_handed_over() -> None:
    """The review's reproduction: stored under the API's old rule, it failed every email."""
    store = store_with("it@acme.example", "it@acme..example")
    mailer = RefusingMailer()

    done = deliver(store, mailer)

    assert done.status is DeliveryStatus.SENT
    assert done.recipients == ("it@acme.example",)
    assert done.refused_recipients == ("it@acme..example",)
    assert [e.to for e in mailer.calls] == [("it@acme.example",)]


def test_when_sendgrid_names_an_address_the_others_get_the_email_on_one_retry() -> None:
    store = store_with("ops@acme.example", "blocked@acme.example", "it@acme.example")
    mailer = RefusingMailer(refuse={"blocked@acme.example"})

    done = deliver(store, mailer)

    assert done.status is DeliveryStatus.SENT
    assert done.recipients == ("it@acme.example", "ops@acme.example")
    assert done.refused_recipients == ("blocked@acme.example",)
    assert done.provider_message_id == "message-1"
    assert [e.to for e in mailer.sent] == [("it@acme.example", "ops@acme.example")]
    assert len(mailer.calls) == 2


def test_only_one_retry_is_made_when_sendgrid_refuses_again() -> None:
    class RefusesEachInTurn(RefusingMailer):
        def send(self, email: Email) -> str:
            self.refuse = {email.to[0]}
            return super().send(email)

    store = store_with("a@acme.example", "b@acme.example", "c@acme.example")
    mailer = RefusesEachInTurn()

    done = deliver(store, mailer)

    assert done.status is DeliveryStatus.FAILED
    assert done.refused_recipients == ("a@acme.example", "b@acme.example")
    assert len(mailer.calls) == 2
    assert mailer.sent == []


def test_when_every_address_is_refused_the_notification_fails_naming_them() -> None:
    store = store_with("it@acme..example", "blocked@acme.example")
    mailer = RefusingMailer(refuse={"blocked@acme.example"})

    done = deliver(store, mailer)

    assert done.status is DeliveryStatus.FAILED
    assert done.refused_recipients == ("blocked@acme.example", "it@acme..example")
    assert done.recipients == ()
    assert done.error and "Recipients" in done.error
    assert mailer.sent == []


def test_when_only_bad_addresses_are_stored_nothing_is_handed_over() -> None:
    store = store_with("it@acme..example")
    mailer = RefusingMailer()

    done = deliver(store, mailer)

    assert done.status is DeliveryStatus.FAILED
    assert done.refused_recipients == ("it@acme..example",)
    assert mailer.calls == []


def test_a_refusal_that_names_no_address_fails_for_good_without_a_retry() -> None:
    class RefusesEverything(RefusingMailer):
        def send(self, email: Email) -> str:
            self.calls.append(email)
            raise MailRejected("SendGrid refused the email (401): bad key")

    store = store_with("it@acme.example", "ops@acme.example")
    mailer = RefusesEverything()

    done = deliver(store, mailer)

    assert done.status is DeliveryStatus.FAILED
    assert done.refused_recipients == ()
    assert len(mailer.calls) == 1


@pytest.fixture
def log_records() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger = logging.getLogger("licence_manager")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_delivery_logs_count_recipients_and_never_name_them(
    log_records: list[logging.LogRecord],
) -> None:
    """Addresses are personal data (review #16): the notification holds them, logs do not."""
    store = store_with("it@acme.example", "blocked@acme.example")

    deliver(store, RefusingMailer(refuse={"blocked@acme.example"}))

    assert log_records
    assert all("acme.example" not in str(vars(r)) for r in log_records)


def test_a_notification_stored_before_refusals_were_recorded_reads_back_with_none() -> None:
    from licence_manager.adapters.automation_codec import notification_from_doc, notification_to_doc

    notification = Notification(NOTIFICATION_ID, KEY, NotificationType.LOW_LICENCES, T0)
    old = notification_to_doc(notification)
    del old["refusedRecipients"]

    assert notification_from_doc(old) == notification
