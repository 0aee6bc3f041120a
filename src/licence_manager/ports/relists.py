"""Where the per-customer coalescing state of reseller events lives (domain.relist_coalescing)."""

from __future__ import annotations

import abc
from datetime import datetime

from licence_manager.domain.relist_coalescing import Coalescing, Decided, RelistState


class RelistGate(abc.ABC):
    """Each method reads and writes one customer's state atomically: two function instances
    handling events of one customer at once see each other's decisions."""

    @abc.abstractmethod
    def arrive(
        self,
        customer_id: str,
        now: datetime,
        token: str,
        rule: Coalescing,
        published_at: datetime | None = None,
    ) -> Decided:
        """Apply domain.relist_coalescing.on_event to the stored state and store its result."""

    @abc.abstractmethod
    def claim(self, customer_id: str, token: str, now: datetime) -> bool:
        """Start the follow-up `token` owns (domain.relist_coalescing.claim_follow_up); False
        when someone re-listed since and it is not needed."""

    @abc.abstractmethod
    def completed(self, customer_id: str, started_at: datetime) -> None:
        """The re-list that started at `started_at` recorded what it read
        (domain.relist_coalescing.relist_completed)."""

    @abc.abstractmethod
    def state(self, customer_id: str) -> RelistState:
        """As stored (a fresh state when none is)."""
