"""Savings on Firestore (ports.savings): `savings/{savingId}` flat, one query by customer and
month (two equality filters: single-field indexes serve it), and `saving_totals/{customerId}`."""

from __future__ import annotations

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from licence_manager.adapters.firestore_store import _data
from licence_manager.adapters.savings_codec import saving_from_doc, totals_from_doc
from licence_manager.domain.saving_totals import SavingTotals
from licence_manager.domain.savings import Saving
from licence_manager.ports.savings import SavingsStore

# Collection names again, as literals: tests/infra reads each query's collection from its module.
SAVINGS = "savings"
SAVING_TOTALS = "saving_totals"


class FirestoreSavings(SavingsStore):
    _db: firestore.Client

    def savings_in_month(self, customer_id: str, month: str) -> list[Saving]:
        query = (
            self._db.collection(SAVINGS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .where(filter=FieldFilter("month", "==", month))
        )
        found = [saving_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda s: (s.at, s.saving_id))

    def saving_totals(self, customer_id: str) -> SavingTotals | None:
        snap = self._db.collection(SAVING_TOTALS).document(customer_id).get()
        return totals_from_doc(_data(snap)) if snap.exists else None
