"""Changes to who may use the dashboard, as reseller ops make them (`licence-manager users`):
each is decided here from the user as stored, and kept with who made it and when, so that "who
granted Alex customer admin of C01?" has an answer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from licence_manager.domain.users import ROLE_LABELS, Role, User, UserError, checked


class UserChangeKind(StrEnum):
    ADDED = "added"
    ROLE_CHANGED = "role_changed"
    DISABLED = "disabled"
    ENABLED = "enabled"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class UserChange:
    """One change: the user before (None: new) and after (None: removed), by whom, when."""

    email: str
    kind: UserChangeKind
    before: User | None
    after: User | None
    by: str
    at: datetime

    @property
    def doc_id(self) -> str:
        # Sorts by time; the email keeps two changes in the same microsecond apart.
        return f"{self.at.strftime('%Y%m%dT%H%M%S%fZ')}-{self.email}"

    def describe(self) -> str:
        """Who did what, in words: "kim granted alex@acme.example Customer admin of C01"."""
        before, after = self.before, self.after
        if after is not None and before is None:
            return f"{self.by} granted {self.email} {access(after)}"
        if before is not None and after is None:
            return f"{self.by} removed {self.email} ({access(before)})"
        assert before is not None and after is not None  # a change has a before or an after
        if self.kind is UserChangeKind.ROLE_CHANGED:
            return f"{self.by} changed {self.email} from {access(before)} to {access(after)}"
        return f"{self.by} {self.kind.value} {self.email} ({access(after)})"


def access(user: User) -> str:
    """What a user may do, in words: "Customer admin of C01"."""
    customers = ", ".join(sorted(user.customer_ids))
    of = f" of {customers}" if customers else " (every customer)"
    return f"{ROLE_LABELS[user.role]}{of}"


class UserNotFound(UserError):
    """The change names a user who is not provisioned."""


def _email(email: str) -> str:
    return email.strip().lower()


def add(existing: User | None, user: User, by: str, at: datetime) -> UserChange:
    """Provision a new user; an existing one is changed with set-role, never silently replaced."""
    new = checked(user)
    if existing is not None:
        raise UserError(
            f"{new.email} is already provisioned as {access(existing)}; "
            "change their role with set-role, or remove them first"
        )
    return UserChange(new.email, UserChangeKind.ADDED, None, new, by, at)


def set_role(
    existing: User | None,
    email: str,
    role: Role,
    customer_ids: frozenset[str] | None,
    by: str,
    at: datetime,
) -> UserChange:
    """Give a provisioned user another role and/or customers (None keeps their customers,
    except for reseller ops, who act for every customer)."""
    found = _found(existing, email)
    if customer_ids is None:
        customer_ids = frozenset() if role is Role.RESELLER_OPS else found.customer_ids
    after = checked(replace(found, role=role, customer_ids=customer_ids))
    if after == found:
        raise UserError(f"{found.email} is already {access(found)}: nothing to change")
    return UserChange(found.email, UserChangeKind.ROLE_CHANGED, found, after, by, at)


def set_disabled(
    existing: User | None, email: str, disabled: bool, by: str, at: datetime
) -> UserChange:
    found = _found(existing, email)
    if found.disabled == disabled:
        state = "disabled" if disabled else "enabled"
        raise UserError(f"{found.email} is already {state}")
    kind = UserChangeKind.DISABLED if disabled else UserChangeKind.ENABLED
    return UserChange(found.email, kind, found, replace(found, disabled=disabled), by, at)


def remove(existing: User | None, email: str, by: str, at: datetime) -> UserChange:
    found = _found(existing, email)
    return UserChange(found.email, UserChangeKind.REMOVED, found, None, by, at)


def _found(existing: User | None, email: str) -> User:
    if existing is None:
        raise UserNotFound(f"no user {_email(email)}: `licence-manager users list` shows who is")
    return existing
