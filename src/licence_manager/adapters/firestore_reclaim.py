"""The holder sync's output and the reclaim policy on Firestore (ports.reclaim): seat holders a
page at a time, one query of `limit + 1` continued after the previous page's last document id
(no read of the cursor document: ids start with the customer id, which is what a cursor must
show); equality filters only, ordered by id, so single-field indexes serve every shape."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.adapters.firestore_automation import FirestoreStore, Transaction
from licence_manager.adapters.firestore_codec import plain_datetime
from licence_manager.adapters.firestore_store import _data, in_transaction
from licence_manager.adapters.insights_codec import insights_from_doc, insights_to_doc
from licence_manager.adapters.seat_holder_codec import seat_holder_from_doc, seat_holder_to_doc
from licence_manager.domain.changes import customer_key
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.reclaim import DEFAULT_INACTIVE_DAYS, ReclaimPolicy, ReclaimReason
from licence_manager.domain.reclaim_changes import reclaim_policy_changed
from licence_manager.domain.seat_holders import ReclaimRecord
from licence_manager.ports.reclaim import (
    MAX_HOLDER_PAGE,
    HolderPage,
    PolicyChange,
    ReclaimStore,
    SavedReclaimPolicy,
)
from licence_manager.ports.usage import BadCursor

# Collection names again, as literals: tests/infra reads each query's collection from its module.
SEAT_HOLDERS = "seat_holders"
INSIGHTS = "licence_insights"
POLICIES = "reclaim_policies"
_REASONS = sorted(r.value for r in ReclaimReason)
_BATCH = 500  # Firestore's most writes in one batch


def policy_to_doc(customer_id: str, policy: ReclaimPolicy, by: str, at: datetime) -> dict[str, Any]:
    return {
        "customerId": customer_id,
        "inactiveDays": policy.inactive_days,
        "changedBy": by,
        "changedAt": at,
    }


def policy_from_doc(doc: dict[str, Any] | None) -> SavedReclaimPolicy:
    if not doc:
        return SavedReclaimPolicy(ReclaimPolicy())
    at = doc.get("changedAt")
    return SavedReclaimPolicy(
        ReclaimPolicy(int(doc.get("inactiveDays", DEFAULT_INACTIVE_DAYS))),
        doc.get("changedBy"),
        plain_datetime(at) if at else None,
    )


class FirestoreReclaim(FirestoreStore, ReclaimStore):
    def seat_holder_page(
        self,
        customer_id: str,
        limit: int,
        cursor: str | None,
        *,
        sku_id: str | None = None,
        reclaimable_only: bool = False,
    ) -> HolderPage:
        limit = max(1, min(limit, MAX_HOLDER_PAGE))
        query = self._holders(customer_id, sku_id, reclaimable_only)
        if cursor:
            if not cursor.startswith(f"{customer_id}_"):
                raise BadCursor("this cursor does not continue this listing")
            query = query.start_after({"__name__": cursor})
        snaps = list(query.limit(limit + 1).stream())
        found = [seat_holder_from_doc(_data(s)) for s in snaps[:limit]]
        more = len(snaps) > limit
        return HolderPage(found, snaps[limit - 1].id if more else None)

    def _holders(self, customer_id: str, sku_id: str | None, reclaimable_only: bool) -> Any:
        """Equalities (customerId, maybe skuId, reclaimReason in the reasons), by id: Firestore
        merges the automatic single-field indexes, no composite index."""
        query: Any = self._db.collection(SEAT_HOLDERS).where(
            filter=FieldFilter("customerId", "==", customer_id)
        )
        if sku_id is not None:
            query = query.where(filter=FieldFilter("skuId", "==", sku_id))
        if reclaimable_only:
            query = query.where(filter=FieldFilter("reclaimReason", "in", _REASONS))
        return query.order_by(FieldPath.document_id())

    def licence_insights(self, customer_id: str) -> LicenceInsights | None:
        doc = self._get(INSIGHTS, customer_id)
        return insights_from_doc(doc) if doc else None

    def reclaim_policy(self, customer_id: str) -> SavedReclaimPolicy:
        return policy_from_doc(self._get(POLICIES, customer_id))

    def change_reclaim_policy(
        self, customer_id: str, policy: ReclaimPolicy, actor: str, at: datetime
    ) -> PolicyChange:
        key = customer_key(customer_id)

        @firestore.transactional
        def run(transaction: Transaction) -> PolicyChange:
            before = policy_from_doc(self._get(POLICIES, customer_id, transaction)).policy
            head = self._head(key, transaction)
            if before == policy:
                return PolicyChange(before, policy)
            transaction.set(
                self._doc(POLICIES, customer_id), policy_to_doc(customer_id, policy, actor, at)
            )
            entry = reclaim_policy_changed(head, customer_id, at, actor, before, policy)
            self._write_audit(transaction, (entry,), entry.head)
            return PolicyChange(before, policy)

        done: PolicyChange = in_transaction(self._db, run)
        return done

    def save_seat_holders(self, records: Iterable[ReclaimRecord]) -> None:
        batch = self._db.batch()
        pending = 0
        for record in records:
            batch.set(self._doc(SEAT_HOLDERS, record.doc_id), seat_holder_to_doc(record))
            pending += 1
            if pending == _BATCH:
                batch.commit()
                batch, pending = self._db.batch(), 0
        if pending:
            batch.commit()

    def save_licence_insights(self, insights: LicenceInsights) -> None:
        self._doc(INSIGHTS, insights.customer_id).set(insights_to_doc(insights))
