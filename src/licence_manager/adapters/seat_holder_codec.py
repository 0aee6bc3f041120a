"""seat_holders/{customerId}_{skuId}_{userKey} documents to HolderRecords and back. Field names
and values are the export contract (docs/architecture.md, "Firestore layout"), shared with the
holder sync that writes them: times are Firestore timestamps or null (lastLogin null: never
signed in), activityAsOf a YYYY-MM-DD string or null, reclaimReason "" when not reclaimable."""

from __future__ import annotations

from datetime import date, datetime

from licence_manager.adapters.firestore_codec import Document, plain_datetime
from licence_manager.domain.reclaim import GOOGLE_NEVER, ReclaimReason, SeatHolder, google_time
from licence_manager.domain.seat_holders import HolderRecord

SEAT_HOLDERS = "seat_holders"


def seat_holder_to_doc(record: HolderRecord) -> Document:
    h = record.holder
    return {
        "customerId": record.customer_id,
        "customerDomain": record.customer_domain,
        "productId": record.product_id,
        "skuId": h.sku_id,
        "email": h.email,
        "userId": h.user_id,
        "suspended": h.suspended,
        "archived": h.archived,
        # Unknown creation time (no Directory user joined) is kept in the domain as Google's
        # "never" value and written as null, like an unknown last login.
        "createdAt": google_time(h.created_at),
        "lastLogin": google_time(h.last_login),
        "lastActivity": google_time(h.last_activity),
        "activityAsOf": h.activity_as_of.isoformat() if h.activity_as_of else None,
        "reclaimReason": record.reclaim_reason.value if record.reclaim_reason else "",
        "syncedAt": record.synced_at,
    }


def seat_holder_from_doc(doc: Document) -> HolderRecord:
    holder = SeatHolder(
        email=doc["email"],
        user_id=doc.get("userId") or "",
        sku_id=doc["skuId"],
        suspended=bool(doc.get("suspended", False)),
        archived=bool(doc.get("archived", False)),
        created_at=_time(doc.get("createdAt")) or GOOGLE_NEVER,
        last_login=_time(doc.get("lastLogin")),
        last_activity=_time(doc.get("lastActivity")),
        activity_as_of=date.fromisoformat(doc["activityAsOf"]) if doc.get("activityAsOf") else None,
    )
    return HolderRecord(
        customer_id=doc["customerId"],
        customer_domain=doc.get("customerDomain", ""),
        product_id=doc.get("productId", ""),
        holder=holder,
        reclaim_reason=_reason(doc.get("reclaimReason")),
        synced_at=plain_datetime(doc["syncedAt"]),
    )


def _time(value: datetime | None) -> datetime | None:
    return google_time(plain_datetime(value)) if value is not None else None


def _reason(value: str | None) -> ReclaimReason | None:
    try:
        return ReclaimReason(value) if value else None
    except ValueError:  # a reason a newer version wrote: not one this page can explain
        return None
