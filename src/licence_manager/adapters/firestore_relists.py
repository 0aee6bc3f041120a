"""The coalescing state of reseller events in Firestore: `event_relists/{customerId}`, one small
document per customer, read and written atomically (domain.relist_coalescing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from google.api_core.exceptions import Conflict, FailedPrecondition
from google.cloud import firestore

from licence_manager.adapters.retry import JITTER
from licence_manager.domain.relist_coalescing import (
    Coalescing,
    Decided,
    RelistState,
    claim_follow_up,
    on_event,
    relist_completed,
)
from licence_manager.ports.relists import RelistGate

EVENT_RELISTS = "event_relists"
T = TypeVar("T")


def state_to_doc(customer_id: str, state: RelistState) -> dict[str, Any]:
    return {
        "customerId": customer_id,
        "lastStartedAt": state.last_started_at,
        "pendingToken": state.pending_token,
        "pendingDueAt": state.pending_due_at,
        "pendingUntil": state.pending_until,
        "relists": state.relists,
        "coveredUntil": state.covered_until,
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
        covered_until=doc.get("coveredUntil"),
    )


class RelistStateContended(RuntimeError):
    """The state kept changing under us: the event is redelivered and decided again."""


class FirestoreRelistGate(RelistGate):
    """Compare-and-set rather than a transaction: a burst's first events race for one document,
    and the emulator's (and Firestore's) transaction locks make racers wait for each other's
    lock to time out; a write conditional on the update time read fails at once instead, and
    the loser reads again and decides on what the winner wrote."""

    def __init__(
        self,
        db: firestore.Client,
        attempts: int = 40,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = db
        self._attempts = attempts
        self._sleep = sleep

    def _ref(self, customer_id: str) -> Any:
        return self._db.collection(EVENT_RELISTS).document(customer_id)

    def state(self, customer_id: str) -> RelistState:
        snapshot = self._ref(customer_id).get()
        return state_from_doc(snapshot.to_dict() if snapshot.exists else None)

    def arrive(
        self,
        customer_id: str,
        now: datetime,
        token: str,
        rule: Coalescing,
        published_at: datetime | None = None,
    ) -> Decided:
        def decide(state: RelistState) -> tuple[Decided, RelistState | None]:
            decided = on_event(state, now, token, rule, published_at)
            return decided, decided.state

        return self._update(customer_id, decide)

    def claim(self, customer_id: str, token: str, now: datetime) -> bool:
        def decide(state: RelistState) -> tuple[bool, RelistState | None]:
            claimed = claim_follow_up(state, token, now)
            return claimed is not None, claimed

        return self._update(customer_id, decide)

    def completed(self, customer_id: str, started_at: datetime) -> None:
        def decide(state: RelistState) -> tuple[None, RelistState | None]:
            return None, relist_completed(state, started_at)

        self._update(customer_id, decide)

    def _update(
        self, customer_id: str, decide: Callable[[RelistState], tuple[T, RelistState | None]]
    ) -> T:
        ref = self._ref(customer_id)
        for attempt in range(self._attempts):
            snapshot = ref.get()
            state = state_from_doc(snapshot.to_dict() if snapshot.exists else None)
            result, write = decide(state)
            if write is None:
                # Nothing to write (a coalesced event, a claim someone else's re-list made
                # needless): safe on this read, since the state moves on only by starting a
                # later re-list.
                return result
            doc = state_to_doc(customer_id, write)
            try:
                if snapshot.exists:
                    option = self._db.write_option(last_update_time=snapshot.update_time)
                    ref.update(doc, option=option)
                else:
                    ref.create(doc)
                return result
            except (FailedPrecondition, Conflict):
                self._sleep(JITTER.uniform(0, min(0.2, 0.005 * 2**attempt)))
        raise RelistStateContended(f"{EVENT_RELISTS}/{customer_id} kept changing")
