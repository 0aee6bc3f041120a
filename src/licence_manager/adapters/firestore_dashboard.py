"""The dashboard's store on Firestore: users, the paged listings (adapters.firestore_pages), and
people's changes written with their audit entries in one transaction (see ports.dashboard)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Generic, TypeVar

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from licence_manager.adapters import automation_codec as ac
from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.firestore_automation import Transaction
from licence_manager.adapters.firestore_pages import FirestorePages
from licence_manager.adapters.firestore_prices import (
    PRICE_DISCOUNTS,
    FirestorePriceList,
    discount_from_doc,
)
from licence_manager.adapters.firestore_reclaim import INSIGHTS, FirestoreReclaim
from licence_manager.adapters.firestore_savings import FirestoreSavings
from licence_manager.adapters.firestore_store import _data, in_transaction
from licence_manager.adapters.insights_codec import insights_from_doc
from licence_manager.domain import changes, time_zones
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.model import Customer, LicenceKey
from licence_manager.domain.notifications import Notification, Recipient
from licence_manager.domain.prices import Price, lookup_from
from licence_manager.domain.users import Role, User
from licence_manager.ports.dashboard import ApiStore, LicenceRows, TimeZoneChange

T = TypeVar("T")

# Collection names again, as literals: tests/infra reads each query's collection from its module.
USERS = "users"
AUDIT_EVENTS = "audit_events"
AUDIT_HEADS = "audit_heads"
SETTINGS = "licence_settings"
AUTOMATION = "licence_automation"
REQUESTS = "topup_requests"
RECIPIENTS = "recipients"
CUSTOMERS = "customers"
LICENCES = "licences"
NOTIFICATIONS = "notifications"


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


# How long My Licences may show a list price after it changed on another api instance (this
# one forgets its copy when it changes a price). Safe: prices change by hand, rarely, and this
# is a display estimate; what decides money (spending limits, approvals, quotes to buy) reads
# the price list afresh through price_lookup. The customer's discount is never cached.
DISPLAY_PRICES_SECONDS = 60.0


class ExpiringValue(Generic[T]):
    """A value read at most once per `seconds` in this process, shared by its threads."""

    def __init__(self, seconds: float, read: Callable[[], T], clock: Callable[[], float]) -> None:
        self._seconds, self._read, self._clock = seconds, read, clock
        self._lock = threading.Lock()
        self._value: tuple[float, T] | None = None
        self._forgotten = 0  # a read that began before a forget() must not be kept

    def get(self) -> T:
        with self._lock:
            if self._value is not None and self._clock() - self._value[0] < self._seconds:
                return self._value[1]
            generation = self._forgotten
        value = self._read()
        with self._lock:
            if generation == self._forgotten:
                self._value = (self._clock(), value)
        return value

    def forget(self) -> None:
        with self._lock:
            self._value = None
            self._forgotten += 1


class FirestoreApiStore(
    FirestorePages, FirestorePriceList, FirestoreReclaim, FirestoreSavings, ApiStore
):
    def __init__(
        self,
        client: firestore.Client,
        display_prices_seconds: float = DISPLAY_PRICES_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(client)
        self._display_prices = ExpiringValue(display_prices_seconds, self.prices, clock)

    # My Licences
    def licence_rows(self, customer_id: str) -> LicenceRows:
        # Two round trips (the licences; their settings and states with the discount and the
        # holder sync's insights) and the price list at most once a minute.
        found = self.licences_of(customer_id)
        discount_ref = self._doc(PRICE_DISCOUNTS, customer_id)
        insights_ref = self._doc(INSIGHTS, customer_id)
        extras, docs = self._settings_and_states_with(
            [lic.key for lic in found], [discount_ref, insights_ref]
        )
        discount_doc = docs.get(discount_ref.path)
        discount = discount_from_doc(discount_doc) if discount_doc else None
        insights_doc = docs.get(insights_ref.path)
        return LicenceRows(
            found,
            extras,
            lookup_from(self._display_prices.get(), discount),
            insights_from_doc(insights_doc) if insights_doc else None,
        )

    def notifications_by_id(self, notification_ids: Iterable[str]) -> dict[str, Notification]:
        refs = [self._doc(NOTIFICATIONS, i) for i in sorted(set(notification_ids))]
        if not refs:
            return {}
        found = (ac.notification_from_doc(_data(s)) for s in self._db.get_all(refs) if s.exists)
        return {n.notification_id: n for n in found}

    def save_price(self, price: Price) -> None:
        super().save_price(price)
        self._display_prices.forget()

    def remove_price(self, sku_id: str, plan_name: str, by: str, at: datetime) -> bool:
        removed = super().remove_price(sku_id, plan_name, by, at)
        self._display_prices.forget()
        return removed

    # users
    def user(self, email: str) -> User | None:
        doc = self._get(USERS, email.strip().lower())
        return user_from_doc(doc) if doc else None

    def user_and_customer(
        self, email: str, customer_id: str | None
    ) -> tuple[User | None, Customer | None]:
        if customer_id is None:
            return self.user(email), None
        user_ref = self._doc(USERS, email.strip().lower())
        customer_ref = self._doc(CUSTOMERS, customer_id)
        snaps = self._db.get_all([user_ref, customer_ref])
        found = {s.reference.path: _data(s) for s in snaps if s.exists}
        user_doc, customer_doc = found.get(user_ref.path), found.get(customer_ref.path)
        return (
            user_from_doc(user_doc) if user_doc else None,
            codec.customer_from_doc(customer_doc) if customer_doc else None,
        )

    def save_user(self, user: User) -> None:
        self._doc(USERS, user.doc_id).set(user_to_doc(user))

    def remove_user(self, email: str) -> None:
        self._doc(USERS, email.strip().lower()).delete()

    def users(self) -> list[User]:
        found = [user_from_doc(_data(s)) for s in self._db.collection(USERS).stream()]
        return sorted(found, key=lambda u: u.email)

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

    def change_time_zone(
        self, customer_id: str, time_zone: str, actor: str, at: datetime
    ) -> TimeZoneChange | None:
        key = changes.customer_key(customer_id)
        licences = self._db.collection(LICENCES).where(
            filter=FieldFilter("customerId", "==", customer_id)
        )

        @firestore.transactional
        def run(transaction: Transaction) -> TimeZoneChange | None:
            doc = self._get(CUSTOMERS, customer_id, transaction)
            if doc is None:
                return None
            before = codec.customer_from_doc(doc).time_zone
            owned = list(licences.stream(transaction=transaction))
            head = self._head(key, transaction)
            if before == time_zone:
                return TimeZoneChange(before, time_zone)
            transaction.update(self._doc(CUSTOMERS, customer_id), {"timeZone": time_zone})
            for snap in owned:  # a customer has a handful of SKUs: one write each
                transaction.update(snap.reference, {"timeZone": time_zone})
            entry = time_zones.time_zone_changed(head, customer_id, at, actor, before, time_zone)
            self._write_audit(transaction, (entry,), entry.head)
            return TimeZoneChange(before, time_zone)

        done: TimeZoneChange | None = in_transaction(self._db, run)
        return done
