"""Alert channels in Firestore (`alert_channels/{customerId}_{channelId}`), each URL and signing
secret sealed with the channel key (adapters.secret_box); `urlMasked` is what people see."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.automation_codec import PREFERENCE_FIELDS
from licence_manager.adapters.firestore_store import AUDIT_EVENTS, AUDIT_HEADS, in_transaction
from licence_manager.adapters.secret_box import SecretBox
from licence_manager.domain import changes
from licence_manager.domain.channels import Channel, ChannelKind, masked_url
from licence_manager.domain.model import GENESIS
from licence_manager.ports.channels import ChangedBy, ChannelStore

CHANNELS = "alert_channels"


class FirestoreChannelStore(ChannelStore):
    def __init__(self, client: firestore.Client, box: SecretBox) -> None:
        self._db = client
        self._box = box

    def _ref(self, doc_id: str) -> Any:
        return self._db.collection(CHANNELS).document(doc_id)

    def channels(self, customer_id: str) -> list[Channel]:
        query = self._db.collection(CHANNELS).where(
            filter=FieldFilter("customerId", "==", customer_id)
        )
        found = [self._from_doc(s.to_dict() or {}) for s in query.stream()]
        return sorted(found, key=lambda c: c.channel_id)

    def channel(self, customer_id: str, channel_id: str) -> Channel | None:
        snapshot = self._ref(f"{customer_id}_{channel_id}").get()
        return self._from_doc(snapshot.to_dict() or {}) if snapshot.exists else None

    def add_channel(self, channel: Channel, by: ChangedBy | None = None) -> bool:
        ref = self._ref(channel.doc_id)

        @firestore.transactional
        def run(transaction: firestore.Transaction) -> bool:
            if ref.get(transaction=transaction).exists:
                return False
            self._audit(transaction, channel.customer_id, by, None, channel)
            transaction.create(ref, self._to_doc(channel))
            return True

        added: bool = in_transaction(self._db, run)
        return added

    def update_channel(self, channel: Channel, by: ChangedBy | None = None) -> bool:
        ref = self._ref(channel.doc_id)
        choices = {name: kind in channel.wants for kind, name in PREFERENCE_FIELDS.items()}

        @firestore.transactional
        def run(transaction: firestore.Transaction) -> bool:
            snapshot = ref.get(transaction=transaction)
            if not snapshot.exists:
                return False
            before = self._audited(snapshot.to_dict() or {})
            after = replace(before, name=channel.name, wants=channel.wants)
            self._audit(transaction, channel.customer_id, by, before, after)
            transaction.update(ref, {"name": channel.name, **choices})
            return True

        updated: bool = in_transaction(self._db, run)
        return updated

    def remove_channel(
        self, customer_id: str, channel_id: str, by: ChangedBy | None = None
    ) -> bool:
        ref = self._ref(f"{customer_id}_{channel_id}")

        @firestore.transactional
        def run(transaction: firestore.Transaction) -> bool:
            snapshot = ref.get(transaction=transaction)
            if not snapshot.exists:
                return False
            before = self._audited(snapshot.to_dict() or {})
            self._audit(transaction, customer_id, by, before, None)
            transaction.delete(ref)
            return True

        removed: bool = in_transaction(self._db, run)
        return removed

    def _audit(
        self,
        transaction: firestore.Transaction,
        customer_id: str,
        by: ChangedBy | None,
        before: Channel | None,
        after: Channel | None,
    ) -> None:
        """Reads the customer's audit head (before any write, as Firestore requires) and
        writes the entry and the new head in the same transaction as the channel."""
        if by is None:
            return
        key = changes.customer_key(customer_id)
        head_ref = self._db.collection(AUDIT_HEADS).document(key.doc_id)
        snapshot = head_ref.get(transaction=transaction)
        head = codec.head_from_doc(snapshot.to_dict() or {}) if snapshot.exists else GENESIS
        entry = changes.channel_changed(head, by.at, by.actor, before, after)
        transaction.set(head_ref, codec.head_to_doc(entry.head))
        events = self._db.collection(AUDIT_EVENTS).document(entry.doc_id)
        transaction.create(events, codec.audit_to_doc(entry))

    def _to_doc(self, c: Channel) -> dict[str, Any]:
        return {
            "customerId": c.customer_id,
            "channelId": c.channel_id,
            "kind": c.kind.value,
            "name": c.name,
            "urlSealed": self._box.seal(c.url),
            "urlMasked": masked_url(c.url),
            "signingSecretSealed": self._box.seal(c.signing_secret) if c.signing_secret else "",
            **{name: kind in c.wants for kind, name in PREFERENCE_FIELDS.items()},
        }

    def _audited(self, doc: dict[str, Any]) -> Channel:
        """The channel as its audit entry describes it: the URL already masked, nothing opened
        (a channel sealed with a key since lost can still be renamed or removed)."""
        wants = frozenset(k for k, name in PREFERENCE_FIELDS.items() if doc.get(name, True))
        return Channel(
            doc["customerId"],
            doc["channelId"],
            ChannelKind(doc["kind"]),
            doc.get("name", ""),
            doc.get("urlMasked", ""),
            wants,
        )

    def _from_doc(self, doc: dict[str, Any]) -> Channel:
        # A choice never recorded (a type added after the channel was) is on, as for email.
        wants = frozenset(k for k, name in PREFERENCE_FIELDS.items() if doc.get(name, True))
        sealed_secret = doc.get("signingSecretSealed") or ""
        return Channel(
            customer_id=doc["customerId"],
            channel_id=doc["channelId"],
            kind=ChannelKind(doc["kind"]),
            name=doc.get("name", ""),
            url=self._box.open(doc["urlSealed"]),
            wants=wants,
            signing_secret=self._box.open(sealed_secret) if sealed_secret else "",
        )
