"""A stored seat holder as the Reclaim page reads it: the holder sync's record
(domain.holders.HolderRecord, one `seat_holders` document) seen as a SeatHolder, with the reason
the sync found it reclaimable as a ReclaimReason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from licence_manager.domain.holders import HolderRecord, user_key
from licence_manager.domain.reclaim import GOOGLE_NEVER, ReclaimReason, SeatHolder, google_time


@dataclass(frozen=True, slots=True)
class ReclaimRecord:
    customer_id: str
    customer_domain: str
    product_id: str
    holder: SeatHolder
    reclaim_reason: ReclaimReason | None  # None: not reclaimable when the sync judged it
    synced_at: datetime

    @property
    def doc_id(self) -> str:
        h = self.holder
        return f"{self.customer_id}_{h.sku_id}_{user_key(h.user_id, h.email)}"


def reclaim_record(stored: HolderRecord) -> ReclaimRecord:
    """The holder sync's record as the page reads it. An unknown creation time (no Directory
    user joined) reads as Google's "never" value; a reason a newer version wrote, as none."""
    try:
        reason = ReclaimReason(stored.reclaim_reason) if stored.reclaim_reason else None
    except ValueError:
        reason = None
    holder = SeatHolder(
        email=stored.email,
        user_id=stored.user_id,
        sku_id=stored.sku_id,
        suspended=stored.suspended,
        archived=stored.archived,
        created_at=stored.created_at or GOOGLE_NEVER,
        last_login=google_time(stored.last_login),
        last_activity=google_time(stored.last_activity),
        activity_as_of=stored.activity_as_of,
    )
    return ReclaimRecord(
        stored.customer_id,
        stored.customer_domain,
        stored.product_id,
        holder,
        reason,
        stored.synced_at,
    )


def holder_record(record: ReclaimRecord) -> HolderRecord:
    """Back to the holder sync's record (seeding tests and demos write through it)."""
    h = record.holder
    return HolderRecord(
        customer_id=record.customer_id,
        customer_domain=record.customer_domain,
        product_id=record.product_id,
        sku_id=h.sku_id,
        email=h.email,
        user_id=h.user_id,
        suspended=h.suspended,
        archived=h.archived,
        created_at=google_time(h.created_at),
        last_login=google_time(h.last_login),
        last_activity=google_time(h.last_activity),
        activity_as_of=h.activity_as_of,
        reclaim_reason=record.reclaim_reason.value if record.reclaim_reason else "",
        synced_at=record.synced_at,
    )
