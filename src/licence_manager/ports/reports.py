"""Ports for reports: ranges of rollups and audit entries, month summaries, month-end records."""

from __future__ import annotations

import abc
from datetime import date, datetime

from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.month_end import MonthEndSummary
from licence_manager.domain.notifications import Notification
from licence_manager.domain.reports import Figures


class ReportStore(abc.ABC):
    """Reads that scale with the periods asked for, never with the number of syncs. Each
    method returns documents read as its second value, so the cost of a report is visible."""

    @abc.abstractmethod
    def rollups_between(
        self, key: LicenceKey, first: date, last: date
    ) -> tuple[list[DailyUsage], int]: ...

    @abc.abstractmethod
    def rollup_before(self, key: LicenceKey, day: date) -> tuple[DailyUsage | None, int]:
        """The latest rollup before `day`: the values a range starts from."""

    @abc.abstractmethod
    def month_figures(
        self, key: LicenceKey, first_month: str, last_month: str
    ) -> tuple[dict[str, Figures], int]:
        """Summaries of closed months, YYYY-MM → figures (written by the month-end job)."""

    @abc.abstractmethod
    def save_month_figures(self, key: LicenceKey, month: str, figures: Figures) -> None: ...

    @abc.abstractmethod
    def audit_between(
        self, key: LicenceKey, start: datetime, end: datetime
    ) -> tuple[list[AuditEntry], int]:
        """A licence's audit entries with start <= at < end, oldest first."""

    @abc.abstractmethod
    def customer_audit_between(
        self, customer_id: str, start: datetime, end: datetime
    ) -> list[AuditEntry]:
        """Every audit entry of a customer's licences with start <= at < end, oldest first."""

    @abc.abstractmethod
    def record_month_end(self, summary: MonthEndSummary, notification: Notification | None) -> bool:
        """Write the customer's month-end summary and its email notification, once: True if
        this call created them, False if they already existed (a rerun)."""

    @abc.abstractmethod
    def month_end(self, customer_id: str, month: str) -> MonthEndSummary | None: ...

    @abc.abstractmethod
    def customer_ids_after(self, after: str | None, limit: int) -> list[str]:
        """A page of the book for the month-end planner: at most `limit` customer ids, in id
        order, after `after` (from the first when None). Ids only, never whole documents."""
