"""In-memory fake of ports.reclaim, held to the Firestore adapter by tests/contract."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from licence_manager.domain.changes import customer_key
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import GENESIS
from licence_manager.domain.reclaim import ReclaimPolicy
from licence_manager.domain.reclaim_changes import reclaim_policy_changed
from licence_manager.domain.seat_holders import ReclaimRecord, holder_record, reclaim_record
from licence_manager.ports.reclaim import (
    MAX_HOLDER_PAGE,
    HolderPage,
    PolicyChange,
    ReclaimStore,
    SavedReclaimPolicy,
)
from licence_manager.ports.usage import BadCursor
from tests.fakes.memory_automation import InMemoryStore


class InMemoryReclaim(InMemoryStore, ReclaimStore):
    def __init__(self) -> None:
        super().__init__()
        # licence_insights: one collection, as on Firestore, whether the page or a unit of
        # work (an unassign's outcome, the buying claim) reads it.
        self.insights_records: dict[str, LicenceInsights] = self.insights
        self.reclaim_policy_records: dict[str, SavedReclaimPolicy] = {}

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
        if cursor and not cursor.startswith(f"{customer_id}_"):
            raise BadCursor("this cursor does not continue this listing")
        with self._lock:
            found = sorted(
                (
                    (doc_id, r)
                    for doc_id, r in self.holder_records().items()
                    if r.customer_id == customer_id
                    and sku_id in (None, r.holder.sku_id)
                    and (r.reclaim_reason is not None or not reclaimable_only)
                    and (not cursor or doc_id > cursor)
                ),
                key=lambda pair: pair[0],
            )
        page = found[:limit]
        more = len(found) > limit
        return HolderPage([r for _, r in page], page[-1][0] if more else None)

    def holder_records(self) -> dict[str, ReclaimRecord]:
        """The stored `seat_holders` (the unit of work's, which an unassign deletes), as the
        page reads them."""
        return {doc_id: reclaim_record(r) for doc_id, r in self.seat_holders.items()}

    def licence_insights(self, customer_id: str) -> LicenceInsights | None:
        with self._lock:
            return self.insights_records.get(customer_id)

    def reclaim_policy(self, customer_id: str) -> SavedReclaimPolicy:
        with self._lock:
            return self.reclaim_policy_records.get(customer_id, SavedReclaimPolicy(ReclaimPolicy()))

    def change_reclaim_policy(
        self, customer_id: str, policy: ReclaimPolicy, actor: str, at: datetime
    ) -> PolicyChange:
        key = customer_key(customer_id)
        with self._lock:
            saved = self.reclaim_policy_records.get(customer_id)
            before = saved.policy if saved else ReclaimPolicy()
            if before == policy:
                return PolicyChange(before, policy)
            self.reclaim_policy_records[customer_id] = SavedReclaimPolicy(policy, actor, at)
            entry = reclaim_policy_changed(
                self.heads.get(key, GENESIS), customer_id, at, actor, before, policy
            )
            self.audit.setdefault(key, []).append(entry)
            self.heads[key] = entry.head
            return PolicyChange(before, policy)

    def save_seat_holders(self, records: Iterable[ReclaimRecord]) -> None:
        with self._lock:
            for record in records:
                self.seat_holders[record.doc_id] = holder_record(record)

    def save_licence_insights(self, insights: LicenceInsights) -> None:
        with self._lock:
            self.insights_records[insights.customer_id] = insights
