"""The scheduled audit check's reads and its checkpoints on Firestore.

A customer's chains are found by one document-id range over `audit_heads`
(`{customerId}_{skuId}`), the checkpoints are one document per customer
(`audit_checkpoints/{customerId}`), and a chain's entries are one id range over
`audit_events` (`{customerId}_{skuId}_{seq:010d}`): the built-in index serves all three."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.firestore_store import _data
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.audit_integrity import ChainState
from licence_manager.domain.model import AuditHead, LicenceKey
from licence_manager.ports.audit_integrity import AuditChains

AUDIT_EVENTS = "audit_events"
AUDIT_HEADS = "audit_heads"
AUDIT_CHECKPOINTS = "audit_checkpoints"
# Sorts after every character a document id of ours holds.
_HIGH = "\uf8ff"


class FirestoreAuditChains(AuditChains):
    def __init__(self, db: Any) -> None:
        self._db = db

    def _range(self, collection: str, low: str, high: str) -> Any:
        col = self._db.collection(collection)
        return (
            col.where(filter=FieldFilter(FieldPath.document_id(), ">=", col.document(low)))
            .where(filter=FieldFilter(FieldPath.document_id(), "<=", col.document(high)))
            .order_by(FieldPath.document_id())
        )

    def chains_of(self, customer_id: str) -> list[ChainState]:
        prefix = f"{customer_id}_"
        heads = {
            snap.id.removeprefix(prefix): codec.head_from_doc(_data(snap))
            for snap in self._range(AUDIT_HEADS, prefix, prefix + _HIGH).stream()
        }
        snap = self._db.collection(AUDIT_CHECKPOINTS).document(customer_id).get()
        stored = (snap.to_dict() or {}).get("chains", {}) if snap.exists else {}
        checkpoints = {sku: AuditHead(int(c["seq"]), str(c["hash"])) for sku, c in stored.items()}
        return [
            ChainState(LicenceKey(customer_id, sku), heads.get(sku), checkpoints.get(sku))
            for sku in sorted(heads.keys() | checkpoints.keys())
        ]

    def entries(self, key: LicenceKey, first: int, last: int) -> list[AuditEntry]:
        if last < first:
            return []
        low, high = f"{key.doc_id}_{first:010d}", f"{key.doc_id}_{last:010d}"
        return [
            codec.audit_from_doc(_data(s)) for s in self._range(AUDIT_EVENTS, low, high).stream()
        ]

    def save_checkpoints(
        self, customer_id: str, heads: dict[LicenceKey, AuditHead], at: datetime
    ) -> None:
        if not heads:
            return
        chains = {key.sku_id: codec.head_to_doc(head) for key, head in heads.items()}
        # merge: chains not verified further this run keep their checkpoint.
        self._db.collection(AUDIT_CHECKPOINTS).document(customer_id).set(
            {"customerId": customer_id, "chains": chains, "verifiedAt": at}, merge=True
        )
