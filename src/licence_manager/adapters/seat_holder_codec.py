"""seat_holders documents as the Reclaim page reads them: the holder sync's codec
(adapters.firestore_holders), seen through domain.seat_holders."""

from __future__ import annotations

from licence_manager.adapters.firestore_codec import Document
from licence_manager.adapters.firestore_holders import (
    SEAT_HOLDERS,
    holder_from_doc,
    holder_to_doc,
)
from licence_manager.domain.seat_holders import ReclaimRecord, holder_record, reclaim_record

__all__ = ["SEAT_HOLDERS", "seat_holder_from_doc", "seat_holder_to_doc"]


def seat_holder_to_doc(record: ReclaimRecord) -> Document:
    return holder_to_doc(holder_record(record))


def seat_holder_from_doc(doc: Document) -> ReclaimRecord:
    return reclaim_record(holder_from_doc(doc))
