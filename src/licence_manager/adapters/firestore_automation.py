"""Automation and notifications on Firestore: settings, automation state, seat-change requests,
notifications and recipients, each in its own flat collection (see docs/architecture.md).
Every multi-document change is one transaction; created documents use create() so a replayed
decision can never write a second copy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from licence_manager.adapters import automation_codec as ac
from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.firestore_store import (
    AUDIT_EVENTS,
    AUDIT_HEADS,
    AUTOMATION,
    FirestoreLicenceStore,
    _data,
    in_transaction,
)
from licence_manager.adapters.firestore_unit_of_work import SETTINGS_DOCS
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.model import GENESIS, AuditHead, LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    Recipient,
)
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.topup import RequestStatus, TopUpRequest
from licence_manager.ports import (
    Store,
)
from licence_manager.ports.unit_of_work import SavedSettings

SETTINGS = "licence_settings"
REQUESTS = "topup_requests"
NOTIFICATIONS = "notifications"
RECIPIENTS = "recipients"

Transaction = firestore.Transaction
_IN_PROGRESS = [RequestStatus.PENDING.value, RequestStatus.CLAIMED.value]
_UNSENT = [
    s.value for s in (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)
]


class FirestoreStore(FirestoreLicenceStore, Store):
    """One adapter over one database: the transactions span licences and automation."""

    def _doc(self, collection: str, doc_id: str) -> Any:
        return self._db.collection(collection).document(doc_id)

    def _get(self, collection: str, doc_id: str, transaction: Transaction | None = None) -> Any:
        snap = self._doc(collection, doc_id).get(transaction=transaction)
        return _data(snap) if snap.exists else None

    def _state(self, key: LicenceKey, transaction: Transaction | None = None) -> AutomationState:
        doc = self._get(AUTOMATION, key.doc_id, transaction)
        return ac.automation_from_doc(doc) if doc else AutomationState()

    def _head(self, key: LicenceKey, transaction: Transaction) -> AuditHead:
        doc = self._get(AUDIT_HEADS, key.doc_id, transaction)
        return codec.head_from_doc(doc) if doc else GENESIS

    def _write_audit(
        self, transaction: Transaction, entries: tuple[AuditEntry, ...], head: AuditHead | None
    ) -> None:
        if not entries or head is None:
            return
        transaction.set(self._doc(AUDIT_HEADS, entries[0].key.doc_id), codec.head_to_doc(head))
        for entry in entries:
            transaction.create(self._doc(AUDIT_EVENTS, entry.doc_id), codec.audit_to_doc(entry))

    # settings and evaluation
    def settings(self, key: LicenceKey) -> LicenceSettings:
        doc = self._get(SETTINGS, key.doc_id)
        return ac.settings_from_doc(doc) if doc else LicenceSettings()

    def saved_settings(self, key: LicenceKey) -> SavedSettings:
        doc = self._get(SETTINGS, key.doc_id)
        return SETTINGS_DOCS.from_doc(doc) if doc else SavedSettings(LicenceSettings())

    def automation_state(self, key: LicenceKey) -> AutomationState:
        return self._state(key)

    def settings_and_states(
        self, keys: Sequence[LicenceKey]
    ) -> dict[LicenceKey, tuple[LicenceSettings, AutomationState]]:
        return self._settings_and_states_with(keys, [])[0]

    def _settings_and_states_with(
        self, keys: Sequence[LicenceKey], others: Sequence[Any]
    ) -> tuple[dict[LicenceKey, tuple[LicenceSettings, AutomationState]], dict[str, Any]]:
        """Settings and states, and the documents at `others` (by path; absent: missing), in
        one BatchGetDocuments: My Licences polls this every few seconds."""
        settings_refs = [self._doc(SETTINGS, key.doc_id) for key in keys]
        state_refs = [self._doc(AUTOMATION, key.doc_id) for key in keys]
        refs = [*settings_refs, *state_refs, *others]
        found = (
            {snap.reference.path: _data(snap) for snap in self._db.get_all(refs) if snap.exists}
            if refs
            else {}
        )
        extras = {
            key: (
                ac.settings_from_doc(found[s.path]) if s.path in found else LicenceSettings(),
                ac.automation_from_doc(found[a.path]) if a.path in found else AutomationState(),
            )
            for key, s, a in zip(keys, settings_refs, state_refs, strict=True)
        }
        return extras, found

    # requests
    def create_request(self, request: TopUpRequest) -> bool:
        @firestore.transactional
        def create(transaction: Transaction) -> bool:
            if self._get(REQUESTS, request.request_id, transaction) is not None:
                return False
            transaction.create(self._doc(REQUESTS, request.request_id), ac.request_to_doc(request))
            return True

        created: bool = in_transaction(self._db, create)
        return created

    def request(self, request_id: str) -> TopUpRequest | None:
        doc = self._get(REQUESTS, request_id)
        return ac.request_from_doc(doc) if doc else None

    def requests_of(self, key: LicenceKey) -> list[TopUpRequest]:
        query = self._db.collection(REQUESTS).where(
            filter=FieldFilter("licenceId", "==", key.doc_id)
        )
        found = [ac.request_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda r: (r.created_at, r.request_id))

    def requests_in_progress(self, limit: int = 500) -> list[TopUpRequest]:
        query = (
            self._db.collection(REQUESTS)
            .where(filter=FieldFilter("status", "in", _IN_PROGRESS))
            .order_by("createdAt")
            .limit(limit)
        )
        found = [ac.request_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda r: (r.created_at, r.request_id))

    def requests_awaiting_approval(self, limit: int = 500) -> list[TopUpRequest]:
        query = (
            self._db.collection(REQUESTS)
            .where(filter=FieldFilter("status", "==", RequestStatus.AWAITING_APPROVAL.value))
            .order_by("createdAt")
            .limit(limit)
        )
        found = [ac.request_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda r: (r.created_at, r.request_id))

    def requests_of_customer_since(self, customer_id: str, since: datetime) -> list[TopUpRequest]:
        query = (
            self._db.collection(REQUESTS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .where(filter=FieldFilter("createdAt", ">=", since))
            .order_by("createdAt")
        )
        found = [ac.request_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda r: (r.created_at, r.request_id))

    # notifications
    def notification(self, notification_id: str) -> Notification | None:
        doc = self._get(NOTIFICATIONS, notification_id)
        return ac.notification_from_doc(doc) if doc else None

    def notifications_of(self, customer_id: str) -> list[Notification]:
        query = self._db.collection(NOTIFICATIONS).where(
            filter=FieldFilter("customerId", "==", customer_id)
        )
        found = [ac.notification_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda n: (n.created_at, n.notification_id), reverse=True)

    def notifications_unsent(self, limit: int = 500) -> list[Notification]:
        query = (
            self._db.collection(NOTIFICATIONS)
            .where(filter=FieldFilter("status", "in", _UNSENT))
            .order_by("createdAt")
            .limit(limit)
        )
        found = [ac.notification_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda n: (n.created_at, n.notification_id))

    def notifications_channels_unsent(self, limit: int = 500) -> list[Notification]:
        # One equality filter: no composite index; a handful at most, sorted here.
        query = (
            self._db.collection(NOTIFICATIONS)
            .where(filter=FieldFilter("channelsUnsettled", "==", True))
            .limit(limit)
        )
        found = [ac.notification_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda n: (n.created_at, n.notification_id))

    def recipients(self, customer_id: str) -> list[Recipient]:
        query = self._db.collection(RECIPIENTS).where(
            filter=FieldFilter("customerId", "==", customer_id)
        )
        return sorted(
            (ac.recipient_from_doc(_data(s)) for s in query.stream()), key=lambda r: r.email
        )

    def save_recipient(self, recipient: Recipient) -> None:
        self._doc(RECIPIENTS, recipient.doc_id).set(ac.recipient_to_doc(recipient))

    def remove_recipient(self, customer_id: str, email: str) -> None:
        self._doc(RECIPIENTS, Recipient(customer_id, email).doc_id).delete()


def _fields(state: AutomationState) -> dict[str, Any]:
    return {name: getattr(state, name) for name in AutomationState.__slots__}
