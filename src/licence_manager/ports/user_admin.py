"""What provisioning dashboard users needs from the store: the users, and each change to them
written together with its record of who made it (domain.user_changes)."""

from __future__ import annotations

import abc
from collections.abc import Callable

from licence_manager.domain.model import Customer
from licence_manager.domain.user_changes import UserChange
from licence_manager.domain.users import User

# Given the user as stored now (None: not provisioned), the change to make, or UserError.
Decide = Callable[[User | None], UserChange]


class UserAdmin(abc.ABC):
    @abc.abstractmethod
    def users(self) -> list[User]:
        """Every provisioned user, by email."""

    @abc.abstractmethod
    def customer(self, customer_id: str) -> Customer | None:
        """A customer the sync has seen (a user may only be given those)."""

    @abc.abstractmethod
    def change(self, email: str, decide: Decide) -> UserChange:
        """Read the user, decide, then write the user (or remove them) and keep the change, all
        in one transaction: a change decided on a stale read is decided again. `decide` may
        run more than once, so it must have no other effects."""

    @abc.abstractmethod
    def changes(self, limit: int = 100) -> list[UserChange]:
        """The latest changes, newest first."""
