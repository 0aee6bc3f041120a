"""The price catalogue and purchases of SKUs a customer does not have yet. A purchase is a
request that apply_topup carries out (subscriptions.insert), like every seat change."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor
from licence_manager.api.automation_routes import request_json
from licence_manager.api.problems import Problem
from licence_manager.domain.catalogue import PLANS, SKUS
from licence_manager.domain.model import TRIAL_SEAT_CAP
from licence_manager.domain.observation import REMOVED
from licence_manager.domain.offline import offline_skus_of
from licence_manager.domain.prices import PriceLookup
from licence_manager.domain.topup import RequestKind
from licence_manager.ports.dashboard import ApiStore
from licence_manager.services.purchases import PurchaseRefused

purchases = Blueprint("purchases", __name__, url_prefix="/api/v1")


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def _price_json(price_of: PriceLookup, sku_id: str, plan: str) -> dict[str, Any] | None:
    price = price_of(sku_id, plan)
    if price is None:
        return None
    return {"perSeatMonthlyMinor": price.per_seat_monthly_minor, "currency": price.currency}


def catalogue_json(
    price_of: PriceLookup, owned: set[str] | None = None, held_offline: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """`owned`: the SKUs the customer has (None: no customer); `held_offline`: those of them
    bought through an offline order, which Licence Manager does not manage."""
    return {
        "plans": [
            {
                "planName": plan.plan_name,
                "label": plan.label,
                "explanation": plan.explanation,
                "maxSeats": TRIAL_SEAT_CAP if plan.plan_name == "TRIAL" else None,
            }
            for plan in PLANS.values()
        ],
        "skus": [
            {
                "skuId": sku.sku_id,
                "skuName": sku.sku_name,
                # minor units per seat per month, excluding VAT; null: no price set
                "prices": {plan: _price_json(price_of, sku.sku_id, plan) for plan in PLANS},
                **(
                    {
                        "owned": sku.sku_id in owned or sku.sku_id in held_offline,
                        "heldOffline": sku.sku_id in held_offline,
                    }
                    if owned is not None
                    else {}
                ),
            }
            for sku in SKUS.values()
        ],
    }


@purchases.get("/catalogue")
def catalogue() -> ResponseReturnValue:
    """Every SKU the reseller sells, its plans and list prices per seat per month."""
    return jsonify(catalogue_json(_store().price_lookup(None)))


@purchases.get("/customers/<customer_id>/catalogue")
def customer_catalogue(customer_id: str) -> ResponseReturnValue:
    """The catalogue marked with the SKUs this customer already has, online or offline."""
    store = _store()
    owned = {
        lic.key.sku_id for lic in store.licences_of(customer_id) if lic.usage.status != REMOVED
    }
    customer = store.customer(customer_id)
    domain = customer.customer_domain if customer else ""
    held_offline = offline_skus_of(store.sync_heartbeat(), domain, customer_id)
    return jsonify(catalogue_json(store.price_lookup(customer_id), owned, held_offline))


@purchases.post("/customers/<customer_id>/purchases")
def purchase(customer_id: str) -> ResponseReturnValue:
    """Buy a SKU: 202 and the request, whose progress GET .../purchases/<id> shows."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(422, "Invalid purchase", 'Send {"skuId", "planName", "seats"}.')
    errors: dict[str, str] = {}
    sku_id, plan_name, seats = body.get("skuId"), body.get("planName"), body.get("seats")
    if not isinstance(sku_id, str) or not sku_id:
        errors["skuId"] = "Choose a SKU."
    if not isinstance(plan_name, str) or not plan_name:
        errors["planName"] = "Choose a plan."
    if not isinstance(seats, int) or isinstance(seats, bool):
        errors["seats"] = "Must be a whole number."
    for name in body:
        if name not in {"skuId", "planName", "seats"}:
            errors[name] = "Unknown field."
    if errors:
        raise Problem(422, "Invalid purchase", "Some fields need attention.", errors=errors)
    assert isinstance(sku_id, str) and isinstance(plan_name, str) and isinstance(seats, int)
    try:
        bought = current_app.config["REQUEST_PURCHASE"](
            customer_id, sku_id, plan_name, seats, actor()
        )
    except PurchaseRefused as error:
        raise Problem(
            error.status, "Purchase refused", str(error), errors={error.field: str(error)}
        ) from error
    return jsonify(request_json(bought)), 202


@purchases.get("/customers/<customer_id>/purchases/<request_id>")
def get_purchase(customer_id: str, request_id: str) -> ResponseReturnValue:
    """Progress of a purchase: PENDING, CLAIMED, then APPLIED, FAILED or SUPERSEDED."""
    found = _store().request(request_id)
    if (
        found is None
        or found.key.customer_id != customer_id
        or found.kind is not RequestKind.INSERT
    ):
        raise Problem(404, "Not Found", "There is no such purchase for this customer.")
    return jsonify({**request_json(found), "skuId": found.key.sku_id, "planName": found.plan_name})
