"""The report store in memory, over the documents of an InMemoryStore."""

from __future__ import annotations

from datetime import date, datetime

from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.month_end import MonthEndSummary
from licence_manager.domain.notifications import Notification
from licence_manager.domain.reports import Figures
from licence_manager.ports.reports import ReportStore
from tests.fakes.memory_automation import InMemoryStore


class InMemoryReports(ReportStore):
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.months: dict[tuple[LicenceKey, str], Figures] = {}
        self.month_ends: dict[str, MonthEndSummary] = {}

    def _days(self, key: LicenceKey) -> list[DailyUsage]:
        return self.store.daily_usage(key)

    def rollups_between(
        self, key: LicenceKey, first: date, last: date
    ) -> tuple[list[DailyUsage], int]:
        found = [d for d in self._days(key) if first <= d.day <= last]
        return found, len(found)

    def rollup_before(self, key: LicenceKey, day: date) -> tuple[DailyUsage | None, int]:
        earlier = [d for d in self._days(key) if d.day < day]
        return (earlier[-1] if earlier else None), 1

    def month_figures(
        self, key: LicenceKey, first_month: str, last_month: str
    ) -> tuple[dict[str, Figures], int]:
        found = {
            m: f for (k, m), f in self.months.items() if k == key and first_month <= m <= last_month
        }
        return found, max(len(found), 1)

    def save_month_figures(self, key: LicenceKey, month: str, figures: Figures) -> None:
        self.months[(key, month)] = figures

    def audit_between(
        self, key: LicenceKey, start: datetime, end: datetime
    ) -> tuple[list[AuditEntry], int]:
        found = [e for e in self.store.audit_entries(key) if start <= e.at < end]
        return found, max(len(found), 1)

    def customer_audit_between(
        self, customer_id: str, start: datetime, end: datetime
    ) -> list[AuditEntry]:
        keys = [key for key in self.store.audit if key.customer_id == customer_id]
        found = [e for key in keys for e in self.store.audit_entries(key) if start <= e.at < end]
        return sorted(found, key=lambda e: (e.at, e.key.sku_id, e.seq))

    def record_month_end(self, summary: MonthEndSummary, notification: Notification | None) -> bool:
        if summary.doc_id in self.month_ends:
            return False
        self.month_ends[summary.doc_id] = summary
        if notification is not None:
            self.store.notification_records.setdefault(notification.notification_id, notification)
        return True

    def month_end(self, customer_id: str, month: str) -> MonthEndSummary | None:
        return self.month_ends.get(f"{customer_id}_{month}")

    def customer_ids_after(self, after: str | None, limit: int) -> list[str]:
        ids = sorted(self.store.customer_records)
        return [i for i in ids if after is None or i > after][:limit]
