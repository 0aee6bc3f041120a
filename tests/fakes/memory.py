"""In-memory fakes of the ports, for fast tests. The contract tests hold them to the real ones."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime

from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.freshness import SyncHeartbeat, next_heartbeat
from licence_manager.domain.model import (
    AuditHead,
    Customer,
    Licence,
    LicenceKey,
    Subscription,
    Usage,
)
from licence_manager.domain.usage_digest import (
    ShardLease,
    UsageDigest,
    document_id,
    keys_by_document,
    may_record,
    new_mark,
    settled_layout,
)
from licence_manager.ports import (
    AccessDenied,
    CustomerProfile,
    HeartbeatRead,
    LicenceStore,
    ShardBusy,
    SourceError,
    SubscriptionListing,
    SubscriptionSource,
    SyncRunRecord,
)
from licence_manager.ports.usage import CustomerPage, page_of_customers


class InMemoryLicenceStore(LicenceStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.licences: dict[LicenceKey, Licence] = {}
        self.days: dict[tuple[LicenceKey, str], DailyUsage] = {}
        self.audit: dict[LicenceKey, list[AuditEntry]] = {}
        self.heads: dict[LicenceKey, AuditHead] = {}
        self.automation: dict[LicenceKey, AutomationState] = {}
        self.customer_records: dict[str, Customer] = {}
        self.sync_runs: list[SyncRunRecord] = []
        self.heartbeat: SyncHeartbeat | None = None
        self.writes = 0  # documents written, counted like Firestore bills them
        # Keys of licence and settings documents written, in order: what Eventarc would deliver.
        self.watched_writes: list[LicenceKey] = []
        # The usage digest (domain.usage_digest): documents by id, each with its entries and
        # the shard's part count; and each licence's `listedIn`, as Firestore keeps them.
        self.digests: dict[str, dict[LicenceKey, str]] = {}
        self.digest_parts: dict[str, int] = {}
        self.listed_in: dict[LicenceKey, str] = {}
        self.digest_reads = 0  # documents of the digest read, as Firestore bills them
        self.digest_leases: dict[str, ShardLease] = {}

    def licences_with_listing(
        self, domain_prefix: str | None
    ) -> dict[LicenceKey, tuple[Licence, str]]:
        found = self.licences_for_domains(domain_prefix)
        with self._lock:
            return {key: (lic, self.listed_in.get(key, "")) for key, lic in found.items()}

    def licences_by_key(self, keys: Iterable[LicenceKey]) -> dict[LicenceKey, Licence]:
        with self._lock:
            return {key: self.licences[key] for key in set(keys) if key in self.licences}

    def usage_digests(self, shards: Iterable[str]) -> dict[str, UsageDigest]:
        digests: dict[str, UsageDigest] = {}
        with self._lock:
            for shard in dict.fromkeys(shards):
                self.digest_reads += 1
                if shard not in self.digest_parts:  # only marks, or nothing: never settled
                    digests[shard] = UsageDigest(shard)
                    continue
                parts = self.digest_parts[shard]
                self.digest_reads += parts - 1
                ids = [document_id(shard, n) for n in range(parts)]
                documents = {d: dict(self.digests[d]) for d in ids if d in self.digests}
                digests[shard] = UsageDigest(shard, parts, documents, exists=True)
        return digests

    def mark_in_digest(
        self,
        digest: UsageDigest,
        keys: Iterable[LicenceKey],
        now: datetime,
        lease_until: datetime,
    ) -> dict[LicenceKey, str]:
        marks: dict[LicenceKey, str] = {}
        with self._lock:
            if not may_record(self.digest_leases.get(digest.shard), digest.holder, now):
                raise ShardBusy(f"another sync run is recording shard {digest.shard!r}")
            self.digest_leases[digest.shard] = ShardLease(digest.holder, lease_until)
            # Split since the run read it? Then the licences' homes follow the split.
            digest.parts = self.digest_parts.get(digest.shard, digest.parts)
            documents = keys_by_document(digest, keys)
            for document, in_document in documents.items():
                entries = self.digests.setdefault(document, {})
                for key in in_document:
                    entries[key] = marks[key] = new_mark()
            self.writes += len(documents | {document_id(digest.shard): []})
        return marks

    def settle_digest(
        self,
        digest: UsageDigest,
        marks: dict[LicenceKey, str],
        recorded: dict[LicenceKey, Usage | None],
        now: datetime,
    ) -> None:
        with self._lock:
            if not may_record(self.digest_leases.get(digest.shard), digest.holder, now):
                raise ShardBusy(f"another sync run took shard {digest.shard!r} over")
            parts = self.digest_parts.get(digest.shard, 1)
            ids = [document_id(digest.shard, n) for n in range(parts)]
            documents = {d: dict(self.digests[d]) for d in ids if d in self.digests}
            read = UsageDigest(digest.shard, parts, documents, exists=True)
            new_parts, settled = settled_layout(read, marks, recorded)
            first = document_id(digest.shard)
            for document, entries in settled.items():
                if document == first or new_parts != parts or entries != documents.get(document):
                    self.digests[document] = entries
                    self.writes += 1
            self.digest_parts[digest.shard] = new_parts
            self.digest_leases.pop(digest.shard, None)

    def licences_for_domains(self, domain_prefix: str | None) -> dict[LicenceKey, Licence]:
        with self._lock:
            return {
                key: licence
                for key, licence in self.licences.items()
                if domain_prefix is None or licence.customer_domain.startswith(domain_prefix)
            }

    def save_customer(self, customer: Customer) -> None:
        with self._lock:
            self.customer_records[customer.customer_id] = customer
            self.writes += 1

    def customer(self, customer_id: str) -> Customer | None:
        with self._lock:
            return self.customer_records.get(customer_id)

    def customers(self) -> list[Customer]:
        with self._lock:
            return sorted(self.customer_records.values(), key=lambda c: c.customer_domain)

    def customers_by_id(self, customer_ids: Iterable[str]) -> list[Customer]:
        with self._lock:
            found = [
                self.customer_records[i] for i in set(customer_ids) if i in self.customer_records
            ]
        return sorted(found, key=lambda c: c.customer_domain)

    def customer_page(
        self, limit: int, cursor: str | None, domain_prefix: str | None = None
    ) -> CustomerPage:
        with self._lock:
            every = list(self.customer_records.values())
        return page_of_customers(every, limit, cursor, domain_prefix)

    def licences_of(self, customer_id: str) -> list[Licence]:
        with self._lock:
            found = [lic for key, lic in self.licences.items() if key.customer_id == customer_id]
        return sorted(found, key=lambda lic: lic.key.sku_id)

    def daily_usage(self, key: LicenceKey) -> list[DailyUsage]:
        with self._lock:
            found = [day for (day_key, _), day in self.days.items() if day_key == key]
        return sorted(found, key=lambda d: d.day)

    def audit_entries(self, key: LicenceKey) -> list[AuditEntry]:
        with self._lock:
            return sorted(self.audit.get(key, []), key=lambda e: e.seq)

    def read_heartbeat(self) -> HeartbeatRead:
        with self._lock:
            return HeartbeatRead(self.heartbeat, len(self.sync_runs))

    def record_sync_run(self, run: SyncRunRecord, read: HeartbeatRead | None = None) -> None:
        with self._lock:
            # As on Firestore: merged into what the run read, unless written since.
            fresh = read is not None and read.version == len(self.sync_runs)
            previous = read.heartbeat if fresh and read else self.heartbeat
            self.sync_runs.append(run)
            self.heartbeat = next_heartbeat(previous, run.interval_seconds, run.shards)
            self.writes += 1

    def sync_heartbeat(self) -> SyncHeartbeat | None:
        with self._lock:
            return self.heartbeat

    def last_sync_run(self) -> SyncRunRecord | None:
        with self._lock:
            return self.sync_runs[-1] if self.sync_runs else None


class FakeSubscriptionSource(SubscriptionSource):
    """Subscriptions held in memory, paged like the Reseller API so that call counts compare."""

    def __init__(self, subscriptions: list[Subscription] | None = None, page_size: int = 100):
        self.subscriptions = list(subscriptions or [])
        self.offline: list[Subscription] = []
        self.forbidden: set[str] = set()
        self.names: dict[str, str] = {}
        self.fail_listing_after_pages: int | None = None
        self.page_size = page_size
        self.calls = 0

    def _pages(self, items: int) -> int:
        return max(1, -(-items // self.page_size))

    def list_subscriptions(self, customer_name_prefix: str | None) -> SubscriptionListing:
        def matches(s: Subscription) -> bool:
            return s.customer_id not in self.forbidden and (
                customer_name_prefix is None or s.customer_domain.startswith(customer_name_prefix)
            )

        online = [s for s in self.subscriptions if matches(s)]
        offline = [s for s in self.offline if matches(s)]
        pages = self._pages(len(online) + len(offline))
        if self.fail_listing_after_pages is not None and self.fail_listing_after_pages < pages:
            kept = online[: self.fail_listing_after_pages * self.page_size]
            self.calls += self.fail_listing_after_pages + 1
            return SubscriptionListing(
                kept, 0, self.fail_listing_after_pages + 1, False, "HTTP 503"
            )
        self.calls += pages
        listing = SubscriptionListing(online, 0, pages)
        for held in offline:
            listing.skip_offline(held.customer_id, held.sku_id)
        return listing

    def list_customer_subscriptions(self, customer_id: str) -> list[Subscription]:
        self.calls += 1
        if customer_id in self.forbidden:
            raise AccessDenied(f"customer {customer_id} is not accessible", status=403)
        return [s for s in self.subscriptions if s.customer_id == customer_id]

    def get_customer(self, customer_id: str) -> CustomerProfile:
        self.calls += 1
        if customer_id in self.forbidden:
            raise AccessDenied(f"customer {customer_id} is not accessible", status=403)
        domains = {s.customer_id: s.customer_domain for s in self.subscriptions}
        if customer_id not in domains:
            raise SourceError(f"customer {customer_id} not found", status=404, reason="notFound")
        domain = domains[customer_id]
        return CustomerProfile(customer_id, domain, self.names.get(customer_id, domain))
