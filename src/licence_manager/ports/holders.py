"""Ports of the holder sync: who holds a customer's seats (Licensing, Directory and Reports APIs)
and where what it learnt is kept (`seat_holders`, `holder_digests`, `licence_insights`,
`reclaim_policies`)."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from licence_manager.domain.holder_digest import HolderDigest
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


class LicenceAssignments(abc.ABC):
    """The Licensing API as apply_topup uses it to unassign one add-on seat (RequestKind.UNASSIGN).
    `user` is the holder's primary email (the Licensing API's user key). AdminApiAccessDenied for
    a 403 as above; SourceError for any other failure after retries."""

    @abc.abstractmethod
    def holds(self, product_id: str, sku_id: str, user: str) -> bool:
        """The fresh read (licenseAssignments.get): whether `user` holds the SKU now; False when
        Google answers 404 (no such assignment)."""

    @abc.abstractmethod
    def unassign(
        self, product_id: str, sku_id: str, user: str, send_until: datetime | None = None
    ) -> None:
        """licenseAssignments.delete. SourceError 404: the user does not hold it; 412
        (conditionNotMet): the licence is assigned automatically and Google will not remove
        it. No try starts that could still be running at `send_until`; may_have_applied says
        whether an earlier try may have landed, as for SeatChanger.change_seats."""


@dataclass(frozen=True, slots=True)
class HolderSyncState:
    """What the holder sync reads of a customer before judging its holders."""

    policy: ReclaimPolicy
    insights: LicenceInsights | None
    digest: HolderDigest | None  # None: none yet, or the customer outgrew one


class HolderStore(abc.ABC):
    """The holder sync's documents. Reads return what is stored; writes are idempotent."""

    @abc.abstractmethod
    def reclaim_policy(self, customer_id: str) -> ReclaimPolicy:
        """The customer's policy (`reclaim_policies/{customerId}`), the default when absent."""

    @abc.abstractmethod
    def insights(self, customer_id: str) -> LicenceInsights | None: ...

    @abc.abstractmethod
    def holder_digest(self, customer_id: str) -> HolderDigest | None:
        """The customer's `holder_digests` document (domain.holder_digest), None when absent."""

    def sync_state(self, customer_id: str) -> HolderSyncState:
        """The policy, insights and digest together: a store that can reads them in one round
        trip (Firestore: one get_all, 3 reads)."""
        return HolderSyncState(
            self.reclaim_policy(customer_id),
            self.insights(customer_id),
            self.holder_digest(customer_id),
        )

    @abc.abstractmethod
    def drop_holder_digest(self, customer_id: str) -> None:
        """Delete the customer's digest (it outgrew one document): its sync reads its holders."""

    @abc.abstractmethod
    def holders_of(self, customer_id: str) -> Mapping[str, HolderRecord]:
        """The customer's stored `seat_holders`, by document id."""

    @abc.abstractmethod
    def write_holders(
        self,
        put: Sequence[HolderRecord],
        delete: Iterable[str],
        insights: LicenceInsights | None,
        digest: HolderDigest | None = None,
    ) -> int:
        """Write `put`, delete the documents `delete` names, then write `insights` and last
        `digest` (each if given), in batches of at most 500; returns the documents written and
        deleted. Not one transaction: a write cut short is finished by the next run, which
        compares again. So that the digest never lists a fingerprint of facts not stored, when
        the writes take more than one batch the first batch also writes `digest` with every
        document of `put` and `delete` marked (domain.holder_digest.marked)."""
