"""In-memory fake of the dashboard's store, held to the Firestore one by tests/contract."""

from __future__ import annotations

from datetime import datetime

from licence_manager.domain import changes
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.model import GENESIS, LicenceKey
from licence_manager.domain.notifications import Recipient
from licence_manager.domain.users import User
from licence_manager.ports.dashboard import MAX_PAGE, ApiStore, AuditPage, BadCursor
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.memory_prices import InMemoryPriceList


class InMemoryApiStore(InMemoryStore, InMemoryPriceList, ApiStore):
    def __init__(self) -> None:
        super().__init__()
        InMemoryPriceList.__init__(self)
        self.user_records: dict[str, User] = {}

    # users
    def user(self, email: str) -> User | None:
        with self._lock:
            return self.user_records.get(email.strip().lower())

    def save_user(self, user: User) -> None:
        with self._lock:
            self.user_records[user.doc_id] = user

    def remove_user(self, email: str) -> None:
        with self._lock:
            self.user_records.pop(email.strip().lower(), None)

    def users(self) -> list[User]:
        with self._lock:
            return sorted(self.user_records.values(), key=lambda u: u.email)

    # the audit log
    def audit_page(
        self, customer_id: str, sku_id: str | None, limit: int, cursor: str | None
    ) -> AuditPage:
        limit = max(1, min(limit, MAX_PAGE))
        with self._lock:
            entries = [
                e
                for key, chain in self.audit.items()
                if key.customer_id == customer_id and sku_id in (None, key.sku_id)
                for e in chain
            ]
        if sku_id is None:  # newest first, ties by document id, as Firestore orders them
            entries.sort(key=lambda e: (e.at, e.doc_id), reverse=True)
        else:
            entries.sort(key=lambda e: e.doc_id, reverse=True)
        if cursor:
            ids = [e.doc_id for e in entries]
            if cursor not in ids:
                raise BadCursor("this cursor does not continue this log")
            entries = entries[ids.index(cursor) + 1 :]
        page = entries[:limit]
        return AuditPage(page, page[-1].doc_id if len(entries) > limit else None)

    def _audit_one(self, key: LicenceKey, entry: AuditEntry) -> None:
        self.audit.setdefault(key, []).append(entry)
        self.heads[key] = entry.head

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
        with self._lock:
            before = self.recipient_records.get(doc_id)
            if (before is not None) != must_exist:
                return False
            if after is None:
                del self.recipient_records[doc_id]
            else:
                self.recipient_records[doc_id] = after
            head = self.heads.get(key, GENESIS)
            entry = changes.recipient_changed(head, customer_id, at, actor, before, after)
            self._audit_one(key, entry)
            return True
