"""Provisioning dashboard users on Firestore: the `users` documents the API reads, and each
change kept in `user_changes` (created, never overwritten), written in one transaction."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from licence_manager.adapters import firestore_codec as codec
from licence_manager.adapters.firestore_dashboard import user_from_doc, user_to_doc
from licence_manager.adapters.firestore_store import CUSTOMERS, _data, in_transaction
from licence_manager.domain.model import Customer
from licence_manager.domain.user_changes import UserChange, UserChangeKind
from licence_manager.domain.users import User
from licence_manager.ports.user_admin import Decide, UserAdmin

USERS = "users"
USER_CHANGES = "user_changes"


def change_to_doc(change: UserChange) -> dict[str, Any]:
    return {
        "email": change.email,
        "kind": change.kind.value,
        "before": user_to_doc(change.before) if change.before else None,
        "after": user_to_doc(change.after) if change.after else None,
        "by": change.by,
        "at": change.at,
        "description": change.describe(),  # for people reading the collection in the console
    }


def change_from_doc(doc: dict[str, Any]) -> UserChange:
    return UserChange(
        email=doc["email"],
        kind=UserChangeKind(doc["kind"]),
        before=user_from_doc(doc["before"]) if doc.get("before") else None,
        after=user_from_doc(doc["after"]) if doc.get("after") else None,
        by=doc["by"],
        at=doc["at"],
    )


class FirestoreUserAdmin(UserAdmin):
    def __init__(self, db: firestore.Client) -> None:
        self._db = db

    def users(self) -> list[User]:
        found = [user_from_doc(_data(s)) for s in self._db.collection(USERS).stream()]
        return sorted(found, key=lambda u: u.email)

    def customer(self, customer_id: str) -> Customer | None:
        snapshot = self._db.collection(CUSTOMERS).document(customer_id).get()
        return codec.customer_from_doc(_data(snapshot)) if snapshot.exists else None

    def change(self, email: str, decide: Decide) -> UserChange:
        ref = self._db.collection(USERS).document(email.strip().lower())

        @firestore.transactional
        def attempt(transaction: firestore.Transaction) -> UserChange:
            snapshot = ref.get(transaction=transaction)
            change = decide(user_from_doc(_data(snapshot)) if snapshot.exists else None)
            if change.after is None:
                transaction.delete(ref)
            else:
                transaction.set(ref, user_to_doc(change.after))
            record = self._db.collection(USER_CHANGES).document(change.doc_id)
            transaction.create(record, change_to_doc(change))
            return change

        done: UserChange = in_transaction(self._db, attempt)
        return done

    def changes(self, limit: int = 100) -> list[UserChange]:
        query = (
            self._db.collection(USER_CHANGES)
            .order_by("at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        return [change_from_doc(_data(s)) for s in query.stream()]
