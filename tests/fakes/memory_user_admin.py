"""In-memory fake of the user provisioning store, on an InMemoryApiStore's users (so the API
sees whom it provisions); held to the Firestore one by tests/contract/test_user_admin.py."""

from __future__ import annotations

from licence_manager.domain.model import Customer
from licence_manager.domain.user_changes import UserChange
from licence_manager.domain.users import User
from licence_manager.ports.user_admin import Decide, UserAdmin
from tests.fakes.memory_dashboard import InMemoryApiStore


class InMemoryUserAdmin(UserAdmin):
    def __init__(self, store: InMemoryApiStore | None = None) -> None:
        self.store = store or InMemoryApiStore()
        self.records: list[UserChange] = []

    def users(self) -> list[User]:
        return self.store.users()

    def customer(self, customer_id: str) -> Customer | None:
        return self.store.customer_records.get(customer_id)

    def change(self, email: str, decide: Decide) -> UserChange:
        # One lock for the read, the decision and the writes, as one Firestore transaction.
        users = self.store.user_records
        with self.store._lock:
            change = decide(users.get(email.strip().lower()))
            if change.after is None:
                users.pop(change.email, None)
            else:
                users[change.after.doc_id] = change.after
            self.records.append(change)
            return change

    def changes(self, limit: int = 100) -> list[UserChange]:
        newest_first = sorted(self.records, key=lambda c: c.at, reverse=True)
        return newest_first[:limit]
