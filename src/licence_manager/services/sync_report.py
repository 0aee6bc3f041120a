"""What a sync run did, shard by shard: counts for the run record and the freshness heartbeat."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from licence_manager.domain.freshness import ShardOutcome, shard_key


@dataclass(slots=True)
class ShardReport:
    prefix: str | None
    api_calls: int = 0
    subscriptions_seen: int = 0
    offline_skipped: int = 0
    licences_created: int = 0
    licences_updated: int = 0
    licences_removed: int = 0
    licences_deferred: int = 0  # new licences left to later runs (domain.onboarding)
    outside_changes: int = 0
    customers_added: int = 0
    complete: bool = True
    failures: list[dict[str, str]] = field(default_factory=list)
    # For the freshness heartbeat: when Google was asked, why the listing stopped, and the
    # customers whose figures could not be checked, each with a reason an admin can read.
    observed_at: datetime | None = None
    listing_error: str | None = None
    customer_problems: dict[str, str] = field(default_factory=dict)
    offline_skus: dict[str, frozenset[str]] = field(default_factory=dict)

    def fail(self, reason: str, customer_id: str = "", sku_id: str = "") -> None:
        self.failures.append({"customerId": customer_id, "skuId": sku_id, "reason": reason})

    def outcome(self, fallback_time: datetime) -> ShardOutcome:
        return ShardOutcome(
            prefix=shard_key(self.prefix),
            attempted_at=self.observed_at or fallback_time,
            complete=self.complete,
            error=self.listing_error,
            customer_problems=dict(self.customer_problems),
            offline_skus=dict(self.offline_skus),
        )


@dataclass(slots=True)
class SyncReport:
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    shards: list[ShardReport] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(int(getattr(shard, name)) for shard in self.shards)

    @property
    def failures(self) -> list[dict[str, str]]:
        return [failure for shard in self.shards for failure in shard.failures]

    @property
    def licences_written(self) -> int:
        return sum(
            s.licences_created + s.licences_updated + s.licences_removed for s in self.shards
        )
