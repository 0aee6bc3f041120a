"""One customer's usage sync, as a reseller event asks for it: list that customer's
subscriptions by customer id (an event's subscription id may be stale) and record each through
the scheduled sync's record step (services.recording), so a duplicate or a late event writes
nothing and the usage digest learns of every write (the repository marks it).

What it leaves to the scheduled sync: a customer not stored yet (its customer document,
organisation name and first recipient are the sync's to create) and the pace of new licences
(an event names one customer, so it adds at most a few)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import partial

from licence_manager.domain.observation import REMOVED, record_disappearance
from licence_manager.observability import get_logger
from licence_manager.ports import AccessDenied, LicenceStore, SubscriptionSource
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services.recording import record_licence, record_seen

log = get_logger(__name__)


class CustomerSyncOutcome(StrEnum):
    SYNCED = "SYNCED"
    UNKNOWN_CUSTOMER = "UNKNOWN_CUSTOMER"  # not stored yet: the scheduled sync adds it
    NO_ACCESS = "NO_ACCESS"  # 403: not ours any more; the scheduled sync reports it


@dataclass(slots=True)
class CustomerSyncReport:
    customer_id: str
    outcome: CustomerSyncOutcome
    subscriptions_seen: int = 0
    licences_written: int = 0
    licences_removed: int = 0
    failures: list[str] = field(default_factory=list)


class SyncCustomer:
    """Raises SourceError (other than 403) so the event is redelivered and tried again."""

    def __init__(
        self,
        source: SubscriptionSource,
        store: LicenceStore,
        uow: UnitOfWork,
        default_time_zone: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._source, self._store, self._uow = source, store, uow
        self._default_zone = default_time_zone
        self._clock = clock

    def __call__(self, customer_id: str) -> CustomerSyncReport:
        customer = self._store.customer(customer_id)
        if customer is None:
            return CustomerSyncReport(customer_id, CustomerSyncOutcome.UNKNOWN_CUSTOMER)
        # Stamped before the listing, as the scheduled sync does: a licence written while we
        # list (a top-up) is newer than this observation and is not rolled back by it.
        at = self._clock()
        try:
            listed = self._source.list_customer_subscriptions(customer_id)
        except AccessDenied as error:
            log.warning("event sync: customer not accessible", extra={"customerId": customer_id})
            report = CustomerSyncReport(customer_id, CustomerSyncOutcome.NO_ACCESS)
            report.failures.append(str(error))
            return report
        report = CustomerSyncReport(customer_id, CustomerSyncOutcome.SYNCED, len(listed))
        for subscription in listed:
            if record_seen(self._uow, subscription, customer.time_zone, at) is not None:
                report.licences_written += 1
        seen = {s.key for s in listed}
        for licence in self._store.licences_of(customer_id):
            if licence.key in seen or licence.usage.status == REMOVED:
                continue
            # Gone from a complete listing of its customer: the scheduled sync's rule.
            removed = self._uow.run(
                partial(
                    record_licence,
                    key=licence.key,
                    at=at,
                    default_time_zone=licence.time_zone,
                    decide=partial(record_disappearance, at=at),
                )
            )
            report.licences_removed += removed is not None
        return report
