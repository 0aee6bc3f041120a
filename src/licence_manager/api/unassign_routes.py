"""Unassigning a reclaimable add-on seat from the Reclaim page (POST), a request apply_topup
carries out exactly once like every change at Google; the route answers 202 with the request to
follow (200 when the same requestId asked before), and GET follows it. Customer admins and
reseller ops may ask (api.auth.authorize refuses a role that may only read, 403)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor
from licence_manager.api.problems import Problem
from licence_manager.domain.topup import RequestKind, TopUpRequest
from licence_manager.services.renewal_requests import CLIENT_KEY_FIELD
from licence_manager.services.unassign_requests import SeatToUnassign, UnassignRefused

unassign = Blueprint("unassign", __name__, url_prefix="/api/v1/customers/<customer_id>")

FIELDS = {"skuId", "email", "userId", CLIENT_KEY_FIELD}
MAX_TEXT = 320  # the longest email address; SKU ids and Directory ids are far shorter


@unassign.post("/reclaim/unassign")
def unassign_seat(customer_id: str) -> ResponseReturnValue:
    """{skuId, email, userId, requestId}: the seat as the Reclaim page lists it (userId "" when
    it shows none); requestId is the client's idempotency key."""
    body = request.get_json(silent=True)
    errors: dict[str, str] = {}
    if not isinstance(body, dict):
        body = {}
        errors["email"] = 'Send {"skuId", "email", "userId", "requestId"}.'
    text: dict[str, str] = {}
    for name in sorted(FIELDS):
        value = body.get(name, "" if name == "userId" else None)
        if isinstance(value, str) and len(value) <= MAX_TEXT:
            text[name] = value
        elif name == CLIENT_KEY_FIELD:
            errors[name] = "Send the request id made when it was confirmed."
        else:
            errors[name] = "Send it as the Reclaim page lists it."
    for name in body:
        if name not in FIELDS:
            errors[name] = "Unknown field."
    if errors:
        raise Problem(422, "Invalid unassign", "Some fields need attention.", errors=errors)
    seat = SeatToUnassign(customer_id, text["skuId"], text["email"], text["userId"])
    try:
        asked = current_app.config["REQUEST_UNASSIGN"](seat, text[CLIENT_KEY_FIELD], actor())
    except UnassignRefused as error:
        title = "Not Found" if error.status == 404 else "Unassign refused"
        raise Problem(error.status, title, str(error), errors=error.errors) from error
    return jsonify(unassign_json(asked.request)), 202 if asked.created else 200


@unassign.get("/reclaim/unassign/<request_id>")
def get_unassign(customer_id: str, request_id: str) -> ResponseReturnValue:
    """Progress of an unassign: PENDING, CLAIMED, then APPLIED or FAILED."""
    found = current_app.config["STORE"].request(request_id)
    mine = found is not None and found.key.customer_id == customer_id
    if not mine or found.kind is not RequestKind.UNASSIGN:
        raise Problem(404, "Not Found", "There is no such unassign for this customer.")
    return jsonify(unassign_json(found))


def unassign_json(r: TopUpRequest) -> dict[str, Any]:
    return {
        "id": r.request_id,
        "status": r.status.value,
        "skuId": r.key.sku_id,
        "email": r.user_email,
        "userId": r.user_id,
        "planName": r.plan_name,
        "requestedBy": r.requested_by,
        "createdAt": r.created_at.isoformat(),
        "finishedAt": r.finished_at.isoformat() if r.finished_at else None,
        "message": r.message,
    }
