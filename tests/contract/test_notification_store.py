"""One contract, two notification stores: the in-memory fake must behave like Firestore on the
emulator for claiming, updating and listing notifications, and for recipients."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    PREFERENCES,
    DeliveryStatus,
    Notification,
    NotificationClaim,
    NotificationType,
    Recipient,
)
from licence_manager.services import notification_records as records
from tests.builders import T0
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.unit_of_work import unit_of_work_for

Store = InMemoryStore | FirestoreStore

KEY = LicenceKey("C01", "1010020028")
LEASE = timedelta(minutes=2)


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memory":
        return InMemoryStore()
    return FirestoreStore(request.getfixturevalue("firestore_client"))


def notification(
    notification_id: str = "n1", key: LicenceKey = KEY, at: datetime = T0
) -> Notification:
    return Notification(
        notification_id,
        key,
        NotificationType.LOW_LICENCES,
        at,
        {"customerDomain": "acme.example", "vacant": 1, "utilisation": 0.9},
    )


def add(store: Store, *notifications: Notification) -> None:
    """Create notifications the way production does: created in a unit of work."""
    for n in notifications:
        unit_of_work_for(store).run(lambda tx, n=n: tx.notifications.create(n.notification_id, n))


def take(
    store: Store, notification_id: str, now: datetime, lease: timedelta
) -> tuple[NotificationClaim, Notification | None]:
    """send_alerts' claim (services.notification_records.take), in its own unit of work."""
    return unit_of_work_for(store).run(lambda tx: records.take(tx, notification_id, now, lease))


def put(store: Store, notification: Notification) -> None:
    """Store the notification as it is (a round trip of every field)."""
    unit_of_work_for(store).run(
        lambda tx: tx.notifications.put(notification.notification_id, notification)
    )


def write(store: Store, notification: Notification) -> bool:
    """An attempt's fenced write of its new state of the email."""
    return unit_of_work_for(store).run(lambda tx: records.write_if_held(tx, notification))


def stored(store: Store, notification_id: str = "n1") -> Notification:
    found = store.notification(notification_id)
    assert found is not None
    return found


def claimed_then_sending(store: Store) -> Notification:
    """A notification its sender claimed at T0 and started handing to SendGrid."""
    add(store, notification())
    take(store, "n1", T0, LEASE)
    sending = replace(stored(store), status=DeliveryStatus.SENDING, recipients=("a@acme.example",))
    write(store, sending)
    return sending


# claiming


def test_a_created_notification_reads_back_equal(store: Store) -> None:
    add(store, notification())
    assert store.notification("n1") == notification()
    assert store.notification("nope") is None


def test_a_pending_notification_is_claimed(store: Store) -> None:
    add(store, notification())

    claim, claimed = take(store, "n1", T0, LEASE)

    assert claim is NotificationClaim.CLAIMED
    expected = replace(notification(), status=DeliveryStatus.CLAIMED, claimed_at=T0, attempts=1)
    assert claimed == expected
    assert store.notification("n1") == expected


def test_a_live_claim_makes_the_next_taker_busy(store: Store) -> None:
    add(store, notification())
    _, claimed = take(store, "n1", T0, LEASE)

    claim, busy = take(store, "n1", T0 + LEASE - timedelta(seconds=1), LEASE)

    assert claim is NotificationClaim.BUSY
    assert busy == claimed == store.notification("n1")


def test_a_claim_that_died_before_sending_is_taken_over(store: Store) -> None:
    add(store, notification())
    take(store, "n1", T0, LEASE)

    claim, taken = take(store, "n1", T0 + LEASE, LEASE)

    assert claim is NotificationClaim.CLAIMED
    assert taken == stored(store)
    assert (stored(store).claimed_at, stored(store).attempts) == (T0 + LEASE, 2)


def test_a_notification_being_sent_is_busy_within_its_lease(store: Store) -> None:
    sending = claimed_then_sending(store)

    claim, busy = take(store, "n1", T0 + timedelta(seconds=30), LEASE)

    assert claim is NotificationClaim.BUSY
    assert busy == sending == store.notification("n1")


def test_a_sender_that_died_while_sending_leaves_it_unconfirmed(store: Store) -> None:
    sending = claimed_then_sending(store)

    claim, in_doubt = take(store, "n1", T0 + LEASE, LEASE)

    assert claim is NotificationClaim.IN_DOUBT
    assert in_doubt is not None and in_doubt.status is DeliveryStatus.UNCONFIRMED
    assert in_doubt.error and "may not have been delivered" in in_doubt.error
    assert in_doubt == replace(sending, status=DeliveryStatus.UNCONFIRMED, error=in_doubt.error)
    assert store.notification("n1") == in_doubt
    assert take(store, "n1", T0 + LEASE * 5, LEASE) == (
        NotificationClaim.DONE,
        in_doubt,
    )


def test_a_sent_notification_is_done(store: Store) -> None:
    sent = replace(claimed_then_sending(store), status=DeliveryStatus.SENT, sent_at=T0)
    write(store, sent)

    assert take(store, "n1", T0 + timedelta(seconds=1), LEASE) == (
        NotificationClaim.DONE,
        sent,
    )


def test_an_unknown_notification_is_done_and_absent(store: Store) -> None:
    assert take(store, "nope", T0, LEASE) == (NotificationClaim.DONE, None)


# updating and listing


def test_an_update_reads_back_equal_with_every_field_and_fact(store: Store) -> None:
    add(store, notification())
    updated = replace(
        notification(),
        facts={"customerDomain": "acme.example", "seatsAdded": 3, "ratio": 0.8125, "note": None},
        status=DeliveryStatus.FAILED,
        recipients=("a@acme.example", "b@acme.example"),
        attempts=3,
        claimed_at=T0 + timedelta(seconds=1),
        sent_at=T0 + timedelta(seconds=2, microseconds=500),
        provider_message_id="msg-123",
        error="SendGrid refused the email (400): bad address",
    )

    put(store, updated)

    assert store.notification("n1") == updated  # the facts dropped from it are gone too


def test_a_customers_notifications_come_newest_first(store: Store) -> None:
    hour = timedelta(hours=1)
    add(
        store,
        notification("old", at=T0),
        notification("new", at=T0 + 2 * hour),
        notification("tie-a", at=T0 + hour),
        notification("tie-b", at=T0 + hour),
        notification("other-sku", key=LicenceKey("C01", "1010020027"), at=T0 + 3 * hour),
        notification("other-customer", key=LicenceKey("C02", "1010020028"), at=T0 + 4 * hour),
    )

    listed = [n.notification_id for n in store.notifications_of("C01")]

    assert listed == ["other-sku", "new", "tie-b", "tie-a", "old"]
    assert [n.notification_id for n in store.notifications_of("C02")] == ["other-customer"]
    assert store.notifications_of("C03") == []


# recipients


def test_recipients_round_trip_per_customer_ordered_by_email(store: Store) -> None:
    zed = Recipient("C01", "zed@acme.example", "Zed")
    amy = Recipient("C01", "amy@acme.example", "Amy", frozenset({NotificationType.LOW_LICENCES}))
    elsewhere = Recipient("C02", "amy@beta.example")
    for recipient in (zed, amy, elsewhere):
        store.save_recipient(recipient)

    assert store.recipients("C01") == [amy, zed]
    assert store.recipients("C02") == [elsewhere]
    assert store.recipients("C03") == []


def test_every_preference_round_trips_on_its_own(store: Store) -> None:
    everyone = []
    # Types without a preference of their own (PREFERENCE_OF) follow another's.
    for kind in sorted(PREFERENCES):
        everyone.append(
            Recipient("C01", f"only-{kind.value}@acme.example", wants=frozenset({kind}))
        )
        everyone.append(
            Recipient(
                "C01",
                f"all-but-{kind.value}@acme.example",
                wants=PREFERENCES - {kind},
            )
        )
    everyone.append(Recipient("C01", "nothing@acme.example", wants=frozenset()))
    for recipient in everyone:
        store.save_recipient(recipient)

    assert store.recipients("C01") == sorted(everyone, key=lambda r: r.email)


def test_saving_a_recipient_again_replaces_it_whatever_the_case(store: Store) -> None:
    store.save_recipient(Recipient("C01", "Admin@Acme.example", "Old name"))
    renamed = Recipient("C01", "admin@acme.example", "New name", frozenset())

    store.save_recipient(renamed)

    assert store.recipients("C01") == [renamed]


def test_a_removed_recipient_is_gone_whatever_the_case(store: Store) -> None:
    store.save_recipient(Recipient("C01", "admin@acme.example"))
    store.save_recipient(Recipient("C01", "ops@acme.example"))
    store.save_recipient(Recipient("C02", "admin@acme.example"))

    store.remove_recipient("C01", "ADMIN@acme.example")
    store.remove_recipient("C01", "never-added@acme.example")

    assert store.recipients("C01") == [Recipient("C01", "ops@acme.example")]
    assert store.recipients("C02") == [Recipient("C02", "admin@acme.example")]


def test_a_sender_that_was_taken_over_writes_nothing_more(store: Store) -> None:
    """The first sender stalled past its lease; a second took the email over. The first one's
    late writes (marking it SENDING, recording it SENT) are fenced out, so it never sends the
    email a second time or overwrites the second sender's record."""
    add(store, notification())
    _, first = take(store, "n1", T0, LEASE)
    _, second = take(store, "n1", T0 + LEASE, LEASE)
    assert first is not None and second is not None
    assert second.attempts == first.attempts + 1
    assert write(store, replace(first, status=DeliveryStatus.SENDING)) is False
    assert write(store, replace(second, status=DeliveryStatus.SENDING)) is True
    assert write(store, replace(first, status=DeliveryStatus.SENT)) is False
    assert stored(store).status is DeliveryStatus.SENDING
    assert stored(store).attempts == second.attempts


def test_refused_recipients_read_back_beside_those_sent_to(store: Store) -> None:
    add(store, notification())
    updated = replace(
        notification(),
        status=DeliveryStatus.SENT,
        recipients=("a@acme.example",),
        refused_recipients=("b@acme..example", "c@-acme.example"),
    )

    put(store, updated)

    assert stored(store) == updated
    assert store.notifications_of("C01")[0].refused_recipients == updated.refused_recipients
