"""What the dashboard's API needs from the store beyond the other ports: the users it lets in,
the audit log read a page at a time, and the changes people make, each written together with
its audit entry in one transaction."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from licence_manager.domain.audit import AuditAction, AuditEntry
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import Customer, Licence, LicenceKey
from licence_manager.domain.notifications import Notification, Recipient
from licence_manager.domain.prices import PriceLookup
from licence_manager.domain.settings import LicenceSettings
from licence_manager.domain.users import User
from licence_manager.ports import Store
from licence_manager.ports.prices import PriceList
from licence_manager.ports.reclaim import ReclaimStore
from licence_manager.ports.savings import SavingsStore

# Defined with the customer list's paging; every listing's cursors raise it.
from licence_manager.ports.usage import BadCursor as BadCursor

MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]  # newest first
    next_cursor: str | None  # None on the last page


@dataclass(frozen=True, slots=True)
class NotificationPage:
    notifications: list[Notification]  # newest first
    next_cursor: str | None  # None on the last page


class DashboardStore(abc.ABC):
    # users
    @abc.abstractmethod
    def user(self, email: str) -> User | None:
        """The provisioned user with this email address (case-insensitive)."""

    @abc.abstractmethod
    def save_user(self, user: User) -> None: ...

    @abc.abstractmethod
    def remove_user(self, email: str) -> None: ...

    @abc.abstractmethod
    def users(self) -> list[User]:
        """Every provisioned user, by email."""

    # the audit log
    @abc.abstractmethod
    def audit_page(
        self,
        customer_id: str,
        sku_id: str | None,
        limit: int,
        cursor: str | None,
        action: AuditAction | None = None,
    ) -> AuditPage:
        """A customer's audit entries newest first: one chain (a SKU, or CUSTOMER_SCOPE), or
        all of them when `sku_id` is None; only entries of `action` when given. `cursor`
        continues after the previous page; a cursor from another listing raises BadCursor."""

    # notifications
    @abc.abstractmethod
    def notification_page(
        self, customer_id: str, limit: int, cursor: str | None, *, problems_only: bool = False
    ) -> NotificationPage:
        """A customer's notifications newest first (by creation time, then id); with
        `problems_only`, those whose status is in domain.notifications.PROBLEMS or whose channel
        message is (domain.channels.channel_problem). `cursor` is
        the last id of the previous page; one of another customer raises BadCursor."""

    # changes made by people, audited with them
    @abc.abstractmethod
    @abc.abstractmethod
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
        """Write (or, with `after` None, remove) a recipient and its audit entry together;
        False, writing nothing, if it exists when it must not or is missing when it must."""

    def add_recipient(self, recipient: Recipient, actor: str, at: datetime) -> bool:
        """Create the recipient and audit it; False, writing nothing, if it exists."""
        return self.change_recipient(
            recipient.customer_id, recipient.email, recipient, actor, at, must_exist=False
        )

    def update_recipient(self, recipient: Recipient, actor: str, at: datetime) -> bool:
        """Replace an existing recipient and audit it; False if there is none."""
        return self.change_recipient(
            recipient.customer_id, recipient.email, recipient, actor, at, must_exist=True
        )

    def delete_recipient(self, customer_id: str, email: str, actor: str, at: datetime) -> bool:
        """Remove a recipient and audit it; False if there is none."""
        return self.change_recipient(customer_id, email, None, actor, at, must_exist=True)

    @abc.abstractmethod
    def change_time_zone(
        self, customer_id: str, time_zone: str, actor: str, at: datetime
    ) -> TimeZoneChange | None:
        """Move a customer and every licence of theirs to `time_zone` (already checked), with
        its audit entry, in one transaction; None if there is no such customer. Setting the
        zone it already has writes nothing."""


@dataclass(frozen=True, slots=True)
class TimeZoneChange:
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class LicenceRows:
    """What My Licences shows of a customer: their licences by SKU id, each one's settings and
    automation state, their prices (discount applied) as a display estimate, and what the
    holder sync found reclaimable (None: it has not run for this customer)."""

    licences: list[Licence]
    extras: dict[LicenceKey, tuple[LicenceSettings, AutomationState]]
    price_of: PriceLookup
    insights: LicenceInsights | None = None


class ApiStore(Store, DashboardStore, PriceList, ReclaimStore, SavingsStore):
    """Everything the api function reads and writes, over one database."""

    def notifications_by_id(self, notification_ids: Iterable[str]) -> dict[str, Notification]:
        """These notifications (the ones that exist) by id, in one round trip where the store
        can: the first emails of the resent lines a page of notifications shows."""
        found = (self.notification(i) for i in set(notification_ids))
        return {n.notification_id: n for n in found if n is not None}

    def licence_rows(self, customer_id: str) -> LicenceRows:
        """My Licences' reads (it polls them every few seconds): a store may fold them into
        fewer round trips, and may show list prices a minute old (never the discount), as
        they are only shown; money decisions (spending limits, approvals) use price_lookup."""
        found = self.licences_of(customer_id)
        extras = self.settings_and_states([lic.key for lic in found])
        insights = self.licence_insights(customer_id)
        return LicenceRows(found, extras, self.price_lookup(customer_id), insights)

    def user_and_customer(
        self, email: str, customer_id: str | None
    ) -> tuple[User | None, Customer | None]:
        """The signed-in user and the customer in the path (None: no customer asked for), in
        one round trip where the store can: every customer page's request starts with both."""
        user = self.user(email)
        return user, self.customer(customer_id) if customer_id is not None else None
