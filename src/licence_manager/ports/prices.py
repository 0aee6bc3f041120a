"""Where the reseller's price list is kept: a price per SKU and plan, a discount per customer,
and a record of every change to either (who, when, before and after), written together."""

from __future__ import annotations

import abc
from datetime import datetime
from decimal import Decimal

from licence_manager.domain.prices import Discount, Price, PriceChange, PriceLookup, lookup_from


class PriceList(abc.ABC):
    @abc.abstractmethod
    def prices(self) -> list[Price]:
        """Every price, by SKU id then plan name."""

    @abc.abstractmethod
    def discount(self, customer_id: str) -> Discount | None: ...

    @abc.abstractmethod
    def discounts(self) -> list[Discount]:
        """Every customer discount, by customer id."""

    @abc.abstractmethod
    def save_price(self, price: Price) -> None:
        """Create or replace the price (its updated_at/updated_by say who and when) and record
        the change with it."""

    @abc.abstractmethod
    def remove_price(self, sku_id: str, plan_name: str, by: str, at: datetime) -> bool:
        """Remove the price and record it; False, recording nothing, when there was none."""

    @abc.abstractmethod
    def save_discount(
        self, customer_id: str, percent: Decimal | None, by: str, at: datetime
    ) -> Discount | None:
        """Set (or, with None, clear) the customer's discount and record it; the discount."""

    @abc.abstractmethod
    def price_changes(self, limit: int) -> list[PriceChange]:
        """The latest changes, newest first."""

    def price_lookup(self, customer_id: str | None) -> PriceLookup:
        """One customer's prices (list price less their discount; None: list price), read once:
        the price list is a few dozen documents."""
        discount = self.discount(customer_id) if customer_id else None
        return lookup_from(self.prices(), discount)
