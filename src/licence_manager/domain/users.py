"""Who may use the dashboard, and what each may see and change.

A user is provisioned by the reseller (`licence-manager users`): an email address (the Google
identity they sign in with), a role and, for customer admins and account managers, the customers
they act for. Nobody else gets in, whatever identity provider vouches for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CUSTOMER_ADMIN = "customer_admin"  # reads and changes their own customer only
    ACCOUNT_MANAGER = "account_manager"  # reads (and exports) the customers assigned to them
    RESELLER_OPS = "reseller_ops"  # reads and changes every customer


ROLE_LABELS = {
    Role.CUSTOMER_ADMIN: "Customer admin",
    Role.ACCOUNT_MANAGER: "Account manager",
    Role.RESELLER_OPS: "Reseller operations",
}


class UserError(ValueError):
    """A user record that cannot be provisioned; the message says why."""


@dataclass(frozen=True, slots=True)
class User:
    email: str
    name: str
    role: Role
    customer_ids: frozenset[str] = frozenset()
    disabled: bool = False

    @property
    def doc_id(self) -> str:
        return self.email.lower()

    def can_read(self, customer_id: str) -> bool:
        if self.disabled:
            return False
        return self.role is Role.RESELLER_OPS or customer_id in self.customer_ids

    def can_change(self, customer_id: str) -> bool:
        if self.disabled or self.role is Role.ACCOUNT_MANAGER:
            return False
        return self.role is Role.RESELLER_OPS or customer_id in self.customer_ids

    @property
    def sees_every_customer(self) -> bool:
        return self.role is Role.RESELLER_OPS


def checked(user: User) -> User:
    """The user, normalised, or UserError: a customer admin acts for exactly one customer."""
    email = user.email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise UserError(f"{user.email!r} is not an email address")
    if user.role is Role.CUSTOMER_ADMIN and len(user.customer_ids) != 1:
        raise UserError("a customer admin acts for exactly one customer")
    if user.role is Role.RESELLER_OPS and user.customer_ids:
        raise UserError("reseller operations see every customer: give no customer ids")
    return User(email, user.name.strip(), user.role, user.customer_ids, user.disabled)
