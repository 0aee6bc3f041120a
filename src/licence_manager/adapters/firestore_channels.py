"""Alert channels in Firestore (`alert_channels/{customerId}_{channelId}`), each URL and signing
secret sealed with the channel key (adapters.secret_box); `urlMasked` is what people see."""

from __future__ import annotations

from typing import Any

from google.api_core.exceptions import AlreadyExists, NotFound
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from licence_manager.adapters.automation_codec import PREFERENCE_FIELDS
from licence_manager.adapters.secret_box import SecretBox
from licence_manager.domain.channels import Channel, ChannelKind, masked_url
from licence_manager.ports.channels import ChannelStore

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

    def add_channel(self, channel: Channel) -> bool:
        try:
            self._ref(channel.doc_id).create(self._to_doc(channel))
        except AlreadyExists:
            return False
        return True

    def update_channel(self, channel: Channel) -> bool:
        choices = {name: kind in channel.wants for kind, name in PREFERENCE_FIELDS.items()}
        try:
            self._ref(channel.doc_id).update({"name": channel.name, **choices})
        except NotFound:
            return False
        return True

    def remove_channel(self, customer_id: str, channel_id: str) -> bool:
        ref = self._ref(f"{customer_id}_{channel_id}")
        if not ref.get().exists:
            return False
        ref.delete()
        return True

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
