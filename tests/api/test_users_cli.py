"""Provisioning users from the command line (python -m licence_manager.ops.users)."""

from __future__ import annotations

import io

from licence_manager.domain.users import Role
from licence_manager.ops.users import run
from tests.fakes.memory_dashboard import InMemoryApiStore


def call(store: InMemoryApiStore, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return run(list(argv), store, out), out.getvalue()


def test_add_list_disable_remove() -> None:
    store = InMemoryApiStore()
    code, text = call(
        store,
        "add",
        "Alex@Acme.example",
        "--role",
        "customer_admin",
        "--customer",
        "C01",
        "--name",
        "Alex",
    )
    assert code == 0 and "added alex@acme.example as Customer admin" in text
    user = store.user("alex@acme.example")
    assert user is not None and user.role is Role.CUSTOMER_ADMIN
    assert user.customer_ids == frozenset({"C01"})
    assert call(store, "add", "ops@r.example", "--role", "reseller_ops")[0] == 0
    assert "every customer" in call(store, "list")[1]
    assert call(store, "disable", "alex@acme.example")[0] == 0
    disabled = store.user("alex@acme.example")
    assert disabled is not None and disabled.disabled and not disabled.can_read("C01")
    assert call(store, "remove", "alex@acme.example")[0] == 0
    assert store.user("alex@acme.example") is None
    assert call(store, "remove", "alex@acme.example")[0] == 1


def test_a_customer_admin_needs_exactly_one_customer() -> None:
    store = InMemoryApiStore()
    code, text = call(store, "add", "a@b.example", "--role", "customer_admin")
    assert code == 2 and "exactly one customer" in text
    assert store.users() == []
