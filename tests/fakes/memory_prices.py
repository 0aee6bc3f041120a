"""In-memory fake of the price list, held to the Firestore one by tests/contract."""

from __future__ import annotations

import threading
from datetime import datetime
from decimal import Decimal

from licence_manager.adapters.firestore_prices import change_id
from licence_manager.domain.prices import (
    Discount,
    Price,
    PriceChange,
    describe_discount,
    describe_price,
    price_id,
)
from licence_manager.ports.prices import PriceList


class InMemoryPriceList(PriceList):
    def __init__(self) -> None:
        self._price_lock = threading.Lock()
        self.price_records: dict[str, Price] = {}
        self.discount_records: dict[str, Discount] = {}
        self.change_records: list[PriceChange] = []

    def prices(self) -> list[Price]:
        with self._price_lock:
            return sorted(self.price_records.values(), key=lambda p: (p.sku_id, p.plan_name))

    def discount(self, customer_id: str) -> Discount | None:
        with self._price_lock:
            return self.discount_records.get(customer_id)

    def discounts(self) -> list[Discount]:
        with self._price_lock:
            return sorted(self.discount_records.values(), key=lambda d: d.customer_id)

    def _record(
        self, kind: str, subject: str, before: str, after: str, by: str, at: datetime
    ) -> None:
        change = PriceChange(change_id(at), kind, subject, before, after, by, at)
        self.change_records.append(change)

    def save_price(self, price: Price) -> None:
        with self._price_lock:
            before = self.price_records.get(price.doc_id)
            self.price_records[price.doc_id] = price
            at = price.updated_at or datetime.now().astimezone()
            self._record(
                "price",
                price.doc_id,
                describe_price(before),
                describe_price(price),
                price.updated_by,
                at,
            )

    def remove_price(self, sku_id: str, plan_name: str, by: str, at: datetime) -> bool:
        doc_id = price_id(sku_id, plan_name)
        with self._price_lock:
            before = self.price_records.pop(doc_id, None)
            if before is None:
                return False
            self._record("price", doc_id, describe_price(before), describe_price(None), by, at)
            return True

    def save_discount(
        self, customer_id: str, percent: Decimal | None, by: str, at: datetime
    ) -> Discount | None:
        after = None if percent is None else Discount(customer_id, percent, at, by)
        with self._price_lock:
            before = self.discount_records.pop(customer_id, None)
            if after is not None:
                self.discount_records[customer_id] = after
            self._record(
                "discount", customer_id, describe_discount(before), describe_discount(after), by, at
            )
        return after

    def price_changes(self, limit: int) -> list[PriceChange]:
        with self._price_lock:
            newest = sorted(self.change_records, key=lambda c: c.at, reverse=True)
        return newest[:limit]
