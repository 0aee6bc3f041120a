"""One stored seat holder: a SeatHolder with where it belongs (customer, product) and the reason
the holder sync found it reclaimable, as `seat_holders/{customerId}_{skuId}_{userKey}` keeps it
(docs/architecture.md, "Firestore layout"). The holder sync writes these; the Reclaim page reads
them a page at a time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from licence_manager.domain.reclaim import ReclaimReason, SeatHolder


def user_key(email: str, user_id: str) -> str:
    """The Directory's user id; when the join found no Directory user, `e-` and 16 hex of the
    address's hash (stable, and no address in the document id)."""
    if user_id:
        return user_id
    return "e-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class HolderRecord:
    customer_id: str
    customer_domain: str
    product_id: str
    holder: SeatHolder
    reclaim_reason: ReclaimReason | None  # None: not reclaimable when the sync judged it
    synced_at: datetime

    @property
    def doc_id(self) -> str:
        h = self.holder
        return f"{self.customer_id}_{h.sku_id}_{user_key(h.email, h.user_id)}"
