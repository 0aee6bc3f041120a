"""A customer's documents on Firestore, found by document id (`{customerId}_...` ranges and
`{customerId}` documents: the built-in index, no composite one), deleted in batches of 500."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.domain import departure
from licence_manager.ports.customer_data import CustomerData

_HIGH = "\uf8ff"
_BATCH = 500


class FirestoreCustomerData(CustomerData):
    def __init__(self, db: Any) -> None:
        self._db = db

    def _prefixed(self, collection: str, customer_id: str, *fields: str) -> list[Any]:
        col = self._db.collection(collection)
        low = f"{customer_id}_"
        query = (
            col.where(filter=FieldFilter(FieldPath.document_id(), ">=", col.document(low)))
            .where(filter=FieldFilter(FieldPath.document_id(), "<=", col.document(low + _HIGH)))
            .select(list(fields))
        )
        return list(query.stream())

    def licence_states(self, customer_id: str) -> list[tuple[str, datetime]]:
        return [
            (str(d.get("status")), d.get("updatedAt"))
            for d in self._prefixed("licences", customer_id, "status", "updatedAt")
        ]

    def erase(
        self, customer_id: str, invoicing_cutoff: datetime, *, dry_run: bool
    ) -> dict[str, int]:
        done: dict[str, int] = {}
        kept_audit = kept_any = False
        for collection, field in departure.INVOICING.items():
            old = []
            for snap in self._prefixed(collection, customer_id, field):
                dated = snap.get(field)
                if departure.dated_before(dated, invoicing_cutoff):
                    old.append(snap.reference)
                else:
                    kept_any = True
                    kept_audit |= collection == "audit_events"
            done[collection] = self._delete(old, dry_run)
        if not kept_audit:
            heads = [s.reference for s in self._prefixed(departure.AUDIT_HEADS, customer_id)]
            done[departure.AUDIT_HEADS] = self._delete(heads, dry_run)
        for collection in departure.BY_PREFIX:
            refs = [s.reference for s in self._prefixed(collection, customer_id)]
            done[collection] = self._delete(refs, dry_run)
        for collection in departure.BY_ID:
            ref = self._db.collection(collection).document(customer_id)
            done[collection] = self._delete([ref] if ref.get().exists else [], dry_run)
        if not kept_any:
            licences = [s.reference for s in self._prefixed("licences", customer_id)]
            done["licences"] = self._delete(licences, dry_run)
            customer = self._db.collection("customers").document(customer_id)
            done["customers"] = self._delete([customer] if customer.get().exists else [], dry_run)
        return done

    def _delete(self, refs: list[Any], dry_run: bool) -> int:
        if not dry_run:
            for start in range(0, len(refs), _BATCH):
                batch = self._db.batch()
                for ref in refs[start : start + _BATCH]:
                    batch.delete(ref)
                batch.commit()
        return len(refs)
