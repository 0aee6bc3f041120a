"""One contract, two user provisioning stores: the in-memory fake must behave like Firestore on
the emulator: a change writes the user (or removes them) and its record together, is decided on
the user as stored, and leaves nothing behind when refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
from licence_manager.adapters.firestore_user_admin import FirestoreUserAdmin
from licence_manager.domain import user_changes
from licence_manager.domain.model import Customer
from licence_manager.domain.user_changes import UserChangeKind
from licence_manager.domain.users import Role, User, UserError
from licence_manager.ports.dashboard import DashboardStore
from licence_manager.ports.user_admin import UserAdmin
from tests.builders import T0
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.memory_user_admin import InMemoryUserAdmin

ALEX = User("alex@acme.example", "Alex", Role.CUSTOMER_ADMIN, frozenset({"C01"}))


@dataclass
class Stores:
    admin: UserAdmin
    api: DashboardStore  # what the dashboard's API reads the users from


@pytest.fixture(params=["memory", "firestore"])
def stores(request: pytest.FixtureRequest) -> Stores:
    if request.param == "memory":
        api = InMemoryApiStore()
        api.save_customer(Customer("C01", "acme.example", "Acme", "Europe/London"))
        return Stores(InMemoryUserAdmin(api), api)
    client: Any = request.getfixturevalue("firestore_client")
    firestore_api = FirestoreApiStore(client)
    firestore_api.save_customer(Customer("C01", "acme.example", "Acme", "Europe/London"))
    return Stores(FirestoreUserAdmin(client), firestore_api)


def test_changes_write_the_user_and_keep_who_made_them(stores: Stores) -> None:
    admin = stores.admin
    added = admin.change(ALEX.email, lambda now: user_changes.add(now, ALEX, "kim", T0))
    assert added.kind is UserChangeKind.ADDED
    assert stores.api.user("Alex@Acme.example") == ALEX
    assert admin.users() == [ALEX]
    assert admin.customer("C01") is not None and admin.customer("C99") is None

    later = T0 + timedelta(minutes=1)
    admin.change(
        ALEX.email,
        lambda now: user_changes.set_role(now, ALEX.email, Role.RESELLER_OPS, None, "lee", later),
    )
    promoted = stores.api.user(ALEX.email)
    assert promoted is not None and promoted.role is Role.RESELLER_OPS
    assert promoted.customer_ids == frozenset()

    last = T0 + timedelta(minutes=2)
    admin.change(ALEX.email, lambda now: user_changes.remove(now, ALEX.email, "kim", last))
    assert stores.api.user(ALEX.email) is None and admin.users() == []

    history = admin.changes()
    assert [(c.kind, c.by, c.at) for c in history] == [
        (UserChangeKind.REMOVED, "kim", last),
        (UserChangeKind.ROLE_CHANGED, "lee", later),
        (UserChangeKind.ADDED, "kim", T0),
    ]
    assert history[1].before == ALEX and history[1].after == promoted
    assert history[1].describe() == (
        "lee changed alex@acme.example from Customer admin of C01 "
        "to Reseller operations (every customer)"
    )
    assert admin.changes(limit=1) == history[:1]


def test_a_refused_change_writes_nothing(stores: Stores) -> None:
    admin = stores.admin
    admin.change(ALEX.email, lambda now: user_changes.add(now, ALEX, "kim", T0))
    with pytest.raises(UserError, match="already provisioned as Customer admin of C01"):
        admin.change(ALEX.email, lambda now: user_changes.add(now, ALEX, "kim", T0))
    with pytest.raises(UserError, match=r"no user bob@acme\.example"):
        admin.change(
            "bob@acme.example",
            lambda now: user_changes.remove(now, "bob@acme.example", "kim", T0),
        )
    assert admin.users() == [ALEX]
    assert len(admin.changes()) == 1
