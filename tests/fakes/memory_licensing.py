"""An in-memory Licensing API for unassigns (ports.holders.LicenceAssignments), held honest by
tests/contract/test_licence_assignments.py against the simulator through the real client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, LicenceAssignments


@dataclass
class FakeLicenceAssignments(LicenceAssignments):
    # (product id, SKU id) → lower-cased emails holding it
    held: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    auto_licensed: set[str] = field(default_factory=set)  # SKUs Google assigns automatically
    # Domains whose customer switched reseller access to its Admin APIs off (403).
    closed: set[str] = field(default_factory=set)
    deletes: list[tuple[str, str, str]] = field(default_factory=list)  # every delete that landed
    reads: int = 0
    # Test hooks: fail the next calls of a method, or lose the answer of a delete that landed.
    failures: dict[str, list[SourceError]] = field(default_factory=dict)
    lose_next_answer: bool = False
    before_delete: Callable[[], None] | None = None

    def assign(self, product_id: str, sku_id: str, *emails: str) -> None:
        self.held.setdefault((product_id, sku_id), set()).update(e.lower() for e in emails)

    def _fail(self, method: str, user: str) -> None:
        if user.lower().rpartition("@")[2] in self.closed:
            raise AdminApiAccessDenied("licensing", "domainCannotUseApis")
        queued = self.failures.get(method)
        if queued:
            raise queued.pop(0)

    def holds(self, product_id: str, sku_id: str, user: str) -> bool:
        self.reads += 1
        self._fail("holds", user)
        return user.lower() in self.held.get((product_id, sku_id), set())

    def unassign(
        self, product_id: str, sku_id: str, user: str, send_until: datetime | None = None
    ) -> None:
        self._fail("unassign", user)
        if self.before_delete is not None:
            self.before_delete()
        holders = self.held.get((product_id, sku_id), set())
        if user.lower() not in holders:
            raise SourceError(
                "HTTP 404 notFound: User does not have a license for specified sku and product",
                status=404,
                reason="notFound",
            )
        if sku_id in self.auto_licensed:
            raise SourceError(
                "HTTP 412 conditionNotMet: Auto License un-assignment is not allowed.",
                status=412,
                reason="conditionNotMet",
            )
        holders.discard(user.lower())
        self.deletes.append((product_id, sku_id, user.lower()))
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise SourceError("licenseAssignments.delete: timed out", may_have_applied=True)
