"""The demo users `make run` (and the browser tests) provision, one per role, for the demo world
of the Reseller simulator. Sign in as any of them at http://127.0.0.1:8080 (local mode only)."""

from __future__ import annotations

from collections.abc import Mapping

from licence_manager.domain.users import Role, User, checked
from licence_manager.ports.dashboard import DashboardStore

# (email, name, role, customer domains)
DEMO_USERS: list[tuple[str, str, Role, tuple[str, ...]]] = [
    ("admin@acme-widgets.example", "Alex Morgan", Role.CUSTOMER_ADMIN, ("acme-widgets.example",)),
    ("admin@northwind.example", "Nadia Shah", Role.CUSTOMER_ADMIN, ("northwind.example",)),
    ("admin@globex.example", "Gus Porter", Role.CUSTOMER_ADMIN, ("globex.example",)),
    ("admin@initech.example", "Ines Lumbergh", Role.CUSTOMER_ADMIN, ("initech.example",)),
    (
        "manager@reseller.example",
        "Morgan Lee",
        Role.ACCOUNT_MANAGER,
        ("acme-widgets.example", "globex.example"),
    ),
    ("ops@reseller.example", "Olu Ade", Role.RESELLER_OPS, ()),
]


def demo_users(customer_ids_by_domain: Mapping[str, str]) -> list[User]:
    users = []
    for email, name, role, domains in DEMO_USERS:
        ids = frozenset(customer_ids_by_domain[d] for d in domains if d in customer_ids_by_domain)
        if role is Role.CUSTOMER_ADMIN and not ids:
            continue
        users.append(checked(User(email, name, role, ids)))
    return users


def seed_demo_users(store: DashboardStore, customer_ids_by_domain: Mapping[str, str]) -> None:
    for user in demo_users(customer_ids_by_domain):
        store.save_user(user)
