"""In-memory fake of the savings the dashboard reads (ports.savings), over the documents the
in-memory unit of work writes; held to the Firestore one by tests/contract/test_savings_store.py."""

from __future__ import annotations

from licence_manager.domain.saving_totals import SavingTotals
from licence_manager.domain.savings import Saving
from licence_manager.ports.savings import SavingsStore
from tests.fakes.memory_automation import InMemoryStore


class InMemorySavings(InMemoryStore, SavingsStore):
    def savings_in_month(self, customer_id: str, month: str) -> list[Saving]:
        with self._lock:
            found = [
                s
                for s in self.saving_records.values()
                if s.key.customer_id == customer_id and s.month == month
            ]
        return sorted(found, key=lambda s: (s.at, s.saving_id))

    def saving_totals(self, customer_id: str) -> SavingTotals | None:
        with self._lock:
            return self.saving_totals_records.get(customer_id)
