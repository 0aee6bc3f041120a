"""Spending limits and approvals (security review #11): requests above a customer's limit wait
for reseller ops, who approve or decline them here. The decisions are made in
services.approvals; the routes only check who asks and what they sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor, require_reseller_ops
from licence_manager.api.automation_routes import request_json
from licence_manager.api.context import unit_of_work
from licence_manager.api.problems import Problem
from licence_manager.domain import spending
from licence_manager.domain.automation import month_of
from licence_manager.domain.catalogue import SKUS
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports.dashboard import ApiStore
from licence_manager.services.approvals import NoSuchRequest, NotAwaitingApproval
from licence_manager.services.spending import set_spending_limit, spending_limit

approvals = Blueprint("approvals", __name__, url_prefix="/api/v1")
MAX_NOTE = 500


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def _limit_json(limit: spending.SpendingLimit, spent: int) -> dict[str, Any]:
    return {
        "customerId": limit.customer_id,
        "maxSeatsPerRequest": limit.max_seats_per_request,
        "maxMonthlyCostMinor": limit.max_monthly_cost_minor,
        "currency": limit.currency,
        "spentThisMonthMinor": spent,
        "updatedBy": limit.updated_by or None,
        "updatedAt": limit.updated_at.isoformat() if limit.updated_at else None,
    }


def _spent(customer_id: str) -> int:
    customer = _store().customer(customer_id)
    time_zone = customer.time_zone if customer else "Europe/London"
    now = datetime.now(UTC)
    earlier = _store().requests_of_customer_since(customer_id, now - timedelta(days=31))
    price_of = _store().price_lookup(customer_id)
    return spending.spent_this_month(earlier, month_of(now, time_zone), time_zone, price_of)


@approvals.get("/customers/<customer_id>/spending-limit")
def get_spending_limit(customer_id: str) -> ResponseReturnValue:
    """The customer's spending limits and this month's estimate (readable by its users)."""
    limit = spending_limit(unit_of_work(), customer_id)
    return jsonify(_limit_json(limit, _spent(customer_id)))


@approvals.put("/customers/<customer_id>/spending-limit")
def put_spending_limit(customer_id: str) -> ResponseReturnValue:
    """Reseller ops set both limits: seats per request and whole pounds a month."""
    require_reseller_ops()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(
            422, "Invalid spending limit", 'Send {"maxSeatsPerRequest", "maxMonthlyPounds"}.'
        )
    fields = ("maxSeatsPerRequest", "maxMonthlyPounds")
    errors = {name: "Unknown field." for name in body if name not in fields}
    errors.update({name: "Required." for name in fields if body.get(name) is None})
    errors.update(spending.limit_problems(body.get(fields[0]), body.get(fields[1])))
    if errors:
        raise Problem(422, "Invalid spending limit", "Some fields need attention.", errors=errors)
    limit = set_spending_limit(
        unit_of_work(),
        customer_id,
        seats_per_request=body[fields[0]],
        monthly_cost_minor=body[fields[1]] * 100,
        by=actor(),
        at=datetime.now(UTC),
    )
    return jsonify(_limit_json(limit, _spent(customer_id)))


def _approval_json(r: TopUpRequest) -> dict[str, Any]:
    customer = _store().customer(r.key.customer_id)
    price = spending.request_price(r, _store().price_lookup(r.key.customer_id))
    return {
        **request_json(r),
        "customerId": r.key.customer_id,
        "customerName": customer.name if customer else "",
        "customerDomain": customer.customer_domain if customer else "",
        "skuId": r.key.sku_id,
        "skuName": SKUS[r.key.sku_id].sku_name if r.key.sku_id in SKUS else r.key.sku_id,
        "planName": r.plan_name,
        "kind": r.kind.value,
        "requestedBy": r.requested_by,
        "estimatedMonthlyCostMinor": (
            None if price is None else price.per_seat_monthly_minor * r.seats_to_add
        ),
        "currency": None if price is None else price.currency,
        "expiresAt": (r.created_at + spending.APPROVAL_EXPIRY).isoformat(),
    }


@approvals.get("/approvals")
def list_approvals() -> ResponseReturnValue:
    """Requests above a customer's spending limit, oldest first (reseller ops only)."""
    require_reseller_ops()
    waiting = _store().requests_awaiting_approval()
    return jsonify({"approvals": [_approval_json(r) for r in waiting]})


@approvals.post("/approvals/<request_id>")
def decide(request_id: str) -> ResponseReturnValue:
    """Approve (it goes to apply_topup) or decline (it fails, with an email) one request."""
    require_reseller_ops()
    body = request.get_json(silent=True)
    errors: dict[str, str] = {}
    if not isinstance(body, dict):
        body = {}
        errors["decision"] = 'Send {"decision": "approve" | "decline", "note": "..."}.'
    decision, note = body.get("decision"), body.get("note", "")
    if decision not in ("approve", "decline"):
        errors["decision"] = 'Must be "approve" or "decline".'
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        errors["note"] = f"Must be text of at most {MAX_NOTE} characters."
    errors.update({name: "Unknown field." for name in body if name not in ("decision", "note")})
    if errors:
        raise Problem(422, "Invalid decision", "Some fields need attention.", errors=errors)
    try:
        decided = current_app.config["DECIDE_APPROVAL"](
            request_id, decision == "approve", actor(), str(note).strip()
        )
    except NoSuchRequest as error:
        raise Problem(
            404, "Not Found", "There is no such request: it may have been removed."
        ) from error
    except NotAwaitingApproval as error:
        raise Problem(409, "Conflict", str(error)) from error
    return jsonify(_approval_json(decided))
