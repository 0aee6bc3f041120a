from dataclasses import replace
from datetime import timedelta

import pytest

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationClaim,
    NotificationType,
    Recipient,
    recipients_for,
    take_notification,
)
from tests.builders import T0

LEASE = timedelta(minutes=5)
LIVE = T0 + LEASE - timedelta(seconds=1)
EXPIRED = T0 + LEASE


def notification(
    status: DeliveryStatus = DeliveryStatus.PENDING, **changes: object
) -> Notification:
    made = Notification(
        notification_id="C01_1010020028-low-1",
        key=LicenceKey("C01", "1010020028"),
        type=NotificationType.LOW_LICENCES,
        created_at=T0,
        status=status,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


# take_notification


def test_a_pending_notification_is_claimed_for_one_attempt() -> None:
    outcome, claimed = take_notification(notification(), T0, LEASE)
    assert outcome is NotificationClaim.CLAIMED
    assert (claimed.status, claimed.claimed_at, claimed.attempts) == (
        DeliveryStatus.CLAIMED,
        T0,
        1,
    )


def test_a_notification_claimed_by_a_live_attempt_is_busy() -> None:
    live = notification(DeliveryStatus.CLAIMED, claimed_at=T0, attempts=1)
    assert take_notification(live, LIVE, LEASE) == (NotificationClaim.BUSY, live)


def test_a_claim_older_than_the_lease_is_claimed_again_and_counted() -> None:
    died = notification(DeliveryStatus.CLAIMED, claimed_at=T0, attempts=1)
    outcome, claimed = take_notification(died, EXPIRED, LEASE)
    assert outcome is NotificationClaim.CLAIMED
    assert (claimed.status, claimed.claimed_at, claimed.attempts) == (
        DeliveryStatus.CLAIMED,
        EXPIRED,
        2,
    )


def test_a_notification_being_handed_over_by_a_live_attempt_is_busy() -> None:
    sending = notification(DeliveryStatus.SENDING, claimed_at=T0, attempts=1)
    assert take_notification(sending, LIVE, LEASE) == (NotificationClaim.BUSY, sending)


def test_a_sender_that_died_while_handing_over_leaves_the_email_in_doubt() -> None:
    sending = notification(DeliveryStatus.SENDING, claimed_at=T0, attempts=1)
    outcome, flagged = take_notification(sending, EXPIRED, LEASE)
    assert outcome is NotificationClaim.IN_DOUBT
    assert flagged.status is DeliveryStatus.UNCONFIRMED
    assert flagged.error is not None and "may not have been delivered" in flagged.error
    assert flagged.attempts == 1  # flagged for a person, never resent


@pytest.mark.parametrize(
    "status",
    [
        DeliveryStatus.SENT,
        DeliveryStatus.FAILED,
        DeliveryStatus.NO_RECIPIENTS,
        DeliveryStatus.UNCONFIRMED,
    ],
)
def test_a_finished_notification_is_done(status: DeliveryStatus) -> None:
    finished = notification(status, claimed_at=T0, attempts=1)
    assert take_notification(finished, EXPIRED, LEASE) == (NotificationClaim.DONE, finished)


# recipients_for


def only(kind: NotificationType) -> frozenset[NotificationType]:
    return frozenset({kind})


def test_recipients_are_those_who_want_the_type() -> None:
    recipients = [
        Recipient("C01", "it@acme.example", wants=frozenset({NotificationType.LOW_LICENCES})),
        Recipient(
            "C01", "finance@acme.example", wants=frozenset({NotificationType.TOP_UP_APPLIED})
        ),
    ]
    assert recipients_for(recipients, NotificationType.LOW_LICENCES) == ("it@acme.example",)
    assert recipients_for(recipients, NotificationType.TOP_UP_APPLIED) == ("finance@acme.example",)
    assert recipients_for(recipients, NotificationType.TOP_UP_FAILED) == ()


def test_a_recipient_wants_every_type_by_default() -> None:
    admin = Recipient("C01", "admin@acme.example")
    assert all(
        recipients_for([admin], kind) == ("admin@acme.example",) for kind in NotificationType
    )


def test_recipient_addresses_are_lowercased_de_duplicated_and_sorted() -> None:
    recipients = [
        Recipient("C01", "Zoe@Acme.example"),
        Recipient("C01", "admin@acme.example"),
        Recipient("C01", "ADMIN@ACME.EXAMPLE"),
    ]
    assert recipients_for(recipients, NotificationType.LOW_LICENCES) == (
        "admin@acme.example",
        "zoe@acme.example",
    )


def test_no_recipients_gives_an_empty_list() -> None:
    assert recipients_for([], NotificationType.LOW_LICENCES) == ()


def test_a_recipient_document_id_uses_the_lowercased_address() -> None:
    assert Recipient("C01", "Admin@Acme.example").doc_id == "C01_admin@acme.example"
