"""The coalescing state of reseller events in Firestore: `event_relists/{customerId}`, one small
document per customer, read and written in a transaction (domain.relist_coalescing)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud import firestore

from licence_manager.adapters.firestore_store import in_transaction
from licence_manager.domain.relist_coalescing import (
    Arrival,
    Coalescing,
    Decided,
    RelistState,
    claim_follow_up,
    on_event,
)
from licence_manager.ports.relists import RelistGate

EVENT_RELISTS = "event_relists"


def state_to_doc(customer_id: str, state: RelistState) -> dict[str, Any]:
    return {
        "customerId": customer_id,
        "lastStartedAt": state.last_started_at,
        "pendingToken": state.pending_token,
        "pendingDueAt": state.pending_due_at,
        "pendingUntil": state.pending_until,
        "relists": state.relists,
    }


def state_from_doc(doc: dict[str, Any] | None) -> RelistState:
    if not doc:
        return RelistState()
    return RelistState(
        last_started_at=doc.get("lastStartedAt"),
        pending_token=str(doc.get("pendingToken") or ""),
        pending_due_at=doc.get("pendingDueAt"),
        pending_until=doc.get("pendingUntil"),
        relists=int(doc.get("relists") or 0),
    )


class FirestoreRelistGate(RelistGate):
    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def _ref(self, customer_id: str) -> Any:
        return self._db.collection(EVENT_RELISTS).document(customer_id)

    def state(self, customer_id: str) -> RelistState:
        snapshot = self._ref(customer_id).get()
        return state_from_doc(snapshot.to_dict() if snapshot.exists else None)

    def arrive(self, customer_id: str, now: datetime, token: str, rule: Coalescing) -> Decided:
        # A burst of events for one customer mostly coalesces: that answer, read outside a
        # transaction, is safe (the state moves on only by starting a later re-list) and spares
        # the burst a queue of transactions on one document.
        quick = on_event(self.state(customer_id), now, token, rule)
        if quick.arrival is Arrival.COALESCED:
            return quick
        ref = self._ref(customer_id)

        @firestore.transactional
        def run(tx: Any) -> Decided:
            snapshot = ref.get(transaction=tx)
            state = state_from_doc(snapshot.to_dict() if snapshot.exists else None)
            decided = on_event(state, now, token, rule)
            if decided.state is not None:
                tx.set(ref, state_to_doc(customer_id, decided.state))
            return decided

        decided: Decided = in_transaction(self._db, run)
        return decided

    def claim(self, customer_id: str, token: str, now: datetime) -> bool:
        ref = self._ref(customer_id)

        @firestore.transactional
        def run(tx: Any) -> bool:
            snapshot = ref.get(transaction=tx)
            claimed = claim_follow_up(
                state_from_doc(snapshot.to_dict() if snapshot.exists else None), token, now
            )
            if claimed is None:
                return False
            tx.set(ref, state_to_doc(customer_id, claimed))
            return True

        done: bool = in_transaction(self._db, run)
        return done
