"""Provisioning dashboard users (`licence-manager users`): each change decided by
domain.user_changes on the user as stored, and written with its record of who made it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from licence_manager.domain import user_changes
from licence_manager.domain.user_changes import UserChange
from licence_manager.domain.users import Role, User, UserError
from licence_manager.ports.user_admin import UserAdmin


def check_customers(admin: UserAdmin, customer_ids: Iterable[str]) -> None:
    """UserError unless every id is a customer the sync has seen (a typo would let nobody in,
    or worse, someone into a customer who signs up later under that id)."""
    unknown = sorted(c for c in customer_ids if admin.customer(c) is None)
    if unknown:
        raise UserError(
            f"unknown customer {', '.join(unknown)}: give Google's customer id of a customer the "
            "usage sync has seen (GET /api/v1/customers as reseller ops lists them)"
        )


def add_user(admin: UserAdmin, user: User, by: str, at: datetime) -> UserChange:
    check_customers(admin, user.customer_ids)
    return admin.change(user.email, lambda existing: user_changes.add(existing, user, by, at))


def set_role(
    admin: UserAdmin,
    email: str,
    role: Role,
    customer_ids: frozenset[str] | None,
    by: str,
    at: datetime,
) -> UserChange:
    check_customers(admin, customer_ids or ())
    return admin.change(
        email, lambda existing: user_changes.set_role(existing, email, role, customer_ids, by, at)
    )


def set_disabled(admin: UserAdmin, email: str, disabled: bool, by: str, at: datetime) -> UserChange:
    return admin.change(
        email, lambda existing: user_changes.set_disabled(existing, email, disabled, by, at)
    )


def remove_user(admin: UserAdmin, email: str, by: str, at: datetime) -> UserChange:
    return admin.change(email, lambda existing: user_changes.remove(existing, email, by, at))
