"""Everything stored about one customer, for deleting a departed customer's data
(domain/departure.py says what and when)."""

from __future__ import annotations

import abc
from datetime import datetime


class CustomerData(abc.ABC):
    @abc.abstractmethod
    def licence_states(self, customer_id: str) -> list[tuple[str, datetime]]:
        """(status, updatedAt) of each licence stored for the customer."""

    @abc.abstractmethod
    def erase(
        self, customer_id: str, invoicing_cutoff: datetime, *, dry_run: bool
    ) -> dict[str, int]:
        """Delete (or with dry_run only count) the customer's documents, collection by
        collection, keeping invoicing records dated from `invoicing_cutoff` on and the audit
        heads while any audit entry is kept. Returns collection → documents deleted (or that
        would be). Safe to run again: a second run deletes what is left."""
