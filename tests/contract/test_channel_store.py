"""One contract for alert channels, bouncing addresses and the channel fields of a
notification: the in-memory fakes against Firestore on the emulator. The Firestore channel store
keeps the URL sealed: the document never holds it in the clear."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from licence_manager.adapters.firestore_bounces import FirestoreBounceStore
from licence_manager.adapters.firestore_channels import CHANNELS, FirestoreChannelStore
from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager.adapters.secret_box import SecretBox, SecretUnreadable
from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, verify_chain
from licence_manager.domain.channels import Channel, ChannelDelivery, ChannelKind, masked_url
from licence_manager.domain.email_events import RecipientOutcome
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import DeliveryStatus, Notification, NotificationType
from licence_manager.ports.channels import ChangedBy, ChannelStore
from licence_manager.ports.email_feedback import Bounce, BounceStore
from tests.builders import T0
from tests.fakes.channels import MemoryBounceStore, MemoryChannelStore
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import unit_of_work_for

URL = "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=KEYSECRET&token=TOKSECRET"
KEY = SecretBox.new_key()


@pytest.fixture(params=["memory", "firestore"])
def channels(request: pytest.FixtureRequest) -> ChannelStore:
    if request.param == "memory":
        return MemoryChannelStore()
    return FirestoreChannelStore(request.getfixturevalue("firestore_client"), SecretBox(KEY))


@pytest.fixture(params=["memory", "firestore"])
def bounces(request: pytest.FixtureRequest) -> BounceStore:
    if request.param == "memory":
        return MemoryBounceStore()
    return FirestoreBounceStore(request.getfixturevalue("firestore_client"))


def test_a_channel_round_trips_with_its_url_and_choices(channels: ChannelStore) -> None:
    chat = Channel(
        "C01", "a", ChannelKind.GOOGLE_CHAT, "Ops", URL, frozenset({NotificationType.LOW_LICENCES})
    )
    hook = Channel(
        "C01", "b", ChannelKind.WEBHOOK, "SIEM", "https://x.example/in", signing_secret="lmsec_x"
    )
    assert channels.add_channel(chat) and channels.add_channel(hook)
    assert not channels.add_channel(chat)  # the id is taken
    assert channels.channels("C01") == [chat, hook]
    assert channels.channels("C02") == []
    renamed = replace(chat, name="Ops team", wants=frozenset({NotificationType.TOP_UP_FAILED}))
    assert channels.update_channel(replace(renamed, url="https://ignored.example"))
    assert channels.channel("C01", "a") == renamed  # never the URL
    assert channels.remove_channel("C01", "a") and not channels.remove_channel("C01", "a")
    assert channels.channel("C01", "a") is None


@pytest.mark.parametrize("kind", ["memory", "firestore"])
def test_a_persons_changes_join_the_customers_audit_chain(kind: str, request: Any) -> None:
    if kind == "memory":
        audit: Any = InMemoryApiStore()
        channels: ChannelStore = MemoryChannelStore(audit=audit)
    else:
        client = request.getfixturevalue("firestore_client")
        audit, channels = FirestoreApiStore(client), FirestoreChannelStore(client, SecretBox(KEY))
    chat = Channel("C01", "a", ChannelKind.GOOGLE_CHAT, "Ops", URL)
    by = ChangedBy("admin@acme.example", T0)
    assert channels.add_channel(chat, by) and not channels.add_channel(chat, by)
    assert channels.update_channel(replace(chat, name="Ops team"), by)
    assert channels.remove_channel("C01", "a", by) and not channels.remove_channel("C01", "a", by)
    channels.add_channel(replace(chat, channel_id="seed"))  # no person: not audited
    chain = audit.audit_entries(LicenceKey("C01", CUSTOMER_SCOPE))
    assert [e.action for e in chain] == [
        AuditAction.RECIPIENT_ADDED,
        AuditAction.RECIPIENT_CHANGED,
        AuditAction.RECIPIENT_REMOVED,
    ]
    assert {e.actor for e in chain} == {"admin@acme.example"}
    assert all("KEYSECRET" not in e.message and "TOKSECRET" not in e.message for e in chain)
    assert "Ops team" in chain[1].message and verify_chain(chain) == []
    assert all(masked_url(URL) in e.message for e in chain)  # the same masked form each time


def test_a_channel_sealed_with_a_lost_key_can_still_be_removed_and_is_audited(
    firestore_client: Any,
) -> None:
    FirestoreChannelStore(firestore_client, SecretBox(KEY)).add_channel(
        Channel("C01", "a", ChannelKind.GOOGLE_CHAT, "Ops", URL)
    )
    rotated = FirestoreChannelStore(firestore_client, SecretBox(SecretBox.new_key()))
    assert rotated.remove_channel("C01", "a", ChangedBy("admin@acme.example", T0))
    [removed] = FirestoreApiStore(firestore_client).audit_entries(LicenceKey("C01", CUSTOMER_SCOPE))
    assert removed.action is AuditAction.RECIPIENT_REMOVED and masked_url(URL) in removed.message


def test_the_stored_document_holds_the_url_sealed(firestore_client: Any) -> None:
    store = FirestoreChannelStore(firestore_client, SecretBox(KEY))
    store.add_channel(Channel("C01", "a", ChannelKind.GOOGLE_CHAT, "Ops", URL))
    doc = firestore_client.collection(CHANNELS).document("C01_a").get().to_dict()
    assert "KEYSECRET" not in str(doc) and "TOKSECRET" not in str(doc)
    assert doc["urlMasked"].startswith("https://chat.googleapis.com/")
    other = FirestoreChannelStore(firestore_client, SecretBox(SecretBox.new_key()))
    with pytest.raises(SecretUnreadable):
        other.channels("C01")


def test_a_bounce_stands_until_a_later_delivery(bounces: BounceStore) -> None:
    bounces.record(Bounce("C01", "a@acme.example", "bounce", T0, "550", "n1"))
    bounces.record(Bounce("C01", "a@acme.example", "dropped", T0 - timedelta(hours=1)))  # older
    assert bounces.bouncing("C01")["a@acme.example"].event == "bounce"
    bounces.delivered("C01", "a@acme.example", T0 - timedelta(minutes=1))  # an earlier email
    assert set(bounces.bouncing("C01")) == {"a@acme.example"}
    bounces.delivered("C01", "a@acme.example", T0 + timedelta(minutes=1))
    assert bounces.bouncing("C01") == {}


@pytest.mark.parametrize("kind", ["memory", "firestore"])
def test_a_notifications_channel_fields_round_trip_and_a_bounce_is_a_problem(
    kind: str, request: pytest.FixtureRequest
) -> None:
    store: Any = (
        InMemoryApiStore()
        if kind == "memory"
        else FirestoreApiStore(request.getfixturevalue("firestore_client"))
    )
    n = Notification(
        "n1",
        LicenceKey("C01", "sku"),
        NotificationType.LOW_LICENCES,
        T0,
        {"vacant": 1},
        status=DeliveryStatus.BOUNCED,
        recipients=("a@acme.example",),
        channel_deliveries=(
            ChannelDelivery("a", DeliveryStatus.UNCONFIRMED, "tok", T0, T0, "answered 500", 3),
        ),
        recipient_outcomes=(RecipientOutcome("a@acme.example", "bounce", T0, "550"),),
    )
    # Delivered, but its Chat post is UNCONFIRMED: a problem all the same.
    delivered = replace(
        n,
        notification_id="n2",
        created_at=T0 + timedelta(minutes=1),
        status=DeliveryStatus.DELIVERED,
        recipient_outcomes=(),
    )
    posted = ChannelDelivery("a", DeliveryStatus.SENT, "tok", T0, T0, None, 1)
    fine = replace(delivered, notification_id="n3", channel_deliveries=(posted,))
    bounced_only = replace(
        n, notification_id="n0", created_at=T0 - timedelta(minutes=1), channel_deliveries=()
    )
    for item in (n, delivered, fine, bounced_only):
        unit_of_work_for(store).run(
            lambda tx, item=item: tx.notifications.create(item.notification_id, item)
        )
    assert store.notification("n1") == n
    page = store.notification_page("C01", 10, None, problems_only=True)
    assert [x.notification_id for x in page.notifications] == ["n2", "n1", "n0"]
    assert page.next_cursor is None
    # A page at a time, the email's problems and the channels' interleaved by time.
    shown, cursor = [], None
    while True:
        part = store.notification_page("C01", 1, cursor, problems_only=True)
        shown += [x.notification_id for x in part.notifications]
        if part.next_cursor is None:
            break
        cursor = part.next_cursor
    assert shown == ["n2", "n1", "n0"]


@pytest.mark.parametrize("kind", ["memory", "firestore"])
def test_notifications_with_a_channel_message_unsent_are_found_never_an_unconfirmed_one(
    kind: str, request: pytest.FixtureRequest
) -> None:
    store: Any = (
        InMemoryApiStore()
        if kind == "memory"
        else FirestoreApiStore(request.getfixturevalue("firestore_client"))
    )
    sent = Notification(
        "n1", LicenceKey("C01", "sku"), NotificationType.LOW_LICENCES, T0, {"vacant": 1},
        status=DeliveryStatus.SENT,
    )  # fmt: skip
    handed_back = ChannelDelivery("a", DeliveryStatus.PENDING, "", None, None, "429", 1)
    flagged = ChannelDelivery("a", DeliveryStatus.UNCONFIRMED, "t", T0, T0, "answered 500", 1)
    posted = ChannelDelivery("b", DeliveryStatus.SENT, "t", T0, T0, None, 1)
    notes = [
        replace(sent, notification_id="later", created_at=T0 + timedelta(minutes=1),
                channel_deliveries=(posted, handed_back)),
        replace(sent, notification_id="pending", channel_deliveries=(handed_back,)),
        replace(sent, notification_id="flagged", channel_deliveries=(flagged, posted)),
        replace(sent, notification_id="none"),
    ]  # fmt: skip
    for item in notes:
        unit_of_work_for(store).run(
            lambda tx, item=item: tx.notifications.create(item.notification_id, item)
        )
    found = store.notifications_channels_unsent()
    assert [n.notification_id for n in found] == ["pending", "later"]
    # Posted at last: written back through the unit of work, it is no longer found.
    done = replace(notes[1], channel_deliveries=(posted,))
    unit_of_work_for(store).run(lambda tx: tx.notifications.put("pending", done))
    assert [n.notification_id for n in store.notifications_channels_unsent()] == ["later"]
