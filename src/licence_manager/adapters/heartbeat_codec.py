"""The sync's freshness heartbeat as stored in `sync_runs/latest`, next to the run's counts:
`intervalSeconds`, and `shards`, a list (a shard's prefix may be "", which a map key cannot be)
of {prefix, attemptedAt, checkedAt, error, customers: {customerId: {reason, checkedAt}},
offlineSkus: {customerId: [skuId]}}."""

from __future__ import annotations

from typing import Any

from licence_manager.adapters.firestore_codec import Document, plain_datetime
from licence_manager.domain.freshness import CustomerProblem, ShardStatus, SyncHeartbeat


def heartbeat_to_doc(beat: SyncHeartbeat) -> Document:
    return {
        "intervalSeconds": beat.interval_seconds,
        "shards": [_shard_to_doc(shard) for _, shard in sorted(beat.shards.items())],
    }


def _shard_to_doc(shard: ShardStatus) -> Document:
    return {
        "prefix": shard.prefix,
        "attemptedAt": shard.attempted_at,
        "checkedAt": shard.checked_at,
        "error": shard.error,
        "customers": {
            customer_id: {"reason": problem.reason, "checkedAt": problem.checked_at}
            for customer_id, problem in shard.customers.items()
        },
        "offlineSkus": {
            customer_id: sorted(skus) for customer_id, skus in shard.offline_skus.items()
        },
    }


def heartbeat_from_doc(doc: Document) -> SyncHeartbeat | None:
    """None for a heartbeat written before freshness was recorded (no interval in it)."""
    if "intervalSeconds" not in doc:
        return None
    shards = [_shard_from_doc(s) for s in doc.get("shards", [])]
    return SyncHeartbeat(int(doc["intervalSeconds"]), {s.prefix: s for s in shards})


def _shard_from_doc(doc: Document) -> ShardStatus:
    return ShardStatus(
        prefix=doc["prefix"],
        attempted_at=plain_datetime(doc["attemptedAt"]),
        checked_at=_maybe_datetime(doc.get("checkedAt")),
        error=doc.get("error"),
        customers={
            customer_id: CustomerProblem(p["reason"], _maybe_datetime(p.get("checkedAt")))
            for customer_id, p in doc.get("customers", {}).items()
        },
        offline_skus={
            customer_id: frozenset(skus) for customer_id, skus in doc.get("offlineSkus", {}).items()
        },
    )


def _maybe_datetime(value: Any) -> Any:
    return None if value is None else plain_datetime(value)
