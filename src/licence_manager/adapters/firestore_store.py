"""The licence store on Firestore. Layout (see docs/architecture.md): flat top-level collections
`customers`, `licences`, `usage_daily`, `audit_events`, `sync_runs`, keyed by readable ids."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from google.api_core.exceptions import Aborted, DeadlineExceeded
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters import heartbeat_codec
from licence_manager.adapters.retry import RetryPolicy, call_with_retries
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.freshness import SyncHeartbeat, next_heartbeat
from licence_manager.domain.model import Customer, Licence, LicenceKey
from licence_manager.ports import LicenceStore, SyncRunRecord
from licence_manager.ports.usage import (
    MAX_CUSTOMER_PAGE,
    CustomerPage,
    after_customer,
    customer_cursor,
)

CUSTOMERS = "customers"
LICENCES = "licences"
USAGE_DAILY = "usage_daily"
AUDIT_EVENTS = "audit_events"
AUDIT_HEADS = "audit_heads"
AUTOMATION = "licence_automation"
SYNC_RUNS = "sync_runs"

T = TypeVar("T")
_CONTENTION_RETRY = RetryPolicy(max_attempts=8, initial_delay=0.05, max_delay=2.0)

# Sorts after any character a document id uses, to bound a prefix range.
_HIGH = "\uf8ff"


class FirestoreLicenceStore(LicenceStore):
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def licences_for_domains(self, domain_prefix: str | None) -> dict[LicenceKey, Licence]:
        query: Any = self._db.collection(LICENCES)
        if domain_prefix:
            query = query.where(filter=FieldFilter("customerDomain", ">=", domain_prefix)).where(
                filter=FieldFilter("customerDomain", "<", domain_prefix + _HIGH)
            )
        licences = (codec.licence_from_doc(_data(snap)) for snap in query.stream())
        return {licence.key: licence for licence in licences}

    def save_customer(self, customer: Customer) -> None:
        self._db.collection(CUSTOMERS).document(customer.customer_id).set(
            codec.customer_to_doc(customer)
        )

    def customer(self, customer_id: str) -> Customer | None:
        snap = self._db.collection(CUSTOMERS).document(customer_id).get()
        return codec.customer_from_doc(_data(snap)) if snap.exists else None

    def customers(self) -> list[Customer]:
        found = [codec.customer_from_doc(_data(s)) for s in self._db.collection(CUSTOMERS).stream()]
        return sorted(found, key=lambda c: c.customer_domain)

    def customers_by_id(self, customer_ids: Iterable[str]) -> list[Customer]:
        refs = [self._db.collection(CUSTOMERS).document(i) for i in sorted(set(customer_ids))]
        if not refs:
            return []
        found = [codec.customer_from_doc(_data(s)) for s in self._db.get_all(refs) if s.exists]
        return sorted(found, key=lambda c: c.customer_domain)

    def customer_page(
        self, limit: int, cursor: str | None, domain_prefix: str | None = None
    ) -> CustomerPage:
        limit = max(1, min(limit, MAX_CUSTOMER_PAGE))
        query = self._customers_by_domain(domain_prefix.lower() if domain_prefix else None)
        if cursor:
            domain, customer_id = after_customer(cursor)
            query = query.start_after({"customerDomain": domain, "__name__": customer_id})
        snaps = list(query.limit(limit + 1).stream())
        page = [codec.customer_from_doc(_data(s)) for s in snaps[:limit]]
        return CustomerPage(page, customer_cursor(page[-1]) if len(snaps) > limit else None)

    def _customers_by_domain(self, domain_prefix: str | None) -> Any:
        """Customers by domain, then id; a prefix is a range on the same field: the automatic
        single-field index on customerDomain serves both, no composite index."""
        query: Any = self._db.collection(CUSTOMERS)
        if domain_prefix:
            query = query.where(filter=FieldFilter("customerDomain", ">=", domain_prefix)).where(
                filter=FieldFilter("customerDomain", "<", domain_prefix + _HIGH)
            )
        return query.order_by("customerDomain").order_by(FieldPath.document_id())

    def licences_of(self, customer_id: str) -> list[Licence]:
        query = self._db.collection(LICENCES).where(
            filter=FieldFilter("customerId", "==", customer_id)
        )
        found = [codec.licence_from_doc(_data(s)) for s in query.stream()]
        return sorted(found, key=lambda lic: lic.key.sku_id)

    def _id_range(self, collection: str, prefix: str) -> Any:
        """Documents whose id starts with `prefix`, in id order: no composite index needed."""
        col = self._db.collection(collection)
        return (
            col.where(filter=FieldFilter(FieldPath.document_id(), ">=", col.document(prefix)))
            .where(filter=FieldFilter(FieldPath.document_id(), "<", col.document(prefix + _HIGH)))
            .order_by(FieldPath.document_id())
        )

    def daily_usage(self, key: LicenceKey) -> list[DailyUsage]:
        query = self._id_range(USAGE_DAILY, f"{key.doc_id}_")
        return [codec.daily_from_doc(_data(s)) for s in query.stream()]

    def audit_entries(self, key: LicenceKey) -> list[AuditEntry]:
        query = self._id_range(AUDIT_EVENTS, f"{key.doc_id}_")
        return [codec.audit_from_doc(_data(s)) for s in query.stream()]

    def record_sync_run(self, run: SyncRunRecord) -> None:
        # One small heartbeat document, overwritten each run: an unchanged sync writes only this.
        # Read and written in a transaction: runs of other shards merge into it side by side.
        ref = self._db.collection(SYNC_RUNS).document("latest")

        @firestore.transactional
        def write(transaction: firestore.Transaction) -> None:
            snap = ref.get(transaction=transaction)
            previous = heartbeat_codec.heartbeat_from_doc(_data(snap)) if snap.exists else None
            beat = next_heartbeat(previous, run.interval_seconds, run.shards)
            transaction.set(
                ref, {**codec.sync_run_to_doc(run), **heartbeat_codec.heartbeat_to_doc(beat)}
            )

        in_transaction(self._db, write)

    def sync_heartbeat(self) -> SyncHeartbeat | None:
        snap = self._db.collection(SYNC_RUNS).document("latest").get()
        return heartbeat_codec.heartbeat_from_doc(_data(snap)) if snap.exists else None

    def last_sync_run(self) -> SyncRunRecord | None:
        snap = self._db.collection(SYNC_RUNS).document("latest").get()
        return codec.sync_run_from_doc(_data(snap)) if snap.exists else None


def in_transaction(db: firestore.Client, work: Callable[[firestore.Transaction], T]) -> T:
    """Run a transactional function, retrying contention (ABORTED, e.g. "Transaction lock
    timeout") with jittered backoff beyond the client's own attempts: writers racing on one
    licence are expected, and each attempt re-reads, so a retry is always safe."""
    result: T = call_with_retries(
        lambda: work(db.transaction()),
        _CONTENTION_RETRY,
        _is_contention,
    )
    return result


def _is_contention(error: BaseException) -> bool:
    # The client gives up on ABORTED after its own attempts with a plain ValueError.
    return isinstance(error, (Aborted, DeadlineExceeded)) or (
        isinstance(error, ValueError) and str(error).startswith("Failed to commit transaction")
    )


def _data(snapshot: Any) -> codec.Document:
    data: codec.Document | None = snapshot.to_dict()
    if data is None:
        raise LookupError(f"document {snapshot.reference.path} does not exist")
    return data
