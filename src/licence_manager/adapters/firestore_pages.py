"""The dashboard's paged listings on Firestore: the audit log (all of a customer's chains, one
chain, either narrowed to one action) and the notifications sent (all, or the problems only).
Each page is one query of `limit + 1` documents, continued after the previous page's last
document, never a whole collection streamed and sliced. Each query shape has its own function,
so tests/infra/test_firestore_indexes.py can match it to its composite index in firestore.tf."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.adapters import automation_codec as ac
from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.adapters.firestore_store import _data
from licence_manager.domain.audit import AuditAction
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import PROBLEMS
from licence_manager.ports.dashboard import MAX_PAGE, AuditPage, BadCursor, NotificationPage

# Collection names again, as literals: tests/infra reads each query's collection from its module.
AUDIT_EVENTS = "audit_events"
AUDIT_HEADS = "audit_heads"
NOTIFICATIONS = "notifications"
_PROBLEMS = sorted(s.value for s in PROBLEMS)
_DESC = firestore.Query.DESCENDING


class FirestorePages(FirestoreStore):
    # the audit log
    def audit_page(
        self,
        customer_id: str,
        sku_id: str | None,
        limit: int,
        cursor: str | None,
        action: AuditAction | None = None,
    ) -> AuditPage:
        limit = max(1, min(limit, MAX_PAGE))
        if sku_id is not None and action is None:
            return self._chain_page(LicenceKey(customer_id, sku_id), limit, cursor)
        if sku_id is not None and action is not None:
            key = LicenceKey(customer_id, sku_id)
            query = self._chain_log_of(key.doc_id, action.value)
            belongs = ("licenceId", key.doc_id)
        elif action is not None:
            query = self._customer_log_of(customer_id, action.value)
            belongs = ("customerId", customer_id)
        else:
            query = self._customer_log(customer_id)
            belongs = ("customerId", customer_id)
        snaps = self._page(query, AUDIT_EVENTS, belongs, limit, cursor)
        entries = [codec.audit_from_doc(_data(s)) for s in snaps[:limit]]
        more = len(snaps) > limit
        return AuditPage(entries, entries[-1].doc_id if more and entries else None)

    def _page(
        self, query: Any, collection: str, belongs: tuple[str, str], limit: int, cursor: str | None
    ) -> list[Any]:
        """Up to `limit + 1` documents after the cursor document, which must be one of the
        listing's own (`belongs`: a field and its value)."""
        after = self._cursor(collection, belongs, cursor)
        if after is not None:
            query = query.start_after(after)
        return list(query.limit(limit + 1).stream())

    def _cursor(self, collection: str, belongs: tuple[str, str], cursor: str | None) -> Any:
        """The cursor's document (None for the first page), checked to be the listing's own."""
        if not cursor:
            return None
        after = self._db.collection(collection).document(cursor).get()
        doc = after.to_dict() if after.exists else None
        field, value = belongs
        if doc is None or doc.get(field) != value:
            raise BadCursor("this cursor does not continue this listing")
        return after

    def _customer_log(self, customer_id: str) -> Any:
        """Every chain of one customer, newest first: composite index (customerId, at desc)."""
        return (
            self._db.collection(AUDIT_EVENTS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .order_by("at", direction=_DESC)
            .order_by(FieldPath.document_id(), direction=_DESC)
        )

    def _customer_log_of(self, customer_id: str, action: str) -> Any:
        """One action across a customer's chains: index (customerId, action, at desc)."""
        return (
            self._db.collection(AUDIT_EVENTS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .where(filter=FieldFilter("action", "==", action))
            .order_by("at", direction=_DESC)
            .order_by(FieldPath.document_id(), direction=_DESC)
        )

    def _chain_log_of(self, licence_id: str, action: str) -> Any:
        """One action in one chain: index (licenceId, action, at desc)."""
        return (
            self._db.collection(AUDIT_EVENTS)
            .where(filter=FieldFilter("licenceId", "==", licence_id))
            .where(filter=FieldFilter("action", "==", action))
            .order_by("at", direction=_DESC)
            .order_by(FieldPath.document_id(), direction=_DESC)
        )

    def _chain_page(self, key: LicenceKey, limit: int, cursor: str | None) -> AuditPage:
        """One chain, newest first. Sequence numbers are dense (1..head), so a page is the id
        range of `limit` sequence numbers below the cursor, read in id order (the built-in
        index; Firestore cannot scan ids backwards) and reversed: two reads, no index."""
        prefix = f"{key.doc_id}_"
        head = self._get(AUDIT_HEADS, key.doc_id)
        last = int(head["seq"]) if head else 0
        if cursor:
            seq = cursor.removeprefix(prefix)
            if not cursor.startswith(prefix) or not seq.isdigit() or not 1 <= int(seq) <= last:
                raise BadCursor("this cursor does not continue this log")
            last = int(seq) - 1
        first = max(1, last - limit + 1)
        if last < 1:
            return AuditPage([], None)
        entries = [
            codec.audit_from_doc(_data(s))
            for s in self._chain_range(f"{prefix}{first:010d}", f"{prefix}{last:010d}").stream()
        ]
        entries.reverse()
        return AuditPage(entries, entries[-1].doc_id if first > 1 and entries else None)

    def _chain_range(self, low: str, high: str) -> Any:
        col = self._db.collection(AUDIT_EVENTS)
        return (
            col.where(filter=FieldFilter(FieldPath.document_id(), ">=", col.document(low)))
            .where(filter=FieldFilter(FieldPath.document_id(), "<=", col.document(high)))
            .order_by(FieldPath.document_id())
        )

    # notifications
    def notification_page(
        self, customer_id: str, limit: int, cursor: str | None, *, problems_only: bool = False
    ) -> NotificationPage:
        limit = max(1, min(limit, MAX_PAGE))
        belongs = ("customerId", customer_id)
        if problems_only:
            snaps = self._problems_page(customer_id, belongs, limit, cursor)
        else:
            query = self._customer_notifications(customer_id)
            snaps = self._page(query, NOTIFICATIONS, belongs, limit, cursor)
        found = [ac.notification_from_doc(_data(s)) for s in snaps[:limit]]
        more = len(snaps) > limit
        return NotificationPage(found, found[-1].notification_id if more and found else None)

    def _problems_page(
        self, customer_id: str, belongs: tuple[str, str], limit: int, cursor: str | None
    ) -> list[Any]:
        """The email's problems and the channel messages' (a delivered email whose Chat post
        is UNCONFIRMED), each one indexed query of `limit + 1` in the same order, merged: one
        OR query would need an index per disjunct all the same."""
        after = self._cursor(NOTIFICATIONS, belongs, cursor)  # read once for both
        found: list[Any] = []
        for query in (
            self._customer_problems(customer_id),
            self._customer_channel_problems(customer_id),
        ):
            if after is not None:
                query = query.start_after(after)
            found += query.limit(limit + 1).stream()
        merged = {s.id: s for s in found}
        newest_first = sorted(
            merged.values(), key=lambda s: (_data(s)["createdAt"], s.id), reverse=True
        )
        return newest_first[: limit + 1]

    def _customer_notifications(self, customer_id: str) -> Any:
        """Newest first: composite index (customerId, createdAt desc)."""
        return (
            self._db.collection(NOTIFICATIONS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .order_by("createdAt", direction=_DESC)
            .order_by(FieldPath.document_id(), direction=_DESC)
        )

    def _customer_problems(self, customer_id: str) -> Any:
        """Not delivered, unconfirmed or sent to nobody, newest first: composite index
        (customerId, status, createdAt desc)."""
        return (
            self._db.collection(NOTIFICATIONS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .where(filter=FieldFilter("status", "in", _PROBLEMS))
            .order_by("createdAt", direction=_DESC)
            .order_by(FieldPath.document_id(), direction=_DESC)
        )

    def _customer_channel_problems(self, customer_id: str) -> Any:
        """Those whose channel message failed or is unconfirmed, newest first: composite index
        (customerId, channelProblem, createdAt desc)."""
        return (
            self._db.collection(NOTIFICATIONS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .where(filter=FieldFilter("channelProblem", "==", True))
            .order_by("createdAt", direction=_DESC)
            .order_by(FieldPath.document_id(), direction=_DESC)
        )
