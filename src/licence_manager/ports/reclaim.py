"""What the Reclaim page and My Licences read of the holder sync's output, and the customer's
reclaim policy: `seat_holders` a page at a time, the customer's `licence_insights` document, and
`reclaim_policies` (docs/architecture.md, "Firestore layout"). The holder sync writes the first
two; the save methods here are for seeding (tests, the demo world)."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.reclaim import ReclaimPolicy

if TYPE_CHECKING:  # My Licences loads this port with the app (api cold start): types only
    from licence_manager.domain.seat_holders import ReclaimRecord

MAX_HOLDER_PAGE = 100


@dataclass(frozen=True, slots=True)
class HolderPage:
    holders: list[ReclaimRecord]  # by document id: SKU, then user key
    next_cursor: str | None  # None on the last page


@dataclass(frozen=True, slots=True)
class SavedReclaimPolicy:
    policy: ReclaimPolicy
    changed_by: str | None = None  # None: never changed (the default applies)
    changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PolicyChange:
    before: ReclaimPolicy
    after: ReclaimPolicy


class ReclaimStore(abc.ABC):
    @abc.abstractmethod
    def seat_holder_page(
        self,
        customer_id: str,
        limit: int,
        cursor: str | None,
        *,
        sku_id: str | None = None,
        reclaimable_only: bool = False,
    ) -> HolderPage:
        """A customer's seat holders in document-id order (one SKU's when `sku_id` is given;
        only those the sync found reclaimable with `reclaimable_only`), at most `limit`
        (1..MAX_HOLDER_PAGE). `cursor` is the previous page's last document id; one of another
        customer raises ports.dashboard.BadCursor."""

    @abc.abstractmethod
    def licence_insights(self, customer_id: str) -> LicenceInsights | None:
        """The customer's `licence_insights` document; None before the holder sync ran."""

    @abc.abstractmethod
    def reclaim_policy(self, customer_id: str) -> SavedReclaimPolicy:
        """The customer's reclaim policy; the default (60 days) when none was saved."""

    @abc.abstractmethod
    def change_reclaim_policy(
        self, customer_id: str, policy: ReclaimPolicy, actor: str, at: datetime
    ) -> PolicyChange:
        """Save the policy (already checked) with its audit entry in the customer's chain, in
        one transaction; the same policy again writes nothing."""

    # seeding
    @abc.abstractmethod
    def save_seat_holders(self, records: Iterable[ReclaimRecord]) -> None:
        """Tests and demos only: it leaves the customer's holder digest (domain.holder_digest)
        alone, so the next holder sync rewrites a seeded holder the digest does not list. A
        production writer of seat_holders must update or drop the customer's digest entries in
        the same batch or transaction."""

    @abc.abstractmethod
    def save_licence_insights(self, insights: LicenceInsights) -> None: ...
