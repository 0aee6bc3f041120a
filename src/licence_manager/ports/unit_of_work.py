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
from typing import TYPE_CHECKING, Generic, TypeVar

from licence_manager.domain.anomaly import AnomalyPolicy
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import GENESIS, AuditHead, Licence, LicenceKey
from licence_manager.domain.notifications import Notification
from licence_manager.domain.prices import Discount, Price, lookup_from, price_row_id
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.spending import SpendingLimit
from licence_manager.domain.topup import TopUpRequest

if TYPE_CHECKING:  # the api loads this port at cold start: the holder records only when used
    from licence_manager.domain.holders import HolderRecord
if TYPE_CHECKING:  # loaded when a saving is recorded, not with every unit of work (cold api)
    from licence_manager.domain.saving_totals import SavingTotals
    from licence_manager.domain.savings import Saving

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


class HolderRepository(abc.ABC):
    """`seat_holders` as an unassign sees them, keeping the holder digest true
    (domain.holder_digest): a holder is deleted only after it was read in the same transaction,
    and `delete` drops its entry from the customer's `holder_digests` document in the same
    commit, so the next holder sync finds nothing listed that is not stored."""

    @abc.abstractmethod
    def get(self, doc_id: str) -> HolderRecord | None: ...

    @abc.abstractmethod
    def delete(self, doc_id: str) -> None:
        """Delete the holder (read earlier in this transaction) and its digest entry."""


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
    # The holder sync's `seat_holders`, by document id: what an unassign checks and removes.
    seat_holders: HolderRepository
    # Savings (domain.savings): each created once under its deterministic id, with the
    # customer's totals (keyed by customer id) in the same transaction.
    savings: Repository[str, Saving]
    saving_totals: Repository[str, SavingTotals]
    # The price list, read only to value a saving: prices by `{skuId}_{planName}`, discounts
    # by customer id (written by ports.prices.PriceList, never through a unit of work).
    prices: Repository[str, Price]
    price_discounts: Repository[str, Discount]
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

    def price_of(self, customer_id: str, sku_id: str, plan_name: str) -> Price | None:
        """The customer's price (discount applied) of one SKU and plan: two reads."""
        row = self.prices.get(price_row_id(sku_id, plan_name))
        if row is None:
            return None
        return lookup_from([row], self.price_discounts.get(customer_id))(sku_id, plan_name)

    def record_saving(self, saving: Saving | None) -> bool:
        """Create `saving` unless it exists, and add it to its customer's totals; False when
        there is none or it was recorded before. Reads, then writes: call it after the unit of
        work's other reads and before its first write (price the saving with price_of first)."""
        from licence_manager.domain.saving_totals import SavingTotals, with_saving

        if saving is None or self.savings.get(saving.saving_id) is not None:
            return False
        customer_id = saving.key.customer_id
        totals = self.saving_totals.get(customer_id) or SavingTotals(customer_id)
        self.savings.create(saving.saving_id, saving)
        self.saving_totals.put(customer_id, with_saving(totals, saving))
        return True

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
