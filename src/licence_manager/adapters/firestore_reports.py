"""Report reads on Firestore: rollups and month summaries by document-id range (built-in
indexes), audit entries by licence or customer and time (composite indexes, infra/terraform)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.adapters import automation_codec, report_codec
from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.firestore_store import _data, in_transaction
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.month_end import MonthEndSummary
from licence_manager.domain.notifications import Notification
from licence_manager.domain.reports import Figures
from licence_manager.ports.reports import ReportStore

# Named here as literals (as in firestore_store) so infra's index check can read the queries.
AUDIT_EVENTS = "audit_events"
USAGE_DAILY = "usage_daily"
USAGE_MONTHLY = "usage_monthly"
MONTHLY_ADDITIONS = "monthly_additions"
NOTIFICATIONS = "notifications"
CUSTOMERS = "customers"


class FirestoreReports(ReportStore):
    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def _ids_between(self, collection: str, first_id: str, last_id: str) -> Any:
        col = self._db.collection(collection)
        return (
            col.where(filter=FieldFilter(FieldPath.document_id(), ">=", col.document(first_id)))
            .where(filter=FieldFilter(FieldPath.document_id(), "<=", col.document(last_id)))
            .order_by(FieldPath.document_id())
        )

    def rollups_between(
        self, key: LicenceKey, first: date, last: date
    ) -> tuple[list[DailyUsage], int]:
        query = self._ids_between(USAGE_DAILY, f"{key.doc_id}_{first}", f"{key.doc_id}_{last}")
        found = [codec.daily_from_doc(_data(s)) for s in query.stream()]
        return found, len(found)

    def rollup_before(self, key: LicenceKey, day: date) -> tuple[DailyUsage | None, int]:
        # The latest day before: ordered by the date field, because Firestore cannot scan
        # document ids backwards (composite index licenceId + date descending, infra).
        query = (
            self._db.collection(USAGE_DAILY)
            .where(filter=FieldFilter("licenceId", "==", key.doc_id))
            .where(filter=FieldFilter("date", "<", day.isoformat()))
            .order_by("date", direction=firestore.Query.DESCENDING)
            .limit(1)
        )
        found = [codec.daily_from_doc(_data(s)) for s in query.stream()]
        return (found[0] if found else None), max(len(found), 1)  # an empty query bills one read

    def month_figures(
        self, key: LicenceKey, first_month: str, last_month: str
    ) -> tuple[dict[str, Figures], int]:
        query = self._ids_between(
            USAGE_MONTHLY, f"{key.doc_id}_{first_month}", f"{key.doc_id}_{last_month}"
        )
        docs = [_data(s) for s in query.stream()]
        return {d["month"]: report_codec.month_figures_from_doc(d) for d in docs}, max(len(docs), 1)

    def save_month_figures(self, key: LicenceKey, month: str, figures: Figures) -> None:
        self._db.collection(USAGE_MONTHLY).document(f"{key.doc_id}_{month}").set(
            report_codec.month_figures_to_doc(key, month, figures)
        )

    def audit_between(
        self, key: LicenceKey, start: datetime, end: datetime
    ) -> tuple[list[AuditEntry], int]:
        query = (
            self._db.collection(AUDIT_EVENTS)
            .where(filter=FieldFilter("licenceId", "==", key.doc_id))
            .where(filter=FieldFilter("at", ">=", start))
            .where(filter=FieldFilter("at", "<", end))
            .order_by("at")
        )
        found = [codec.audit_from_doc(_data(s)) for s in query.stream()]
        return found, max(len(found), 1)

    def customer_audit_between(
        self, customer_id: str, start: datetime, end: datetime
    ) -> list[AuditEntry]:
        query = (
            self._db.collection(AUDIT_EVENTS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .where(filter=FieldFilter("at", ">=", start))
            .where(filter=FieldFilter("at", "<", end))
            .order_by("at")
        )
        return [codec.audit_from_doc(_data(s)) for s in query.stream()]

    def record_month_end(self, summary: MonthEndSummary, notification: Notification | None) -> bool:
        summary_ref = self._db.collection(MONTHLY_ADDITIONS).document(summary.doc_id)

        @firestore.transactional
        def run(transaction: firestore.Transaction) -> bool:
            if summary_ref.get(transaction=transaction).exists:
                return False
            transaction.create(summary_ref, report_codec.month_end_to_doc(summary))
            if notification is not None:
                transaction.create(
                    self._db.collection(NOTIFICATIONS).document(notification.notification_id),
                    automation_codec.notification_to_doc(notification),
                )
            return True

        created: bool = in_transaction(self._db, run)
        return created

    def month_end(self, customer_id: str, month: str) -> MonthEndSummary | None:
        snap = self._db.collection(MONTHLY_ADDITIONS).document(f"{customer_id}_{month}").get()
        return report_codec.month_end_from_doc(_data(snap)) if snap.exists else None

    def customer_ids_after(self, after: str | None, limit: int) -> list[str]:
        # Document-id order (the built-in index) with a projection of the id alone: one read
        # per customer, and no customer's fields cross the wire.
        col = self._db.collection(CUSTOMERS)
        query = col.select([FieldPath.document_id()]).order_by(FieldPath.document_id())
        if after is not None:
            query = query.start_after({FieldPath.document_id(): col.document(after)})
        return [snap.id for snap in query.limit(limit).stream()]
