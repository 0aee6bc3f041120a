"""SKUs a customer holds through an offline order (billingMethod OFFLINE): invoiced outside the
reseller console, so Licence Manager neither syncs nor changes them. The sync remembers which
they are in its heartbeat (one document it reads and writes every run anyway), so the catalogue
shows them as held rather than offering them, and a purchase of one is refused here instead of
failing at Google after Confirm."""

from __future__ import annotations

from licence_manager.domain.freshness import SyncHeartbeat, shard_of


def offline_skus_of(
    heartbeat: SyncHeartbeat | None, customer_domain: str, customer_id: str
) -> frozenset[str]:
    """The SKUs the customer's shard last listed as offline orders (none before any run)."""
    shard = shard_of(heartbeat, customer_domain) if heartbeat else None
    if shard is None:
        return frozenset()
    return shard.offline_skus.get(customer_id, frozenset())


def held_offline_message(sku_name: str) -> str:
    return (
        f"This customer already has {sku_name} through an offline order, which Licence Manager "
        "does not manage; ask your account manager to change it."
    )
