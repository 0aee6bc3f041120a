"""The unit of work: one read-decide-write, written once in its service, run in one transaction.

A service hands `UnitOfWork.run` a function of a `Transaction`; the function reads what it needs
through the transaction's repositories, decides with the pure domain, then writes. The adapter
only gets, creates and puts documents; it holds no rule. As on Firestore, every read comes
before the first write, and the function may run more than once (on contention), so it must
have no other side effects.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from licence_manager.domain.anomaly import AnomalyPolicy
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import GENESIS, AuditHead, Licence, LicenceKey
from licence_manager.domain.notifications import Notification
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.spending import SpendingLimit
from licence_manager.domain.topup import TopUpRequest

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class AlreadyExists(Exception):
    """`create` found the document there already: the whole transaction is refused."""


class Repository(abc.ABC, Generic[K, V]):
    """One collection, as seen inside one transaction."""

    @abc.abstractmethod
    def get(self, key: K) -> V | None: ...

    @abc.abstractmethod
    def put(self, key: K, value: V) -> None:
        """Write the whole document (created or replaced) when the transaction commits."""

    @abc.abstractmethod
    def create(self, key: K, value: V) -> None:
        """Write a new document; the commit fails with AlreadyExists if it is there."""


class LicenceRepository(Repository[LicenceKey, Licence]):
    """Licences, keeping the usage digest true (domain.usage_digest). A licence is written only
    after it was read in the same transaction; `put` (every writer but the sync's record step)
    also replaces the licence's digest entry with a mark, in the same transaction."""

    @abc.abstractmethod
    def listed_in(self, key: LicenceKey) -> str:
        """The digest document that lists this licence, as read ("" for none)."""

    @abc.abstractmethod
    def put_listed(self, key: LicenceKey, value: Licence, document: str) -> None:
        """The sync's record step: write the licence listed in `document`, whose entry the sync
        settles itself; an entry left in the document that listed it before is deleted."""


@dataclass(frozen=True, slots=True)
class SavedSettings:
    """A licence's settings as stored: who saved them and when (a pending automatic top-up
    decided before that moment was decided under other settings)."""

    settings: LicenceSettings
    updated_by: str = ""
    updated_at: datetime | None = None


DayKey = tuple[LicenceKey, date]
BUYING = "buying"  # the one document of `controls` today: the emergency stop


class Transaction(abc.ABC):
    """The repositories one unit of work reads and writes."""

    licences: LicenceRepository
    days: Repository[DayKey, DailyUsage]
    audit_heads: Repository[LicenceKey, AuditHead]
    audit_events: Repository[str, AuditEntry]  # keyed by AuditEntry.doc_id; create only
    automation: Repository[LicenceKey, AutomationState]
    settings: Repository[LicenceKey, SavedSettings]
    requests: Repository[str, TopUpRequest]
    notifications: Repository[str, Notification]
    controls: Repository[str, BuyingControl]
    # Every pause and resume, kept (create only): who, when and why, for the reseller's audit.
    buying_changes: Repository[str, BuyingControl]
    spending_limits: Repository[str, SpendingLimit]  # keyed by customer id
    # What the holder sync learnt of a customer's seats (licence_insights), keyed by customer
    # id: the buying rule reads its reclaimable seats in the same transaction as its other facts.
    insights: Repository[str, LicenceInsights]
    # The anomaly guard's thresholds (anomaly_policies), keyed by customer id: the sync's record
    # step reads them when a licence's assignments rose.
    anomaly_policies: Repository[str, AnomalyPolicy]

    # Reads with the domain's defaults for a document never written.
    def automation_of(self, key: LicenceKey) -> AutomationState:
        return self.automation.get(key) or AutomationState()

    def head_of(self, key: LicenceKey) -> AuditHead:
        return self.audit_heads.get(key) or GENESIS

    def settings_of(self, key: LicenceKey) -> SavedSettings:
        return self.settings.get(key) or SavedSettings(LicenceSettings())

    def buying_control(self) -> BuyingControl:
        return self.controls.get(BUYING) or BuyingControl()

    def spending_limit_of(self, customer_id: str) -> SpendingLimit:
        return self.spending_limits.get(customer_id) or SpendingLimit(customer_id)

    def anomaly_policy_of(self, customer_id: str) -> AnomalyPolicy:
        return self.anomaly_policies.get(customer_id) or AnomalyPolicy(customer_id)

    def reclaimable_of(self, key: LicenceKey) -> int | None:
        """The licence's reclaimable seats as the holder sync last counted them; None when they
        are unknown (no insights for the customer, or its holders could not be read)."""
        found = self.insights.get(key.customer_id)
        return None if found is None else found.reclaimable(key.sku_id)

    def append_audit(self, entries: tuple[AuditEntry, ...], head: AuditHead | None) -> None:
        """Entries are created, never overwritten: a replayed decision cannot chain twice."""
        if not entries or head is None:
            return
        self.audit_heads.put(entries[0].key, head)
        for entry in entries:
            self.audit_events.create(entry.doc_id, entry)


class UnitOfWork(abc.ABC):
    @abc.abstractmethod
    def run(self, work: Callable[[Transaction], T]) -> T:
        """Run `work` in one transaction, again from the start on contention; commit what it
        wrote when it returns, nothing if it raises."""
