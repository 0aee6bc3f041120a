"""In-memory stand-ins for the holder sync's ports, held honest by tests/contract
(test_seat_holder_source.py against the simulator, test_holder_store.py against Firestore)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from licence_manager.domain.holder_digest import HolderDigest, marked
from licence_manager.domain.holders import ActivityReport, Assignment, DirectoryUser, HolderRecord
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.products import product_of
from licence_manager.domain.reclaim import ReclaimPolicy
from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, HolderStore, SeatHolderSource


@dataclass
class FakeDomain:
    """One customer as the Admin APIs see it."""

    customer_id: str
    domain: str
    users: list[DirectoryUser] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    activity: dict[str, datetime | None] = field(default_factory=dict)  # lower email → time
    # APIs answering 403 ("licensing", "directory", "reports") and with which reason.
    denied: set[str] = field(default_factory=set)
    denied_reason: str = "domainCannotUseApis"
    failing: set[str] = field(default_factory=set)  # APIs failing for good with a 503

    def add_user(
        self,
        user_id: str,
        email: str,
        *skus: str,
        suspended: bool = False,
        archived: bool = False,
        created_at: datetime | None = None,
        last_login: datetime | None = None,
    ) -> DirectoryUser:
        user = DirectoryUser(user_id, email, suspended, archived, created_at, last_login)
        self.users.append(user)
        self.assign(email, *skus)
        return user

    def assign(self, email: str, *skus: str) -> None:
        for sku in skus:
            self.assignments.append(Assignment(email, product_of(sku) or "", sku))


class FakeSeatHolderSource(SeatHolderSource):
    def __init__(self) -> None:
        self.domains: dict[str, FakeDomain] = {}
        self.calls: list[tuple[str, str]] = []  # (method, customer)

    def add_customer(self, customer_id: str, domain: str) -> FakeDomain:
        self.domains[customer_id] = FakeDomain(customer_id, domain)
        return self.domains[customer_id]

    def _domain(self, customer: str, api: str) -> FakeDomain:
        # The Licensing API takes the customer's id or primary domain.
        found = self.domains.get(customer) or next(
            (d for d in self.domains.values() if d.domain == customer), None
        )
        if found is None:  # Google answers 403 forbidden for a customer that is not ours
            raise AdminApiAccessDenied(api, "forbidden")
        if api in found.denied:
            raise AdminApiAccessDenied(api, found.denied_reason)
        if api in found.failing:
            raise SourceError(f"{api}: HTTP 503", status=503, reason="backendError")
        return found

    def assignments(self, customer: str, product_id: str) -> list[Assignment]:
        self.calls.append(("assignments", customer))
        found = self._domain(customer, "licensing")
        return [a for a in found.assignments if a.product_id == product_id]

    def users(self, customer_id: str) -> list[DirectoryUser]:
        self.calls.append(("users", customer_id))
        return list(self._domain(customer_id, "directory").users)

    def activity(self, customer_id: str, day: date) -> ActivityReport:
        self.calls.append(("activity", customer_id))
        return ActivityReport(day, dict(self._domain(customer_id, "reports").activity))


class InjectedFailure(Exception):
    """A write cut short on purpose (`fail_after_batches`)."""


class InMemoryHolderStore(HolderStore):
    """Batches its writes as Firestore's adapter does (`batch_limit`, 500 there), so a test can
    cut its next write short after `fail_after_batches` batches."""

    def __init__(self, batch_limit: int = 500) -> None:
        self.policies: dict[str, ReclaimPolicy] = {}
        self.insight_records: dict[str, LicenceInsights] = {}
        self.holders: dict[str, HolderRecord] = {}
        self.digests: dict[str, HolderDigest] = {}
        self.writes = 0  # documents written or deleted, as Firestore would count them
        self.reads = 0  # documents read, as Firestore bills them (an empty query: 1)
        self.holder_reads = 0  # of which seat_holders documents
        self.batch_limit = batch_limit
        self.fail_after_batches: int | None = None

    def reclaim_policy(self, customer_id: str) -> ReclaimPolicy:
        self.reads += 1
        return self.policies.get(customer_id, ReclaimPolicy())

    def insights(self, customer_id: str) -> LicenceInsights | None:
        self.reads += 1
        return self.insight_records.get(customer_id)

    def holder_digest(self, customer_id: str) -> HolderDigest | None:
        self.reads += 1
        return self.digests.get(customer_id)

    def drop_holder_digest(self, customer_id: str) -> None:
        self.digests.pop(customer_id, None)
        self.writes += 1

    def holders_of(self, customer_id: str) -> Mapping[str, HolderRecord]:
        found = {k: r for k, r in self.holders.items() if r.customer_id == customer_id}
        self.reads += max(len(found), 1)
        self.holder_reads += len(found)
        return found

    def write_holders(
        self,
        put: Sequence[HolderRecord],
        delete: Iterable[str],
        insights: LicenceInsights | None,
        digest: HolderDigest | None = None,
    ) -> int:
        gone = list(delete)
        operations: list[HolderRecord | str | LicenceInsights | HolderDigest] = [*put, *gone]
        operations += [insights] if insights is not None else []
        if digest is not None:
            operations.append(digest)
            if len(operations) > self.batch_limit:
                operations.insert(0, marked(digest, [r.document_id for r in put] + gone))
        for batch, start in enumerate(range(0, len(operations), self.batch_limit)):
            if self.fail_after_batches is not None and batch >= self.fail_after_batches:
                self.fail_after_batches = None  # the next write only
                raise InjectedFailure(f"cut short after {batch} batches")
            chunk = operations[start : start + self.batch_limit]
            for operation in chunk:
                self._apply(operation)
            self.writes += len(chunk)
        return len(operations)

    def _apply(self, operation: HolderRecord | str | LicenceInsights | HolderDigest) -> None:
        if isinstance(operation, HolderRecord):
            self.holders[operation.document_id] = operation
        elif isinstance(operation, str):
            self.holders.pop(operation, None)
        elif isinstance(operation, LicenceInsights):
            self.insight_records[operation.customer_id] = operation
        else:
            self.digests[operation.customer_id] = operation
