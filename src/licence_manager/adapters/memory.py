"""In-memory fakes of the ports, for fast tests. The contract tests hold them to the real ones."""

from __future__ import annotations

import threading
from datetime import datetime

from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.daily import DailyUsage, local_day
from licence_manager.domain.model import Customer, Licence, LicenceKey
from licence_manager.domain.observation import RecordedChange
from licence_manager.ports import ChangeDecision, LicenceStore, SyncRunRecord


class InMemoryLicenceStore(LicenceStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.licences: dict[LicenceKey, Licence] = {}
        self.days: dict[tuple[LicenceKey, str], DailyUsage] = {}
        self.audit: dict[LicenceKey, list[AuditEntry]] = {}
        self.customer_records: dict[str, Customer] = {}
        self.sync_runs: list[SyncRunRecord] = []
        self.writes = 0  # documents written, counted like Firestore bills them

    def licences_for_domains(self, domain_prefix: str | None) -> dict[LicenceKey, Licence]:
        with self._lock:
            return {
                key: licence
                for key, licence in self.licences.items()
                if domain_prefix is None or licence.customer_domain.startswith(domain_prefix)
            }

    def record(
        self, key: LicenceKey, at: datetime, default_time_zone: str, decide: ChangeDecision
    ) -> RecordedChange | None:
        with self._lock:
            stored = self.licences.get(key)
            time_zone = stored.time_zone if stored else default_time_zone
            day_key = (key, local_day(at, time_zone).isoformat())
            change = decide(stored, self.days.get(day_key))
            if change is None:
                return None
            self.licences[key] = change.licence
            self.writes += 1
            if change.daily is not None:
                self.days[(key, change.daily.day.isoformat())] = change.daily
                self.writes += 1
            for entry in change.audit:
                self.audit.setdefault(key, []).append(entry)
                self.writes += 1
            return change

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
            self.writes += 1
