"""The unit of work in memory, over the documents of an InMemoryStore (one database, as on
Firestore). Writes are held until the work returns and then applied together under the store's
lock; `create` of a document that exists fails the whole commit; a read after a write is refused
as Firestore refuses it. The contract tests run the same cases against FirestoreUnitOfWork."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Generic, TypeVar

from licence_manager.adapters.firestore_unit_of_work import ReadAfterWrite
from licence_manager.domain.anomaly import AnomalyPolicy
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.holder_digest import HolderDigest
from licence_manager.domain.holders import HolderRecord
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import Licence, LicenceKey
from licence_manager.domain.observation import RecordedChange
from licence_manager.domain.prices import Discount, Price
from licence_manager.domain.saving_totals import SavingTotals
from licence_manager.domain.savings import Saving
from licence_manager.domain.spending import SpendingLimit
from licence_manager.domain.usage_digest import new_mark
from licence_manager.ports.unit_of_work import (
    AlreadyExists,
    DayKey,
    HolderRepository,
    LicenceRepository,
    Repository,
    SavedSettings,
    Transaction,
    UnitOfWork,
)
from licence_manager.services.recording import ChangeDecision
from tests.fakes.memory_automation import InMemoryStore

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


@dataclass
class _Table(Generic[K, V]):
    """How one repository reads and writes the store's dictionaries."""

    read: Callable[[K], V | None]
    write: Callable[[K, V], None]
    watched: bool = False  # Eventarc delivers writes of this collection to evaluate_thresholds
    billed: bool = True  # False: a field of a document written beside it (a licence's listedIn)


class _Licences(LicenceRepository):
    """Licences as the Firestore adapter keeps them: a write marks the licence's digest entry
    (domain.usage_digest) in the same commit, unless the sync lists it itself."""

    def __init__(self, tx: MemoryTransaction, store: InMemoryStore) -> None:
        self._tx, self._store = tx, store
        self._listed: dict[LicenceKey, str] = {}
        self._table = _Table(store.licences.get, store.licences.__setitem__, watched=True)

    def get(self, key: LicenceKey) -> Licence | None:
        if self._tx.pending:
            raise ReadAfterWrite("read of licences after a write")
        self._listed[key] = self._store.listed_in.get(key, "")
        return self._store.licences.get(key)

    def listed_in(self, key: LicenceKey) -> str:
        if key not in self._listed:
            raise ReadAfterWrite(f"licence {key.doc_id} written without being read first")
        return self._listed[key]

    def put(self, key: LicenceKey, value: Licence) -> None:
        listed = self.listed_in(key)
        self._tx.pending.append(("licences", key, value, False, self._table))
        if listed:
            self._tx.pending.append(("sync_digests", key, new_mark(), False, self._entry(listed)))

    def create(self, key: LicenceKey, value: Licence) -> None:
        self._tx.pending.append(("licences", key, value, True, self._table))

    def put_listed(self, key: LicenceKey, value: Licence, document: str) -> None:
        before = self.listed_in(key)
        self._tx.pending.append(("licences", key, value, False, self._table))
        self._tx.pending.append(
            (
                "listed_in",
                key,
                document,
                False,
                _Table(self._store.listed_in.get, self._store.listed_in.__setitem__, billed=False),
            )
        )
        if before and before != document:
            self._tx.pending.append(("sync_digests", key, None, False, self._entry(before)))

    def _entry(self, document: str) -> _Table[LicenceKey, str | None]:
        def write(key: LicenceKey, entry: str | None) -> None:
            entries = self._store.digests.setdefault(document, {})
            if entry is None:
                entries.pop(key, None)
            else:
                entries[key] = entry

        return _Table(lambda key: self._store.digests.get(document, {}).get(key), write)


class _Holders(HolderRepository):
    """seat_holders with the customer's holder digest, as the Firestore adapter keeps them."""

    def __init__(self, tx: MemoryTransaction, store: InMemoryStore) -> None:
        self._tx, self._store = tx, store
        self._read: dict[str, str] = {}  # holder doc id → its customer id

    def get(self, doc_id: str) -> HolderRecord | None:
        if self._tx.pending:
            raise ReadAfterWrite("read of seat_holders after a write")
        found = self._store.seat_holders.get(doc_id)
        if found is not None:
            self._read[doc_id] = found.customer_id
        return found

    def delete(self, doc_id: str) -> None:
        customer_id = self._read.get(doc_id)
        store = self._store

        def write(key: str, _gone: None) -> None:
            store.seat_holders.pop(key, None)
            digest = store.holder_digests.get(customer_id or "")
            if digest is not None and key in digest.entries:
                entries = {k: v for k, v in digest.entries.items() if k != key}
                store.holder_digests[digest.customer_id] = HolderDigest(digest.customer_id, entries)

        self._tx.pending.append(
            ("seat_holders", doc_id, None, False, _Table(lambda _k: None, write))
        )


class _Documents(Repository[K, V]):
    def __init__(self, tx: MemoryTransaction, name: str, table: _Table[K, V]) -> None:
        self._tx, self._name, self._table = tx, name, table

    def get(self, key: K) -> V | None:
        if self._tx.pending:
            raise ReadAfterWrite(f"read of {self._name} after a write")
        return self._table.read(key)

    def put(self, key: K, value: V) -> None:
        self._tx.pending.append((self._name, key, value, False, self._table))

    def create(self, key: K, value: V) -> None:
        self._tx.pending.append((self._name, key, value, True, self._table))


def _dict_table(docs: MutableMapping[Any, Any], watched: bool = False) -> _Table[Any, Any]:
    return _Table(docs.get, docs.__setitem__, watched)


class MemoryTransaction(Transaction):
    def __init__(self, store: InMemoryStore) -> None:
        self.pending: list[tuple[str, Any, Any, bool, _Table[Any, Any]]] = []
        s = store

        def read_day(key: DayKey) -> Any:
            return s.days.get((key[0], key[1].isoformat()))

        def write_day(key: DayKey, value: Any) -> None:
            s.days[(key[0], key[1].isoformat())] = value

        def read_entry(doc_id: str) -> AuditEntry | None:
            return next(
                (e for entries in s.audit.values() for e in entries if e.doc_id == doc_id), None
            )

        def write_entry(_doc_id: str, entry: AuditEntry) -> None:
            s.audit.setdefault(entry.key, []).append(entry)

        def read_settings(key: LicenceKey) -> SavedSettings | None:
            if key not in s.settings_records:
                return None
            by, at = s.settings_saved.get(key, ("", None))
            return SavedSettings(s.settings_records[key], by, at)

        def write_settings(key: LicenceKey, saved: SavedSettings) -> None:
            s.settings_records[key] = saved.settings
            s.settings_saved[key] = (saved.updated_by, saved.updated_at or datetime.now(UTC))

        self.licences = _Licences(self, s)
        self.days = _Documents(self, "usage_daily", _Table(read_day, write_day))
        self.audit_heads = _Documents(self, "audit_heads", _dict_table(s.heads))
        self.audit_events = _Documents(self, "audit_events", _Table(read_entry, write_entry))
        self.automation = _Documents(self, "licence_automation", _dict_table(s.automation))
        self.settings = _Documents(
            self, "licence_settings", _Table(read_settings, write_settings, watched=True)
        )
        self.requests = _Documents(self, "topup_requests", _dict_table(s.requests))
        self.notifications = _Documents(self, "notifications", _dict_table(s.notification_records))
        self.controls: Repository[str, BuyingControl] = _Documents(
            self, "controls", _dict_table(s.controls)
        )
        self.buying_changes: Repository[str, BuyingControl] = _Documents(
            self, "buying_changes", _dict_table(s.buying_changes)
        )
        self.spending_limits: Repository[str, SpendingLimit] = _Documents(
            self, "spending_limits", _dict_table(s.spending_limits)
        )
        self.insights: Repository[str, LicenceInsights] = _Documents(
            self, "licence_insights", _dict_table(s.insights)
        )
        self.seat_holders = _Holders(self, s)
        self.savings: Repository[str, Saving] = _Documents(
            self, "savings", _dict_table(s.saving_records)
        )
        self.saving_totals: Repository[str, SavingTotals] = _Documents(
            self, "saving_totals", _dict_table(s.saving_totals_records)
        )
        # The price list lives beside the store only in the api's fake (InMemoryPriceList).
        self.prices: Repository[str, Price] = _Documents(
            self, "prices", _dict_table(getattr(s, "price_records", {}))
        )
        self.price_discounts: Repository[str, Discount] = _Documents(
            self, "price_discounts", _dict_table(getattr(s, "discount_records", {}))
        )
        self.anomaly_policies: Repository[str, AnomalyPolicy] = _Documents(
            self, "anomaly_policies", _dict_table(s.anomaly_policies)
        )


class MemoryUnitOfWork(UnitOfWork):
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.commits = 0

    def run(self, work: Callable[[Transaction], T]) -> T:
        with self.store._lock:
            tx = MemoryTransaction(self.store)
            result = work(tx)
            # Like Firestore: a create fails on a document that exists, or that this very unit
            # wrote before it.
            written: set[tuple[str, Any]] = set()
            taken = []
            for name, key, _value, create, table in tx.pending:
                if create and ((name, key) in written or table.read(key) is not None):
                    taken.append(f"{name}/{key}")
                written.add((name, key))
            if taken:
                raise AlreadyExists(f"already exist: {', '.join(taken)}")
            for _name, key, value, _create, table in tx.pending:
                table.write(key, value)
                self.store.writes += table.billed
                if table.watched:
                    self.store.watched_writes.append(key)
            self.commits += 1
            return result


def unit_of_work_for(store: object) -> UnitOfWork:
    """The unit of work over the same data as `store`: in memory, or the same Firestore."""
    if isinstance(store, InMemoryStore):
        return MemoryUnitOfWork(store)
    from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork

    return FirestoreUnitOfWork(store._db)  # type: ignore[attr-defined]


def record(
    store: object, key: LicenceKey, at: datetime, default_time_zone: str, decide: ChangeDecision
) -> RecordedChange | None:
    """Record one licence as the sync does (services.sync.record_licence), in `store`'s data."""
    from licence_manager.services.recording import record_licence

    return unit_of_work_for(store).run(
        partial(record_licence, key=key, at=at, default_time_zone=default_time_zone, decide=decide)
    )
