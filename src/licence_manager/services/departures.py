"""Deleting a departed customer's data once it is due (domain/departure.py has the rules).

A dry run (the default everywhere) reports what would be deleted and changes nothing. A real
run first writes its report to the retention-locked archive (`deletions/YYYY-MM-DD/
{customerId}.json`, beside the exported audit heads: the functions and ops can add to it,
nobody can remove it), then deletes, then logs `customer data deleted`. If the archive cannot
be written nothing is deleted. Running it again deletes whatever is left (a run stopped
half-way) and writes nothing new to the archive that day."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from licence_manager.domain.departure import Retention, departed_since
from licence_manager.observability import get_logger
from licence_manager.ports.audit_integrity import HeadArchive
from licence_manager.ports.customer_data import CustomerData

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class DeletionReport:
    customer_id: str
    at: datetime
    departed: datetime | None  # None: not departed
    due: datetime | None
    deleted: bool  # False: a dry run, or not due
    counts: dict[str, int] = field(default_factory=dict)  # collection → documents
    kept_from: datetime | None = None  # invoicing records dated from here on are kept
    by: str = ""

    @property
    def reason(self) -> str:
        if self.departed is None:
            return "has not departed: it still has a licence that is not removed (or none stored)"
        if self.due is not None and self.at < self.due:
            return (
                f"departed {self.departed:%Y-%m-%d}; its data is deleted from {self.due:%Y-%m-%d}"
            )
        return "due"

    def document(self) -> bytes:
        body = {
            "customerId": self.customer_id,
            "at": self.at.isoformat(),
            "by": self.by,
            "departed": self.departed.isoformat() if self.departed else None,
            "due": self.due.isoformat() if self.due else None,
            "invoicingKeptFrom": self.kept_from.isoformat() if self.kept_from else None,
            "deleted": self.counts,
        }
        return json.dumps(body, sort_keys=True, indent=1).encode()


def record_name(customer_id: str, at: datetime) -> str:
    return f"deletions/{at:%Y-%m-%d}/{customer_id}.json"


class DeleteDepartedCustomer:
    def __init__(
        self,
        data: CustomerData,
        archive: HeadArchive,
        retention: Retention,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._data = data
        self._archive = archive
        self._retention = retention
        self._clock = clock

    def __call__(self, customer_id: str, *, execute: bool, by: str) -> DeletionReport:
        now = self._clock()
        departed = departed_since(self._data.licence_states(customer_id))
        due = self._retention.due_at(departed) if departed else None
        report = DeletionReport(customer_id, now, departed, due, deleted=False, by=by)
        if due is None or now < due:
            return report
        cutoff = self._retention.invoicing_cutoff(now)
        counts = self._data.erase(customer_id, cutoff, dry_run=True)
        planned = DeletionReport(
            customer_id, now, departed, due, deleted=False, counts=counts, kept_from=cutoff, by=by
        )
        if not execute:
            return planned
        # The record first: if it cannot be kept, nothing is deleted.
        self._archive.put_new(record_name(customer_id, now), planned.document())
        done = self._data.erase(customer_id, cutoff, dry_run=False)
        log.info(
            "customer data deleted",
            extra={
                "event": "customer_data_deleted",
                "customerId": customer_id,
                "departed": departed.isoformat() if departed else None,
                "deleted": done,
                "by": by,
            },
        )
        return DeletionReport(
            customer_id, now, departed, due, deleted=True, counts=done, kept_from=cutoff, by=by
        )
