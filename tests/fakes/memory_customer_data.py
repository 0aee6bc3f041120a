"""A customer's documents in memory, by collection and id, with the Firestore adapter's rules
(tests/contract/test_customer_data.py holds the two to one contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from licence_manager.domain import departure
from licence_manager.ports.customer_data import CustomerData


class MemoryCustomerData(CustomerData):
    def __init__(self) -> None:
        self.collections: dict[str, dict[str, dict[str, Any]]] = {}

    def put(self, collection: str, doc_id: str, doc: dict[str, Any]) -> None:
        self.collections.setdefault(collection, {})[doc_id] = doc

    def _prefixed(self, collection: str, customer_id: str) -> dict[str, dict[str, Any]]:
        docs = self.collections.get(collection, {})
        return {i: d for i, d in docs.items() if i.startswith(f"{customer_id}_")}

    def licence_states(self, customer_id: str) -> list[tuple[str, datetime]]:
        found = self._prefixed("licences", customer_id).values()
        return [(str(d.get("status")), d["updatedAt"]) for d in found]

    def erase(
        self, customer_id: str, invoicing_cutoff: datetime, *, dry_run: bool
    ) -> dict[str, int]:
        done: dict[str, int] = {}
        doomed: list[tuple[str, str]] = []
        kept_audit = kept_any = False
        for collection, field in departure.INVOICING.items():
            found = self._prefixed(collection, customer_id)
            old = [
                i
                for i, d in found.items()
                if departure.dated_before(d.get(field), invoicing_cutoff)
            ]
            kept_any |= len(old) < len(found)
            kept_audit |= collection == "audit_events" and len(old) < len(found)
            doomed += [(collection, i) for i in old]
            done[collection] = len(old)
        if not kept_audit:
            heads = list(self._prefixed(departure.AUDIT_HEADS, customer_id))
            doomed += [(departure.AUDIT_HEADS, i) for i in heads]
            done[departure.AUDIT_HEADS] = len(heads)
        for collection in departure.BY_PREFIX:
            ids = list(self._prefixed(collection, customer_id))
            doomed += [(collection, i) for i in ids]
            done[collection] = len(ids)
        for collection in departure.BY_ID:
            there = customer_id in self.collections.get(collection, {})
            doomed += [(collection, customer_id)] if there else []
            done[collection] = int(there)
        if not kept_any:
            licences = list(self._prefixed("licences", customer_id))
            doomed += [("licences", i) for i in licences]
            done["licences"] = len(licences)
            there = customer_id in self.collections.get("customers", {})
            doomed += [("customers", customer_id)] if there else []
            done["customers"] = int(there)
        if not dry_run:
            for collection, doc_id in doomed:
                del self.collections[collection][doc_id]
        return done
