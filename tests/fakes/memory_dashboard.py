"""In-memory fake of the dashboard's store, held to the Firestore one by tests/contract."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from licence_manager.domain import changes, time_zones
from licence_manager.domain.audit import AuditAction, AuditEntry
from licence_manager.domain.channels import channel_problem
from licence_manager.domain.model import GENESIS, LicenceKey
from licence_manager.domain.notifications import PROBLEMS, Recipient
from licence_manager.domain.users import User
from licence_manager.ports.dashboard import (
    MAX_PAGE,
    ApiStore,
    AuditPage,
    BadCursor,
    NotificationPage,
    TimeZoneChange,
)
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.memory_prices import InMemoryPriceList
from tests.fakes.memory_reclaim import InMemoryReclaim
from tests.fakes.memory_savings import InMemorySavings


class InMemoryApiStore(
    InMemoryReclaim, InMemorySavings, InMemoryStore, InMemoryPriceList, ApiStore
):
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
        self,
        customer_id: str,
        sku_id: str | None,
        limit: int,
        cursor: str | None,
        action: AuditAction | None = None,
    ) -> AuditPage:
        limit = max(1, min(limit, MAX_PAGE))
        with self._lock:
            listing = [
                e
                for key, chain in self.audit.items()
                if key.customer_id == customer_id and sku_id in (None, key.sku_id)
                for e in chain
            ]
        # A whole chain in sequence order; otherwise newest first, ties by document id, as
        # Firestore orders them.
        whole_chain = sku_id is not None and action is None
        order: Callable[[AuditEntry], Any] = (
            (lambda e: e.doc_id) if whole_chain else (lambda e: (e.at, e.doc_id))
        )
        listing.sort(key=order, reverse=True)
        entries = [e for e in listing if action in (None, e.action)]
        if cursor:
            after = next((e for e in listing if e.doc_id == cursor), None)
            if after is None:
                raise BadCursor("this cursor does not continue this log")
            entries = [e for e in entries if order(e) < order(after)]
        page = entries[:limit]
        return AuditPage(page, page[-1].doc_id if len(entries) > limit else None)

    # notifications
    def notification_page(
        self, customer_id: str, limit: int, cursor: str | None, *, problems_only: bool = False
    ) -> NotificationPage:
        limit = max(1, min(limit, MAX_PAGE))
        with self._lock:
            mine = [
                n for n in self.notification_records.values() if n.key.customer_id == customer_id
            ]
        mine.sort(key=lambda n: (n.created_at, n.notification_id), reverse=True)
        found = [n for n in mine if not problems_only or n.status in PROBLEMS or channel_problem(n)]
        if cursor:
            after = next((n for n in mine if n.notification_id == cursor), None)
            if after is None:
                raise BadCursor("this cursor does not continue this listing")
            last = (after.created_at, after.notification_id)
            found = [n for n in found if (n.created_at, n.notification_id) < last]
        page = found[:limit]
        return NotificationPage(page, page[-1].notification_id if len(found) > limit else None)

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

    def change_time_zone(
        self, customer_id: str, time_zone: str, actor: str, at: datetime
    ) -> TimeZoneChange | None:
        key = changes.customer_key(customer_id)
        with self._lock:
            customer = self.customer_records.get(customer_id)
            if customer is None:
                return None
            before = customer.time_zone
            if before == time_zone:
                return TimeZoneChange(before, time_zone)
            self.customer_records[customer_id] = time_zones.moved_to(customer, time_zone)
            for licence_key, licence in self.licences.items():
                if licence_key.customer_id == customer_id:
                    self.licences[licence_key] = time_zones.licence_moved_to(licence, time_zone)
            head = self.heads.get(key, GENESIS)
            entry = time_zones.time_zone_changed(head, customer_id, at, actor, before, time_zone)
            self._audit_one(key, entry)
            return TimeZoneChange(before, time_zone)
