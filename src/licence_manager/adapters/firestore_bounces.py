"""Bouncing addresses in Firestore: `email_bounces/{customerId}_{email}`, each change in a
transaction so a late event cannot overwrite a newer one."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from licence_manager.adapters.firestore_codec import plain_datetime
from licence_manager.ports.email_feedback import Bounce, BounceStore

BOUNCES = "email_bounces"


class FirestoreBounceStore(BounceStore):
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def _ref(self, customer_id: str, email: str) -> Any:
        return self._db.collection(BOUNCES).document(f"{customer_id}_{email.lower()}")

    def bouncing(self, customer_id: str) -> dict[str, Bounce]:
        query = self._db.collection(BOUNCES).where(
            filter=FieldFilter("customerId", "==", customer_id)
        )
        found = [_from_doc(s.to_dict() or {}) for s in query.stream()]
        return {b.email: b for b in found}

    def record(self, bounce: Bounce) -> None:
        ref = self._ref(bounce.customer_id, bounce.email)

        @firestore.transactional
        def write(tx: Any) -> None:
            snapshot = ref.get(transaction=tx)
            if snapshot.exists and plain_datetime(snapshot.get("at")) >= bounce.at:
                return
            tx.set(ref, _to_doc(bounce))

        write(self._db.transaction())

    def delivered(self, customer_id: str, email: str, at: Any) -> None:
        ref = self._ref(customer_id, email)

        @firestore.transactional
        def lift(tx: Any) -> None:
            snapshot = ref.get(transaction=tx)
            if snapshot.exists and plain_datetime(snapshot.get("at")) < at:
                tx.delete(ref)

        lift(self._db.transaction())


def _to_doc(b: Bounce) -> dict[str, Any]:
    return {
        "customerId": b.customer_id,
        "email": b.email.lower(),
        "event": b.event,
        "at": b.at,
        "reason": b.reason,
        "notificationId": b.notification_id,
    }


def _from_doc(doc: dict[str, Any]) -> Bounce:
    return Bounce(
        doc["customerId"],
        doc["email"],
        doc["event"],
        plain_datetime(doc["at"]),
        doc.get("reason", ""),
        doc.get("notificationId", ""),
    )
