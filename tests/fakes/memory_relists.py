"""The coalescing state in memory, atomic under a lock as Firestore's transaction makes it."""

from __future__ import annotations

import threading
from datetime import datetime

from licence_manager.domain.relist_coalescing import (
    Coalescing,
    Decided,
    RelistState,
    claim_follow_up,
    on_event,
    relist_completed,
)
from licence_manager.ports.relists import RelistGate


class InMemoryRelistGate(RelistGate):
    def __init__(self) -> None:
        self.states: dict[str, RelistState] = {}
        self._lock = threading.Lock()

    def state(self, customer_id: str) -> RelistState:
        with self._lock:
            return self.states.get(customer_id, RelistState())

    def arrive(
        self,
        customer_id: str,
        now: datetime,
        token: str,
        rule: Coalescing,
        published_at: datetime | None = None,
    ) -> Decided:
        with self._lock:
            decided = on_event(
                self.states.get(customer_id, RelistState()), now, token, rule, published_at
            )
            if decided.state is not None:
                self.states[customer_id] = decided.state
            return decided

    def claim(self, customer_id: str, token: str, now: datetime) -> bool:
        with self._lock:
            claimed = claim_follow_up(self.states.get(customer_id, RelistState()), token, now)
            if claimed is None:
                return False
            self.states[customer_id] = claimed
            return True

    def completed(self, customer_id: str, started_at: datetime) -> None:
        with self._lock:
            done = relist_completed(self.states.get(customer_id, RelistState()), started_at)
            if done is not None:
                self.states[customer_id] = done
