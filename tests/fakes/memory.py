"""In-memory fakes of the ports, for fast tests. The contract tests hold them to the real ones."""

from __future__ import annotations

import threading
from collections.abc import Iterable

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
)
from licence_manager.ports import (
    AccessDenied,
    CustomerProfile,
    LicenceStore,
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

    def record_sync_run(self, run: SyncRunRecord) -> None:
        with self._lock:
            self.sync_runs.append(run)
            self.heartbeat = next_heartbeat(self.heartbeat, run.interval_seconds, run.shards)
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
