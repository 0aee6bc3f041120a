"""The licence store on Firestore. Layout (see docs/architecture.md): flat top-level collections
`customers`, `licences`, `usage_daily`, `audit_events`, `sync_runs`, keyed by readable ids."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from google.api_core.exceptions import Aborted, Conflict, DeadlineExceeded, FailedPrecondition
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters import heartbeat_codec
from licence_manager.adapters.retry import RetryPolicy, call_with_retries
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.freshness import SyncHeartbeat, next_heartbeat
from licence_manager.domain.model import Customer, Licence, LicenceKey, Usage
from licence_manager.domain.usage_digest import (
    ShardLease,
    UsageDigest,
    document_id,
    keys_by_document,
    may_record,
    new_mark,
    settled_layout,
)
from licence_manager.observability import get_logger
from licence_manager.ports import HeartbeatRead, LicenceStore, ShardBusy, SyncRunRecord
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
SYNC_DIGESTS = "sync_digests"
LISTED_IN = "listedIn"  # on a licence: the digest document that lists it (domain.usage_digest)

T = TypeVar("T")
log = get_logger(__name__)

# Each of these attempts is the client's own 5 (google-cloud-firestore's default) in
# production, a single one on the emulator (see _contention_handling): as many tries in all.
_CONTENTION_RETRY = RetryPolicy(max_attempts=8, initial_delay=0.05, max_delay=2.0)
_CLIENT_ATTEMPTS = 5
_EMULATOR_CONTENTION_RETRY = RetryPolicy(max_attempts=40, initial_delay=0.05, max_delay=2.0)

# Sorts after any character a document id uses, to bound a prefix range.
_HIGH = "\uf8ff"


class FirestoreLicenceStore(LicenceStore):
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def licences_for_domains(self, domain_prefix: str | None) -> dict[LicenceKey, Licence]:
        licences = (
            codec.licence_from_doc(_data(s)) for s in self._by_domain(domain_prefix).stream()
        )
        return {licence.key: licence for licence in licences}

    def _by_domain(self, domain_prefix: str | None) -> Any:
        query: Any = self._db.collection(LICENCES)
        if domain_prefix:
            query = query.where(filter=FieldFilter("customerDomain", ">=", domain_prefix)).where(
                filter=FieldFilter("customerDomain", "<", domain_prefix + _HIGH)
            )
        return query

    def licences_with_listing(
        self, domain_prefix: str | None
    ) -> dict[LicenceKey, tuple[Licence, str]]:
        found = (_data(snap) for snap in self._by_domain(domain_prefix).stream())
        listed = ((codec.licence_from_doc(doc), str(doc.get(LISTED_IN, ""))) for doc in found)
        return {licence.key: (licence, document) for licence, document in listed}

    def licences_by_key(self, keys: Iterable[LicenceKey]) -> dict[LicenceKey, Licence]:
        refs = [self._db.collection(LICENCES).document(k.doc_id) for k in set(keys)]
        found = (codec.licence_from_doc(_data(s)) for s in self._db.get_all(refs) if s.exists)
        return {licence.key: licence for licence in found} if refs else {}

    def usage_digests(self, shards: Iterable[str]) -> dict[str, UsageDigest]:
        wanted = list(dict.fromkeys(shards))
        firsts = {
            s.id: s for s in self._db.get_all([self._digest_ref(document_id(w)) for w in wanted])
        }
        digests: dict[str, UsageDigest] = {}
        more: list[Any] = []
        for shard in wanted:
            first = firsts[document_id(shard)]
            # Only a settle writes `parts`: a document holding marks alone was never settled.
            settled = first.exists and "parts" in _data(first)
            digest = digests[shard] = UsageDigest(shard, exists=settled)
            if settled:
                digest.parts = int(_data(first)["parts"])
                digest.documents[first.id] = _entries(_data(first))
                more += [self._digest_ref(document_id(shard, n)) for n in range(1, digest.parts)]
        if more:
            owner = {document_id(s, n): s for s, d in digests.items() for n in range(d.parts)}
            for snapshot in self._db.get_all(more):
                if snapshot.exists:
                    digests[owner[snapshot.id]].documents[snapshot.id] = _entries(_data(snapshot))
        return digests

    def mark_in_digest(
        self,
        digest: UsageDigest,
        keys: Iterable[LicenceKey],
        now: datetime,
        lease_until: datetime,
    ) -> dict[LicenceKey, str]:
        keys = list(keys)
        first_ref = self._digest_ref(document_id(digest.shard))

        @firestore.transactional
        def mark(transaction: firestore.Transaction) -> dict[LicenceKey, str]:
            first = first_ref.get(transaction=transaction)
            if not may_record(_lease(first), digest.holder, now):
                raise ShardBusy(f"another sync run is recording shard {digest.shard!r}")
            # Split since the run read it? Then the licences' homes follow the split.
            digest.parts = int((first.to_dict() or {}).get("parts", digest.parts))
            by_document = keys_by_document(digest, keys)
            marks: dict[LicenceKey, str] = {}
            lease = {"holder": digest.holder, "until": lease_until}
            writes: dict[str, codec.Document] = {first_ref.id: {"lease": lease}}
            for document, in_document in by_document.items():
                nested: dict[str, dict[str, str]] = {}
                for key in in_document:
                    marks[key] = new_mark()
                    nested.setdefault(key.customer_id, {})[key.sku_id] = marks[key]
                writes.setdefault(document, {})["entries"] = nested
            for document, data in writes.items():  # one write a document, merged into it
                transaction.set(self._digest_ref(document), data, merge=True)
            return marks

        marked: dict[LicenceKey, str] = in_transaction(self._db, mark)
        return marked

    def settle_digest(
        self,
        digest: UsageDigest,
        marks: dict[LicenceKey, str],
        recorded: dict[LicenceKey, Usage | None],
        now: datetime,
    ) -> None:
        first_ref = self._digest_ref(document_id(digest.shard))

        @firestore.transactional
        def settle(transaction: firestore.Transaction) -> None:
            first = first_ref.get(transaction=transaction)
            if not may_record(_lease(first), digest.holder, now):
                raise ShardBusy(f"another sync run took shard {digest.shard!r} over")
            parts = int(_data(first).get("parts", 1)) if first.exists else 1
            rest = [self._digest_ref(document_id(digest.shard, n)) for n in range(1, parts)]
            snapshots = [first, *(self._db.get_all(rest, transaction=transaction) if rest else ())]
            documents = {s.id: _entries(_data(s)) for s in snapshots if s.exists}
            read = UsageDigest(digest.shard, parts, documents, exists=first.exists)
            new_parts, settled = settled_layout(read, marks, recorded)
            for document, entries in settled.items():
                # Every document is rewritten whole: this transaction read them all. The first
                # is always written, which gives the lease back.
                if (
                    document == first_ref.id
                    or new_parts != parts
                    or entries != documents.get(document)
                ):
                    transaction.set(
                        self._digest_ref(document),
                        digest_document(digest.shard, new_parts, entries),
                    )

        in_transaction(self._db, settle)

    def _digest_ref(self, document: str) -> Any:
        return self._db.collection(SYNC_DIGESTS).document(document)

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

    def read_heartbeat(self) -> HeartbeatRead:
        snap = self._db.collection(SYNC_RUNS).document("latest").get()
        if not snap.exists:
            return HeartbeatRead(None, None)
        return HeartbeatRead(heartbeat_codec.heartbeat_from_doc(_data(snap)), snap.update_time)

    def record_sync_run(self, run: SyncRunRecord, read: HeartbeatRead | None = None) -> None:
        # One small heartbeat document, overwritten each run: an unchanged sync writes only this.
        ref = self._db.collection(SYNC_RUNS).document("latest")

        def document(previous: SyncHeartbeat | None) -> codec.Document:
            beat = next_heartbeat(previous, run.interval_seconds, run.shards)
            return {**codec.sync_run_to_doc(run), **heartbeat_codec.heartbeat_to_doc(beat)}

        if read is not None:
            # Written only if nothing wrote it since the run read it (runs of other shards merge
            # into it side by side); otherwise read again in a transaction below.
            try:
                if read.version is None:
                    ref.create(document(read.heartbeat))
                else:
                    option = self._db.write_option(last_update_time=read.version)
                    ref.update(document(read.heartbeat), option=option)
                return
            except (FailedPrecondition, Conflict):
                pass

        @firestore.transactional
        def write(transaction: firestore.Transaction) -> None:
            snap = ref.get(transaction=transaction)
            previous = heartbeat_codec.heartbeat_from_doc(_data(snap)) if snap.exists else None
            transaction.set(ref, document(previous))

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
    client_attempts, policy = _contention_handling()
    result: T = call_with_retries(
        lambda: work(db.transaction(max_attempts=client_attempts)),
        policy,
        _is_contention,
        on_retry=_log_contention,
    )
    return result


def _contention_handling() -> tuple[int, RetryPolicy]:
    """Firestore keeps a retried transaction's place in line (the client retries at once with
    the failed transaction's id), so its own attempts suit production. The emulator does not:
    two transactions that read a document and then write it wait on each other's read locks
    until both time out (2 s), retry at once into the same deadlock, and a licence's sync, event
    re-list and evaluations were seen livelocked for minutes (tests/integration/
    test_contention_on_firestore.py). There every abort backs off (jittered) before the next."""
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        return 1, _EMULATOR_CONTENTION_RETRY
    return _CLIENT_ATTEMPTS, _CONTENTION_RETRY


def _log_contention(attempt: int, error: BaseException, wait: float) -> None:
    """One record per retry (metric firestore_contention_retries): a steady rate says writers
    keep colliding on the same documents, which slows every step that waits on them."""
    log.warning(
        "Firestore transaction retried after contention",
        extra={
            "event": "firestore.contention_retry",
            "attempt": attempt,
            "waitSeconds": round(wait, 3),
            "errorType": type(error).__name__,
        },
    )


def _is_contention(error: BaseException) -> bool:
    # The client gives up on ABORTED after its own attempts with a plain ValueError.
    return isinstance(error, (Aborted, DeadlineExceeded)) or (
        isinstance(error, ValueError) and str(error).startswith("Failed to commit transaction")
    )


def digest_document(shard: str, parts: int, entries: dict[LicenceKey, str]) -> codec.Document:
    nested: dict[str, dict[str, str]] = {}
    for key, entry in entries.items():
        nested.setdefault(key.customer_id, {})[key.sku_id] = entry
    return {
        "shard": shard,
        "parts": parts,
        "entries": nested,
        "updatedAt": firestore.SERVER_TIMESTAMP,
    }


def _lease(snapshot: Any) -> ShardLease | None:
    lease = (snapshot.to_dict() or {}).get("lease") if snapshot.exists else None
    if not lease:
        return None
    return ShardLease(str(lease["holder"]), codec.plain_datetime(lease["until"]))


def _entries(doc: codec.Document) -> dict[LicenceKey, str]:
    nested: dict[str, dict[str, str]] = doc.get("entries") or {}
    return {
        LicenceKey(customer_id, sku_id): entry
        for customer_id, skus in nested.items()
        for sku_id, entry in skus.items()
    }


def write_digest_entry(
    writer: Any, db: firestore.Client, document: str, key: LicenceKey, entry: str | None
) -> None:
    """Set (None: delete) one licence's entry in a digest document, without reading it: a
    writer of the licence does this inside its own transaction (domain.usage_digest)."""
    value: Any = entry if entry is not None else firestore.DELETE_FIELD
    ref = db.collection(SYNC_DIGESTS).document(document)
    writer.set(ref, {"entries": {key.customer_id: {key.sku_id: value}}}, merge=True)


def _data(snapshot: Any) -> codec.Document:
    data: codec.Document | None = snapshot.to_dict()
    if data is None:
        raise LookupError(f"document {snapshot.reference.path} does not exist")
    return data
