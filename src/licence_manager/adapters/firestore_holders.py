"""The holder sync's documents in Firestore: `seat_holders` (one per user and SKU, flat, for
export), `holder_digests` (one per customer: domain.holder_digest), `licence_insights` (one per
customer) and `reclaim_policies` (one per customer, read only here). Field names are the export
contract (docs/architecture.md, "Firestore layout")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from licence_manager.adapters.firestore_codec import Document, plain_datetime
from licence_manager.adapters.insights_codec import INSIGHTS, insights_from_doc, insights_to_doc
from licence_manager.domain.holder_digest import HOLDER_DIGESTS, HolderDigest, marked
from licence_manager.domain.holders import HolderRecord
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.reclaim import ReclaimPolicy, ReclaimPolicyError, checked_policy
from licence_manager.observability import get_logger
from licence_manager.ports.holders import HolderStore, HolderSyncState

SEAT_HOLDERS = "seat_holders"
RECLAIM_POLICIES = "reclaim_policies"
BATCH_LIMIT = 500  # Firestore's most writes in one batch

log = get_logger(__name__)


def holder_to_doc(record: HolderRecord) -> Document:
    return {
        "customerId": record.customer_id,
        "customerDomain": record.customer_domain,
        "productId": record.product_id,
        "skuId": record.sku_id,
        "email": record.email,
        "userId": record.user_id,
        "suspended": record.suspended,
        "archived": record.archived,
        "createdAt": record.created_at,
        "lastLogin": record.last_login,
        "lastActivity": record.last_activity,
        "activityAsOf": record.activity_as_of.isoformat() if record.activity_as_of else None,
        "reclaimReason": record.reclaim_reason,
        "syncedAt": record.synced_at,
    }


def holder_from_doc(doc: Document) -> HolderRecord:
    as_of = doc.get("activityAsOf")
    return HolderRecord(
        customer_id=doc["customerId"],
        customer_domain=doc.get("customerDomain", ""),
        product_id=doc.get("productId", ""),
        sku_id=doc["skuId"],
        email=doc.get("email", ""),
        user_id=doc.get("userId", ""),
        suspended=bool(doc.get("suspended", False)),
        archived=bool(doc.get("archived", False)),
        created_at=_time(doc.get("createdAt")),
        last_login=_time(doc.get("lastLogin")),
        last_activity=_time(doc.get("lastActivity")),
        activity_as_of=date.fromisoformat(as_of) if as_of else None,
        reclaim_reason=doc.get("reclaimReason", ""),
        synced_at=plain_datetime(doc["syncedAt"]),
    )


def digest_to_doc(digest: HolderDigest) -> Document:
    return {"customerId": digest.customer_id, "entries": dict(digest.entries)}


def digest_from_doc(doc: Document) -> HolderDigest:
    return HolderDigest(doc["customerId"], {str(k): str(v) for k, v in doc["entries"].items()})


def _time(value: datetime | None) -> datetime | None:
    return plain_datetime(value) if value is not None else None


class FirestoreHolders(HolderStore):
    def __init__(self, client: Any) -> None:
        self._db = client

    def reclaim_policy(self, customer_id: str) -> ReclaimPolicy:
        return _policy(
            customer_id, self._db.collection(RECLAIM_POLICIES).document(customer_id).get()
        )

    def insights(self, customer_id: str) -> LicenceInsights | None:
        snap = self._db.collection(INSIGHTS).document(customer_id).get()
        return insights_from_doc(snap.to_dict() or {}) if snap.exists else None

    def holder_digest(self, customer_id: str) -> HolderDigest | None:
        snap = self._db.collection(HOLDER_DIGESTS).document(customer_id).get()
        return digest_from_doc(snap.to_dict() or {}) if snap.exists else None

    def sync_state(self, customer_id: str) -> HolderSyncState:
        refs = [
            self._db.collection(name).document(customer_id)
            for name in (RECLAIM_POLICIES, INSIGHTS, HOLDER_DIGESTS)
        ]
        snaps = {snap.reference.parent.id: snap for snap in self._db.get_all(refs)}
        insights, digest = snaps[INSIGHTS], snaps[HOLDER_DIGESTS]
        return HolderSyncState(
            _policy(customer_id, snaps[RECLAIM_POLICIES]),
            insights_from_doc(insights.to_dict() or {}) if insights.exists else None,
            digest_from_doc(digest.to_dict() or {}) if digest.exists else None,
        )

    def drop_holder_digest(self, customer_id: str) -> None:
        self._db.collection(HOLDER_DIGESTS).document(customer_id).delete()

    def holders_of(self, customer_id: str) -> Mapping[str, HolderRecord]:
        query = self._db.collection(SEAT_HOLDERS).where(
            filter=FieldFilter("customerId", "==", customer_id)
        )
        return {snap.id: holder_from_doc(snap.to_dict() or {}) for snap in query.stream()}

    def write_holders(
        self,
        put: Sequence[HolderRecord],
        delete: Iterable[str],
        insights: LicenceInsights | None,
        digest: HolderDigest | None = None,
    ) -> int:
        holders = self._db.collection(SEAT_HOLDERS)
        gone = list(delete)
        operations: list[tuple[Any, Document | None]] = [
            (holders.document(r.document_id), holder_to_doc(r)) for r in put
        ]
        operations += [(holders.document(doc_id), None) for doc_id in gone]
        # The insights and the digest last: a run cut short leaves them as they were, and the
        # next run (which compares the holders again) writes what is missing.
        if insights is not None:
            operations.append(
                (
                    self._db.collection(INSIGHTS).document(insights.customer_id),
                    insights_to_doc(insights),
                )
            )
        if digest is not None:
            digest_ref = self._db.collection(HOLDER_DIGESTS).document(digest.customer_id)
            operations.append((digest_ref, digest_to_doc(digest)))
            if len(operations) > BATCH_LIMIT:  # more than one batch: mark first (the port's rule)
                touched = marked(digest, [r.document_id for r in put] + gone)
                operations.insert(0, (digest_ref, digest_to_doc(touched)))
        for start in range(0, len(operations), BATCH_LIMIT):
            batch = self._db.batch()
            for ref, doc in operations[start : start + BATCH_LIMIT]:
                if doc is None:
                    batch.delete(ref)
                else:
                    batch.set(ref, doc)
            batch.commit()
        return len(operations)


def _policy(customer_id: str, snap: Any) -> ReclaimPolicy:
    if not snap.exists:
        return ReclaimPolicy()
    try:
        return checked_policy((snap.to_dict() or {}).get("inactiveDays"))
    except ReclaimPolicyError as error:
        # Written by hand or by a newer version: judge with the default rather than not at all.
        log.warning(
            "reclaim policy not usable, default used",
            extra={"customerId": customer_id, "error": str(error)},
        )
        return ReclaimPolicy()
