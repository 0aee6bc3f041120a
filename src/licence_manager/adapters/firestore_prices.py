"""The price list in Firestore, flat so account managers can export it from the console:
`prices/{skuId}_{planName}`, `price_discounts/{customerId}` and `price_changes/{changeId}` (who
changed what, when, before and after), each change written in one transaction with its record."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from google.cloud import firestore

from licence_manager.adapters.firestore_store import _data, in_transaction
from licence_manager.domain.prices import (
    Discount,
    Price,
    PriceChange,
    describe_discount,
    describe_price,
    price_id,
)
from licence_manager.ports.prices import PriceList

PRICES = "prices"
PRICE_DISCOUNTS = "price_discounts"
PRICE_CHANGES = "price_changes"


def price_to_doc(price: Price) -> dict[str, Any]:
    return {
        "skuId": price.sku_id,
        "skuName": price.sku_name,
        "planName": price.plan_name,
        "currency": price.currency,
        "perSeatMonthlyMinor": price.per_seat_monthly_minor,
        "updatedAt": price.updated_at,
        "updatedBy": price.updated_by,
    }


def price_from_doc(doc: dict[str, Any]) -> Price:
    return Price(
        doc["skuId"],
        doc.get("skuName", ""),
        doc["planName"],
        doc["currency"],
        int(doc["perSeatMonthlyMinor"]),
        doc.get("updatedAt"),
        doc.get("updatedBy", ""),
    )


def discount_from_doc(doc: dict[str, Any]) -> Discount:
    # Stored as a string: a float would turn 12.3 into 12.2999...
    return Discount(
        doc["customerId"],
        Decimal(str(doc["percent"])),
        doc.get("updatedAt"),
        doc.get("updatedBy", ""),
    )


def change_id(at: datetime) -> str:
    """Sorts by time, unique among changes made in the same microsecond."""
    return f"{at.isoformat()}-{uuid.uuid4().hex[:8]}"


class FirestorePriceList(PriceList):
    _db: firestore.Client

    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    def prices(self) -> list[Price]:
        found = [price_from_doc(_data(s)) for s in self._db.collection(PRICES).stream()]
        return sorted(found, key=lambda p: (p.sku_id, p.plan_name))

    def discount(self, customer_id: str) -> Discount | None:
        snap = self._db.collection(PRICE_DISCOUNTS).document(customer_id).get()
        return discount_from_doc(_data(snap)) if snap.exists else None

    def discounts(self) -> list[Discount]:
        found = [discount_from_doc(_data(s)) for s in self._db.collection(PRICE_DISCOUNTS).stream()]
        return sorted(found, key=lambda d: d.customer_id)

    def _record(
        self, tx: Any, kind: str, subject: str, before: str, after: str, by: str, at: datetime
    ) -> None:
        doc = {
            "kind": kind,
            "subject": subject,
            "before": before,
            "after": after,
            "by": by,
            "at": at,
        }
        tx.set(self._db.collection(PRICE_CHANGES).document(change_id(at)), doc)

    def save_price(self, price: Price) -> None:
        ref = self._db.collection(PRICES).document(price.doc_id)

        @firestore.transactional
        def run(tx: Any) -> None:
            snap = ref.get(transaction=tx)
            before = price_from_doc(_data(snap)) if snap.exists else None
            tx.set(ref, price_to_doc(price))
            self._record(
                tx,
                "price",
                price.doc_id,
                describe_price(before),
                describe_price(price),
                price.updated_by,
                price.updated_at or datetime.now().astimezone(),
            )

        in_transaction(self._db, run)

    def remove_price(self, sku_id: str, plan_name: str, by: str, at: datetime) -> bool:
        ref = self._db.collection(PRICES).document(price_id(sku_id, plan_name))

        @firestore.transactional
        def run(tx: Any) -> bool:
            snap = ref.get(transaction=tx)
            if not snap.exists:
                return False
            tx.delete(ref)
            before = describe_price(price_from_doc(_data(snap)))
            self._record(tx, "price", ref.id, before, describe_price(None), by, at)
            return True

        done: bool = in_transaction(self._db, run)
        return done

    def save_discount(
        self, customer_id: str, percent: Decimal | None, by: str, at: datetime
    ) -> Discount | None:
        ref = self._db.collection(PRICE_DISCOUNTS).document(customer_id)
        after = None if percent is None else Discount(customer_id, percent, at, by)

        @firestore.transactional
        def run(tx: Any) -> None:
            snap = ref.get(transaction=tx)
            before = discount_from_doc(_data(snap)) if snap.exists else None
            if after is None:
                tx.delete(ref)
            else:
                doc = {"customerId": customer_id, "percent": str(after.percent)}
                tx.set(ref, {**doc, "updatedAt": at, "updatedBy": by})
            self._record(
                tx,
                "discount",
                customer_id,
                describe_discount(before),
                describe_discount(after),
                by,
                at,
            )

        in_transaction(self._db, run)
        return after

    def price_changes(self, limit: int) -> list[PriceChange]:
        query = (
            self._db.collection(PRICE_CHANGES)
            .order_by("at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        return [
            PriceChange(s.id, d["kind"], d["subject"], d["before"], d["after"], d["by"], d["at"])
            for s in query.stream()
            for d in (_data(s),)
        ]
