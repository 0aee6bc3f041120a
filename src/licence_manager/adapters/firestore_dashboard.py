"""The dashboard's store on Firestore: users, the audit log a page at a time, and people's changes
written with their audit entries in one transaction (see ports.dashboard)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from licence_manager.adapters import automation_codec as ac
from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.firestore_automation import FirestoreStore, Transaction
from licence_manager.adapters.firestore_prices import FirestorePriceList
from licence_manager.adapters.firestore_store import _data, in_transaction
from licence_manager.domain import changes
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import Recipient
from licence_manager.domain.users import Role, User
from licence_manager.ports.dashboard import MAX_PAGE, ApiStore, AuditPage, BadCursor

# Collection names again, as literals: tests/infra reads each query's collection from its module.
USERS = "users"
AUDIT_EVENTS = "audit_events"
AUDIT_HEADS = "audit_heads"
SETTINGS = "licence_settings"
AUTOMATION = "licence_automation"
REQUESTS = "topup_requests"
RECIPIENTS = "recipients"


def user_to_doc(user: User) -> dict[str, Any]:
    return {
        "email": user.email.lower(),
        "name": user.name,
        "role": user.role.value,
        "customerIds": sorted(user.customer_ids),
        "disabled": user.disabled,
    }


def user_from_doc(doc: dict[str, Any]) -> User:
    return User(
        email=doc["email"],
        name=doc.get("name", ""),
        role=Role(doc["role"]),
        customer_ids=frozenset(doc.get("customerIds", [])),
        disabled=bool(doc.get("disabled", False)),
    )


class FirestoreApiStore(FirestoreStore, FirestorePriceList, ApiStore):
    # users
    def user(self, email: str) -> User | None:
        doc = self._get(USERS, email.strip().lower())
        return user_from_doc(doc) if doc else None

    def save_user(self, user: User) -> None:
        self._doc(USERS, user.doc_id).set(user_to_doc(user))

    def remove_user(self, email: str) -> None:
        self._doc(USERS, email.strip().lower()).delete()

    def users(self) -> list[User]:
        found = [user_from_doc(_data(s)) for s in self._db.collection(USERS).stream()]
        return sorted(found, key=lambda u: u.email)

    # the audit log
    def audit_page(
        self, customer_id: str, sku_id: str | None, limit: int, cursor: str | None
    ) -> AuditPage:
        limit = max(1, min(limit, MAX_PAGE))
        if sku_id is not None:
            return self._chain_page(LicenceKey(customer_id, sku_id), limit, cursor)
        query = self._customer_log(customer_id)
        if cursor:
            after = self._db.collection(AUDIT_EVENTS).document(cursor).get()
            doc = after.to_dict() if after.exists else None
            if doc is None or doc.get("customerId") != customer_id:
                raise BadCursor("this cursor does not continue this log")
            query = query.start_after(after)
        snaps = list(query.limit(limit + 1).stream())
        entries = [codec.audit_from_doc(_data(s)) for s in snaps[:limit]]
        more = len(snaps) > limit
        return AuditPage(entries, entries[-1].doc_id if more and entries else None)

    def _customer_log(self, customer_id: str) -> Any:
        """Every chain of one customer, newest first: composite index (customerId, at desc)."""
        return (
            self._db.collection(AUDIT_EVENTS)
            .where(filter=FieldFilter("customerId", "==", customer_id))
            .order_by("at", direction=firestore.Query.DESCENDING)
            .order_by(FieldPath.document_id(), direction=firestore.Query.DESCENDING)
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

    def _append(self, transaction: Transaction, key: LicenceKey, build: Any) -> None:
        entry: AuditEntry = build(self._head(key, transaction))
        self._write_audit(transaction, (entry,), entry.head)

    # changes made by people
    def change_recipient(
        self,
        customer_id: str,
        email: str,
        after: Recipient | None,
        actor: str,
        at: datetime,
        *,
        must_exist: bool,
    ) -> bool:
        doc_id = Recipient(customer_id, email).doc_id
        key = changes.customer_key(customer_id)

        @firestore.transactional
        def run(transaction: Transaction) -> bool:
            doc = self._get(RECIPIENTS, doc_id, transaction)
            before = ac.recipient_from_doc(doc) if doc else None
            if (before is not None) != must_exist:
                return False
            head = self._head(key, transaction)
            if after is None:
                transaction.delete(self._doc(RECIPIENTS, doc_id))
            else:
                transaction.set(self._doc(RECIPIENTS, doc_id), ac.recipient_to_doc(after))
            entry = changes.recipient_changed(head, customer_id, at, actor, before, after)
            self._write_audit(transaction, (entry,), entry.head)
            return True

        done: bool = in_transaction(self._db, run)
        return done
