"""The renewal planner of one annual licence: what it shows (GET), and changing its renewal type
(POST), a request apply_topup carries out exactly once like every change at Google; the route
answers 202 with the request to follow (200 when the same requestId asked before)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor, no_such_licence
from licence_manager.api.problems import Problem
from licence_manager.domain.model import Licence, LicenceKey
from licence_manager.domain.observation import REMOVED
from licence_manager.domain.renewal import (
    RENEWAL_FIELD,
    renewal_choices,
    renewal_label,
)
from licence_manager.domain.renewal_plan import renewal_plan
from licence_manager.domain.topup import RequestKind, TopUpRequest
from licence_manager.services.renewal_requests import CLIENT_KEY_FIELD, RenewalChangeRefused

renewal = Blueprint("renewal", __name__, url_prefix="/api/v1/customers/<customer_id>")


def _licence(customer_id: str, sku_id: str) -> Licence:
    key = LicenceKey(customer_id, sku_id)
    found: Licence | None = next(
        (
            lic
            for lic in current_app.config["STORE"].licences_of(customer_id)
            if lic.key == key and lic.usage.status != REMOVED
        ),
        None,
    )
    if found is None:
        raise Problem(404, "Not Found", no_such_licence(sku_id))
    return found


@renewal.get("/licences/<sku_id>/renewal")
def get_renewal(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """When the licence renews, what it renews as, the seats recommended, the warning when the
    setting re-commits more, and the settings that may be chosen (none unless annual)."""
    licence = _licence(customer_id, sku_id)
    store = current_app.config["STORE"]
    usage = licence.usage
    plan = renewal_plan(
        licence,
        store.licence_insights(customer_id),
        store.price_lookup(customer_id),
        datetime.now(UTC),
    )
    in_progress = next(
        (
            r
            for r in store.requests_of(licence.key)
            if r.kind is RequestKind.CHANGE_RENEWAL and r.status.in_progress
        ),
        None,
    )
    body: dict[str, Any] = {
        "skuId": sku_id,
        "skuName": usage.sku_name,
        "planName": usage.plan_name,
        "total": usage.total,
        "assigned": usage.assigned,
        "renewalType": usage.renewal_type,
        "renewalLabel": renewal_label(usage.renewal_type),
        "renewsOn": plan.when.renews_on.isoformat() if plan else None,
        "daysLeft": plan.when.days_left if plan else None,
        "recommendedSeats": plan.recommendation.seats if plan else None,
        "recommendation": plan.recommendation.words() if plan else "",
        "warning": plan.warning.words() if plan and plan.warning else "",
        "choices": [
            {"renewalType": c, "label": renewal_label(c)} for c in renewal_choices(usage.plan_name)
        ],
        "inProgress": renewal_request_json(in_progress) if in_progress else None,
    }
    return jsonify(body)


@renewal.post("/licences/<sku_id>/renewal")
def change_renewal(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """Change the renewal type: {renewalType, requestId}. requestId is the client's idempotency
    key: the same one again answers the same request (200), never a second change."""
    key = _licence(customer_id, sku_id).key
    body = request.get_json(silent=True)
    errors: dict[str, str] = {}
    if not isinstance(body, dict):
        body = {}
        errors[RENEWAL_FIELD] = 'Send {"renewalType", "requestId"}.'
    wanted, client_key = body.get(RENEWAL_FIELD), body.get(CLIENT_KEY_FIELD)
    if not isinstance(wanted, str):
        errors[RENEWAL_FIELD] = "Choose a renewal setting."
    if not isinstance(client_key, str):
        errors[CLIENT_KEY_FIELD] = "Send the request id made when the change was confirmed."
    for name in body:
        if name not in {RENEWAL_FIELD, CLIENT_KEY_FIELD}:
            errors[name] = "Unknown field."
    if errors:
        raise Problem(422, "Invalid renewal change", "Some fields need attention.", errors=errors)
    assert isinstance(wanted, str) and isinstance(client_key, str)
    try:
        asked = current_app.config["REQUEST_RENEWAL_CHANGE"](key, wanted, client_key, actor())
    except RenewalChangeRefused as error:
        if error.status == 404:
            raise Problem(404, "Not Found", no_such_licence(sku_id)) from error
        raise Problem(
            error.status, "Renewal change refused", str(error), errors=error.errors
        ) from error
    return jsonify(renewal_request_json(asked.request)), 202 if asked.created else 200


@renewal.get("/licences/<sku_id>/renewal/<request_id>")
def get_renewal_change(customer_id: str, sku_id: str, request_id: str) -> ResponseReturnValue:
    """Progress of a renewal change: PENDING, CLAIMED, then APPLIED, FAILED or SUPERSEDED."""
    found = current_app.config["STORE"].request(request_id)
    if (
        found is None
        or found.key != LicenceKey(customer_id, sku_id)
        or found.kind is not RequestKind.CHANGE_RENEWAL
    ):
        raise Problem(404, "Not Found", "There is no such renewal change for this licence.")
    return jsonify(renewal_request_json(found))


def renewal_request_json(r: TopUpRequest) -> dict[str, Any]:
    return {
        "id": r.request_id,
        "status": r.status.value,
        "renewalType": r.renewal_type,
        "renewalLabel": renewal_label(r.renewal_type),
        "renewalTypeBefore": r.renewal_type_before,
        "requestedBy": r.requested_by,
        "createdAt": r.created_at.isoformat(),
        "finishedAt": r.finished_at.isoformat() if r.finished_at else None,
        "message": r.message,
    }
