"""The reseller's price list: everyone signed in reads the list prices (a customer's own
discount with them); reseller ops change prices and discounts (services.prices)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor, current_user, require_reseller_ops
from licence_manager.api.problems import Problem
from licence_manager.domain.price_input import PriceError
from licence_manager.domain.prices import Discount, Price, PriceChange
from licence_manager.ports.dashboard import ApiStore
from licence_manager.services import prices as price_service

prices = Blueprint("prices", __name__, url_prefix="/api/v1")
RECENT_CHANGES = 20
PRICE_FIELDS = ("currency", "perSeatMonthlyMinor", "skuName")


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def price_json(price: Price) -> dict[str, Any]:
    return {
        "skuId": price.sku_id,
        "skuName": price.sku_name,
        "planName": price.plan_name,
        "currency": price.currency,
        "perSeatMonthlyMinor": price.per_seat_monthly_minor,
        "updatedAt": price.updated_at.isoformat() if price.updated_at else None,
        "updatedBy": price.updated_by or None,
    }


def discount_json(discount: Discount) -> dict[str, Any]:
    return {
        "customerId": discount.customer_id,
        "percent": float(discount.percent),
        "updatedAt": discount.updated_at.isoformat() if discount.updated_at else None,
        "updatedBy": discount.updated_by or None,
    }


def change_json(change: PriceChange) -> dict[str, Any]:
    return {
        "id": change.change_id,
        "kind": change.kind,
        "subject": change.subject,
        "before": change.before,
        "after": change.after,
        "by": change.by,
        "at": change.at.isoformat(),
    }


@prices.get("/prices")
def list_prices() -> ResponseReturnValue:
    """The list prices, the discounts of the customers the user may see, and (reseller ops
    only) the latest changes."""
    user = current_user()
    store = _store()
    body: dict[str, Any] = {
        "prices": [price_json(p) for p in store.prices()],
        "discounts": [discount_json(d) for d in store.discounts() if user.can_read(d.customer_id)],
    }
    if user.sees_every_customer:
        body["changes"] = [change_json(c) for c in store.price_changes(RECENT_CHANGES)]
    return jsonify(body)


def _invalid(error: PriceError) -> Problem:
    return Problem(422, "Invalid price", "Some fields need attention.", errors=error.problems)


@prices.put("/prices/<sku_id>/<plan_name>")
def put_price(sku_id: str, plan_name: str) -> ResponseReturnValue:
    """Create or replace the price of one SKU on one plan (reseller ops only)."""
    require_reseller_ops()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(422, "Invalid price", 'Send {"currency", "perSeatMonthlyMinor"}.')
    unknown = {name: "Unknown field." for name in body if name not in PRICE_FIELDS}
    try:
        if unknown:
            raise PriceError(unknown)
        price = price_service.set_price(
            _store(),
            sku_id=sku_id,
            plan_name=plan_name,
            currency=body.get("currency"),
            per_seat_minor=body.get("perSeatMonthlyMinor"),
            sku_name=body.get("skuName"),
            by=actor(),
            at=datetime.now(UTC),
        )
    except PriceError as error:
        raise _invalid(error) from None
    return jsonify(price_json(price))


@prices.delete("/prices/<sku_id>/<plan_name>")
def delete_price(sku_id: str, plan_name: str) -> ResponseReturnValue:
    """Remove a price: the SKU then shows "No price set" on that plan (reseller ops only)."""
    require_reseller_ops()
    removed = price_service.remove_price(
        _store(), sku_id, plan_name, by=actor(), at=datetime.now(UTC)
    )
    if not removed:
        raise Problem(404, "Not Found", f"No price is set for {sku_id} on {plan_name}.")
    return "", 204


@prices.put("/customers/<customer_id>/price-discount")
def put_discount(customer_id: str) -> ResponseReturnValue:
    """Set the customer's discount off every list price (reseller ops only)."""
    require_reseller_ops()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"percent"}:
        raise Problem(
            422,
            "Invalid discount",
            'Send {"percent": 12.5}.',
            errors={"percent": "Required, and the only field."},
        )
    try:
        discount = price_service.set_discount(
            _store(), customer_id, body["percent"], by=actor(), at=datetime.now(UTC)
        )
    except PriceError as error:
        raise Problem(
            422, "Invalid discount", "Some fields need attention.", errors=error.problems
        ) from None
    assert discount is not None
    return jsonify(discount_json(discount))


@prices.delete("/customers/<customer_id>/price-discount")
def delete_discount(customer_id: str) -> ResponseReturnValue:
    """Clear the customer's discount: they pay list prices (reseller ops only)."""
    require_reseller_ops()
    price_service.set_discount(_store(), customer_id, None, by=actor(), at=datetime.now(UTC))
    return "", 204
