"""Ports of the holder sync: who holds a customer's seats (Licensing, Directory and Reports APIs)
and where what it learnt is kept (`seat_holders`, `licence_insights`, `reclaim_policies`)."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from licence_manager.domain.holders import ActivityReport, Assignment, DirectoryUser, HolderRecord
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.reclaim import ReclaimPolicy
from licence_manager.ports.usage import AccessDenied


class AdminApiAccessDenied(AccessDenied):
    """The customer's Admin APIs refused the reseller: 403 `domainCannotUseApis` (the customer
    switched reseller access off) or `forbidden` (Admin console access off, or not our
    customer). Not worth a retry: only the customer's admin can change it."""

    def __init__(self, api: str, reason: str, message: str = "") -> None:
        super().__init__(message or f"{api}: 403 {reason}", status=403, reason=reason)
        self.api = api  # "licensing", "directory" or "reports"


class SeatHolderSource(abc.ABC):
    """What the holder sync reads of one customer. Every method pages through the whole answer;
    AdminApiAccessDenied for a 403 as above, SourceError for any other failure after retries."""

    @abc.abstractmethod
    def assignments(self, customer: str, product_id: str) -> list[Assignment]:
        """Every licence of `product_id` the customer has assigned (listForProduct; `customer`
        is its id or primary domain, both of which the Licensing API takes)."""

    @abc.abstractmethod
    def users(self, customer_id: str) -> list[DirectoryUser]:
        """Every user of the customer (Directory users.list, by Google's customer id)."""

    @abc.abstractmethod
    def activity(self, customer_id: str, day: date) -> ActivityReport:
        """Each user's last login and SSO on `day` (Reports userUsageReport, all users)."""


class HolderStore(abc.ABC):
    """The holder sync's documents. Reads return what is stored; writes are idempotent."""

    @abc.abstractmethod
    def reclaim_policy(self, customer_id: str) -> ReclaimPolicy:
        """The customer's policy (`reclaim_policies/{customerId}`), the default when absent."""

    @abc.abstractmethod
    def insights(self, customer_id: str) -> LicenceInsights | None: ...

    @abc.abstractmethod
    def holders_of(self, customer_id: str) -> Mapping[str, HolderRecord]:
        """The customer's stored `seat_holders`, by document id."""

    @abc.abstractmethod
    def write_holders(
        self,
        put: Sequence[HolderRecord],
        delete: Iterable[str],
        insights: LicenceInsights | None,
    ) -> int:
        """Write `put`, delete the documents `delete` names, then write `insights` (if given);
        returns the documents written and deleted. Not one transaction: a write cut short is
        finished by the next run, which compares again."""
