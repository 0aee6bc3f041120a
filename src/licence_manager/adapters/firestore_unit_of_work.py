"""The unit of work on Firestore: one transaction, and one small repository per collection that
only gets, creates and puts documents through it. The rules live in the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.adapters import automation_codec as ac
from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters import insights_codec, savings_codec
from licence_manager.adapters.firestore_prices import (
    PRICE_DISCOUNTS,
    PRICES,
    discount_from_doc,
    price_from_doc,
    price_to_doc,
)
from licence_manager.adapters.firestore_store import (
    AUDIT_EVENTS,
    AUDIT_HEADS,
    AUTOMATION,
    LICENCES,
    LISTED_IN,
    USAGE_DAILY,
    in_transaction,
    write_digest_entry,
)
from licence_manager.domain.buying import BuyingControl
from licence_manager.domain.model import Licence, LicenceKey
from licence_manager.domain.prices import Discount
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

if TYPE_CHECKING:  # the api's cold start builds this unit of work: holders load when used
    from licence_manager.domain.holders import HolderRecord

SETTINGS = "licence_settings"
REQUESTS = "topup_requests"
NOTIFICATIONS = "notifications"
CONTROLS = "controls"
BUYING_CHANGES = "buying_changes"
SPENDING_LIMITS = "spending_limits"
ANOMALY_POLICIES = "anomaly_policies"

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
Document = dict[str, Any]


class ReadAfterWrite(RuntimeError):
    """Firestore transactions read everything before the first write; so must a unit of work."""


@dataclass(frozen=True, slots=True)
class Collection(Generic[K, V]):
    """How one kind of value is stored: its collection, document id and codec."""

    name: str
    doc_id: Callable[[K], str]
    to_doc: Callable[[K, V], Document]
    from_doc: Callable[[Document], V]


class _Documents(Repository[K, V]):
    def __init__(self, tx: FirestoreTransaction, collection: Collection[K, V]) -> None:
        self._tx = tx
        self._collection = collection

    def _ref(self, key: K) -> Any:
        return self._tx.db.collection(self._collection.name).document(self._collection.doc_id(key))

    def get(self, key: K) -> V | None:
        if self._tx.wrote:
            raise ReadAfterWrite(f"read of {self._collection.name} after a write")
        snapshot = self._ref(key).get(transaction=self._tx.transaction)
        return self._collection.from_doc(snapshot.to_dict()) if snapshot.exists else None

    def put(self, key: K, value: V) -> None:
        self._tx.wrote = True
        self._tx.transaction.set(self._ref(key), self._collection.to_doc(key, value))

    def create(self, key: K, value: V) -> None:
        self._tx.wrote = True
        self._tx.transaction.create(self._ref(key), self._collection.to_doc(key, value))


class _LicenceDocuments(LicenceRepository):
    """Licences, each remembering the digest document that lists it (field `listedIn`), so a
    write marks the entry there in the same transaction (domain.usage_digest)."""

    def __init__(self, tx: FirestoreTransaction) -> None:
        self._tx = tx
        self._listed: dict[LicenceKey, str] = {}

    def _ref(self, key: LicenceKey) -> Any:
        return self._tx.db.collection(LICENCES).document(key.doc_id)

    def get(self, key: LicenceKey) -> Licence | None:
        if self._tx.wrote:
            raise ReadAfterWrite(f"read of {LICENCES} after a write")
        snapshot = self._ref(key).get(transaction=self._tx.transaction)
        doc = snapshot.to_dict() if snapshot.exists else None
        self._listed[key] = str((doc or {}).get(LISTED_IN, ""))
        return codec.licence_from_doc(doc) if doc is not None else None

    def listed_in(self, key: LicenceKey) -> str:
        return self._read_listing(key)

    def _read_listing(self, key: LicenceKey) -> str:
        if key not in self._listed:
            raise ReadAfterWrite(f"licence {key.doc_id} written without being read first")
        return self._listed[key]

    def put(self, key: LicenceKey, value: Licence) -> None:
        listed = self._read_listing(key)
        self._write(key, value, listed)
        if listed:
            write_digest_entry(self._tx.transaction, self._tx.db, listed, key, new_mark())

    def create(self, key: LicenceKey, value: Licence) -> None:
        """A new licence is listed in no digest yet: the sync lists it when it first sees it."""
        self._tx.wrote = True
        self._tx.transaction.create(self._ref(key), {**codec.licence_to_doc(value), LISTED_IN: ""})

    def put_listed(self, key: LicenceKey, value: Licence, document: str) -> None:
        before = self._read_listing(key)
        self._write(key, value, document)
        if before and before != document:
            write_digest_entry(self._tx.transaction, self._tx.db, before, key, None)

    def _write(self, key: LicenceKey, value: Licence, listed: str) -> None:
        self._tx.wrote = True
        self._tx.transaction.set(self._ref(key), {**codec.licence_to_doc(value), LISTED_IN: listed})


class _HolderDocuments(HolderRepository):
    """`seat_holders` with their customer's holder digest: reading a holder also learns whether
    the digest exists (a one-field read), so that deleting it drops its entry without reading
    the whole digest (up to 1 MB) and without creating one that was not there."""

    def __init__(self, tx: FirestoreTransaction) -> None:
        self._tx = tx
        self._digests: dict[str, Any] = {}  # holder doc id → its digest's reference, if it exists

    def _ref(self, doc_id: str) -> Any:
        # Imported here: the holder sync's codec is not needed by most units of work.
        from licence_manager.adapters.firestore_holders import SEAT_HOLDERS

        return self._tx.db.collection(SEAT_HOLDERS).document(doc_id)

    def get(self, doc_id: str) -> HolderRecord | None:
        from licence_manager.adapters.firestore_holders import holder_from_doc
        from licence_manager.domain.holder_digest import HOLDER_DIGESTS

        if self._tx.wrote:
            raise ReadAfterWrite("read of seat_holders after a write")
        snapshot = self._ref(doc_id).get(transaction=self._tx.transaction)
        if not snapshot.exists:
            return None
        record = holder_from_doc(snapshot.to_dict())
        digest = self._tx.db.collection(HOLDER_DIGESTS).document(record.customer_id)
        found = digest.get(field_paths=["customerId"], transaction=self._tx.transaction)
        if found.exists:
            self._digests[doc_id] = digest
        return record

    def delete(self, doc_id: str) -> None:
        self._tx.wrote = True
        self._tx.transaction.delete(self._ref(doc_id))
        digest = self._digests.get(doc_id)
        if digest is not None:
            entry = FieldPath("entries", doc_id).to_api_repr()
            self._tx.transaction.update(digest, {entry: firestore.DELETE_FIELD})


def _day_id(key: DayKey) -> str:
    licence, day = key
    return f"{licence.doc_id}_{day.isoformat()}"


def _settings_to_doc(key: LicenceKey, saved: SavedSettings) -> Document:
    at = saved.updated_at or datetime.now(UTC)
    return ac.settings_to_doc(key, saved.settings, saved.updated_by, at)


def _settings_from_doc(doc: Document) -> SavedSettings:
    at = doc.get("updatedAt")
    return SavedSettings(
        ac.settings_from_doc(doc),
        doc.get("updatedBy", ""),
        codec.plain_datetime(at) if at else None,
    )


def _control_to_doc(_key: str, control: BuyingControl) -> Document:
    return {
        "paused": control.paused,
        "reason": control.reason,
        "changedBy": control.changed_by,
        "changedAt": control.changed_at,
    }


def _control_from_doc(doc: Document) -> BuyingControl:
    at = doc.get("changedAt")
    return BuyingControl(
        paused=bool(doc.get("paused", False)),
        reason=doc.get("reason", ""),
        changed_by=doc.get("changedBy", ""),
        changed_at=codec.plain_datetime(at) if at else None,
    )


def _limit_to_doc(customer_id: str, limit: SpendingLimit) -> Document:
    return {
        "customerId": customer_id,
        "maxSeatsPerRequest": limit.max_seats_per_request,
        "maxMonthlyCostMinor": limit.max_monthly_cost_minor,
        "currency": limit.currency,
        "updatedBy": limit.updated_by,
        "updatedAt": limit.updated_at,
    }


def _limit_from_doc(doc: Document) -> SpendingLimit:
    at = doc.get("updatedAt")
    return SpendingLimit(
        customer_id=doc["customerId"],
        max_seats_per_request=int(doc["maxSeatsPerRequest"]),
        max_monthly_cost_minor=int(doc["maxMonthlyCostMinor"]),
        currency=doc.get("currency", "GBP"),
        updated_by=doc.get("updatedBy", ""),
        updated_at=codec.plain_datetime(at) if at else None,
    )


def _by_key(key: LicenceKey) -> str:
    return key.doc_id


def _by_id(doc_id: str) -> str:
    return doc_id


DAY_DOCS = Collection(
    USAGE_DAILY, _day_id, lambda _k, v: codec.daily_to_doc(v), codec.daily_from_doc
)
HEAD_DOCS = Collection(
    AUDIT_HEADS, _by_key, lambda _k, v: codec.head_to_doc(v), codec.head_from_doc
)
AUDIT_DOCS = Collection(
    AUDIT_EVENTS, _by_id, lambda _k, v: codec.audit_to_doc(v), codec.audit_from_doc
)
AUTOMATION_DOCS = Collection(AUTOMATION, _by_key, ac.automation_to_doc, ac.automation_from_doc)
SETTINGS_DOCS = Collection(SETTINGS, _by_key, _settings_to_doc, _settings_from_doc)
REQUEST_DOCS = Collection(REQUESTS, _by_id, lambda _k, v: ac.request_to_doc(v), ac.request_from_doc)
NOTIFICATION_DOCS = Collection(
    NOTIFICATIONS, _by_id, lambda _k, v: ac.notification_to_doc(v), ac.notification_from_doc
)
CONTROL_DOCS = Collection(CONTROLS, _by_id, _control_to_doc, _control_from_doc)
BUYING_CHANGE_DOCS = Collection(BUYING_CHANGES, _by_id, _control_to_doc, _control_from_doc)
SPENDING_LIMIT_DOCS = Collection(SPENDING_LIMITS, _by_id, _limit_to_doc, _limit_from_doc)
ANOMALY_POLICY_DOCS = Collection(
    ANOMALY_POLICIES, _by_id, ac.anomaly_policy_to_doc, ac.anomaly_policy_from_doc
)
# The holder sync's codec, shared: what it writes is what the buying rule reads.
INSIGHT_DOCS = Collection(
    insights_codec.INSIGHTS,
    _by_id,
    lambda _k, v: insights_codec.insights_to_doc(v),
    insights_codec.insights_from_doc,
)

SAVING_DOCS = Collection(
    savings_codec.SAVINGS,
    _by_id,
    lambda _k, v: savings_codec.saving_to_doc(v),
    savings_codec.saving_from_doc,
)
SAVING_TOTAL_DOCS = Collection(
    savings_codec.SAVING_TOTALS,
    _by_id,
    lambda _k, v: savings_codec.totals_to_doc(v),
    savings_codec.totals_from_doc,
)


def _discount_to_doc(customer_id: str, discount: Discount) -> Document:
    return {
        "customerId": customer_id,
        "percent": str(discount.percent),
        "updatedAt": discount.updated_at,
        "updatedBy": discount.updated_by,
    }


# The price list's own codec: read here only to value a saving (ports.prices writes it).
PRICE_DOCS = Collection(PRICES, _by_id, lambda _k, v: price_to_doc(v), price_from_doc)
DISCOUNT_DOCS = Collection(PRICE_DISCOUNTS, _by_id, _discount_to_doc, discount_from_doc)


class FirestoreTransaction(Transaction):
    def __init__(self, db: firestore.Client, transaction: firestore.Transaction) -> None:
        self.db = db
        self.transaction = transaction
        self.wrote = False
        self.licences = _LicenceDocuments(self)
        self.days = _Documents(self, DAY_DOCS)
        self.audit_heads = _Documents(self, HEAD_DOCS)
        self.audit_events = _Documents(self, AUDIT_DOCS)
        self.automation = _Documents(self, AUTOMATION_DOCS)
        self.settings = _Documents(self, SETTINGS_DOCS)
        self.requests = _Documents(self, REQUEST_DOCS)
        self.notifications = _Documents(self, NOTIFICATION_DOCS)
        self.controls = _Documents(self, CONTROL_DOCS)
        self.buying_changes = _Documents(self, BUYING_CHANGE_DOCS)
        self.spending_limits = _Documents(self, SPENDING_LIMIT_DOCS)
        self.insights = _Documents(self, INSIGHT_DOCS)
        self.seat_holders = _HolderDocuments(self)
        self.savings = _Documents(self, SAVING_DOCS)
        self.saving_totals = _Documents(self, SAVING_TOTAL_DOCS)
        self.prices = _Documents(self, PRICE_DOCS)
        self.price_discounts = _Documents(self, DISCOUNT_DOCS)
        self.anomaly_policies = _Documents(self, ANOMALY_POLICY_DOCS)


class FirestoreUnitOfWork(UnitOfWork):
    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def run(self, work: Callable[[Transaction], T]) -> T:
        @firestore.transactional
        def attempt(transaction: firestore.Transaction) -> T:
            return work(FirestoreTransaction(self._db, transaction))

        try:
            result: T = in_transaction(self._db, attempt)
        except google_exceptions.AlreadyExists as error:
            raise AlreadyExists(str(error)) from error
        return result

    def written_since(self, path: str, update_time: datetime) -> bool:
        """Whether the document at `path` was written (or deleted) after `update_time`: a
        read outside any transaction, so it takes no lock. Firestore keeps update times to the
        microsecond and leaves them alone on a write that changes nothing, so a later time
        means a later change, whose own event is on its way."""
        snapshot = self._db.document(path).get()
        return not snapshot.exists or snapshot.update_time > update_time
