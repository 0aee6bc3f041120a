"""My Licences' two summaries: how fresh the figures are (from the sync's heartbeat) and the
figures over all of a customer's licences with an estimate of the monthly spend. Both are
customer routes, so api.auth has checked the customer for the signed-in user already."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import path_customer
from licence_manager.domain.freshness import Freshness, freshness_of
from licence_manager.domain.licence_figures import LicenceFigures, summarise
from licence_manager.domain.prices import PriceLookup
from licence_manager.domain.spending import LIMIT_CURRENCY
from licence_manager.ports.dashboard import ApiStore

freshness = Blueprint("freshness", __name__, url_prefix="/api/v1/customers/<customer_id>")


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def _now() -> datetime:
    # A test may set CLOCK; otherwise the wall clock.
    clock: Callable[[], datetime] = current_app.config.get("CLOCK") or (lambda: datetime.now(UTC))
    return clock()


class _SeatPrices:
    """The customer's prices (the reseller's list less their discount) as the summary needs
    them: pence a seat. A total is only honest in one currency: a price in another currency
    than the first one met counts as not set (and the note names its licence)."""

    def __init__(self, prices: PriceLookup) -> None:
        self._prices = prices
        self.currency: str | None = None

    def __call__(self, sku_id: str, plan_name: str) -> int | None:
        price = self._prices(sku_id, plan_name)
        if price is None or price.currency != (self.currency or price.currency):
            return None
        self.currency = price.currency
        return price.per_seat_monthly_minor


@freshness.get("/sync-status")
def sync_status(customer_id: str) -> ResponseReturnValue:
    """When these figures were last checked with Google, how often they should be, and why not
    (the sync's heartbeat: one document read)."""
    customer = path_customer()
    seen = freshness_of(
        _store().sync_heartbeat(),
        customer.customer_id,
        customer.customer_domain,
        _now(),
        customer.time_zone,
    )
    return jsonify(freshness_json(seen, customer.time_zone))


def freshness_json(seen: Freshness, time_zone: str) -> dict[str, Any]:
    return {
        "state": seen.state.value,
        "checkedAt": seen.checked_at.isoformat() if seen.checked_at else None,
        "intervalSeconds": seen.interval_seconds,
        "staleAfterSeconds": seen.stale_after_seconds,
        "reason": seen.reason,
        "summary": seen.summary,
        "warning": seen.warning,
        "timeZone": time_zone,
    }


@freshness.get("/licence-summary")
def licence_summary(customer_id: str) -> ResponseReturnValue:
    """SKUs, seats, assigned, vacant, and the monthly spend estimated from the price list."""
    store = _store()
    prices = _SeatPrices(store.price_lookup(customer_id))
    figures = summarise(store.licences_of(customer_id), prices)
    return jsonify(figures_json(figures, prices.currency or LIMIT_CURRENCY))


def figures_json(figures: LicenceFigures, currency: str) -> dict[str, Any]:
    return {
        "skus": figures.skus,
        "seats": figures.seats,
        "assigned": figures.assigned,
        "vacant": figures.vacant,
        "utilisation": round(figures.utilisation, 4),
        "currency": currency,
        "estimatedMonthlySpendMinor": figures.monthly_spend_minor,
        "pricesMissing": figures.prices_missing,
        "unpricedSkus": list(figures.unpriced_skus),
        "notBilledSkus": list(figures.not_billed_skus),
        "note": _spend_note(figures),
    }


def _spend_note(figures: LicenceFigures) -> str:
    note = (
        "An estimate, excluding VAT: annual plans at their committed seats, flexible plans at "
        "their assigned users, at your prices."
    )
    if figures.prices_missing:
        note += f" Some prices are not set ({', '.join(figures.unpriced_skus)}): not included."
    if figures.not_billed_skus:
        note += f" Not counted while suspended or pending: {', '.join(figures.not_billed_skus)}."
    return note
