"""The emergency stop (security review #14): every signed-in user sees whether buying is
paused (the dashboard shows a banner); only reseller ops switch it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor, require_reseller_ops
from licence_manager.api.context import unit_of_work
from licence_manager.api.problems import Problem
from licence_manager.domain.buying import BuyingControl
from licence_manager.services.buying_control import set_buying_paused

buying = Blueprint("buying", __name__, url_prefix="/api/v1")
MAX_REASON = 500


def _control_json(control: BuyingControl) -> dict[str, Any]:
    return {
        "paused": control.paused,
        "reason": control.reason,
        "changedBy": control.changed_by or None,
        "changedAt": control.changed_at.isoformat() if control.changed_at else None,
    }


@buying.get("/buying")
def get_buying() -> ResponseReturnValue:
    """Whether buying is paused for every customer, why, by whom and since when."""
    return jsonify(_control_json(unit_of_work().run(lambda tx: tx.buying_control())))


@buying.put("/buying")
def put_buying() -> ResponseReturnValue:
    """Pause (with a reason) or resume all buying (reseller ops only)."""
    require_reseller_ops()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        body = {}
    paused, reason = body.get("paused"), body.get("reason", "")
    errors: dict[str, str] = {}
    if not isinstance(paused, bool):
        errors["paused"] = "Must be true or false."
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        errors["reason"] = f"Must be text of at most {MAX_REASON} characters."
    elif paused is True and not reason.strip():
        errors["reason"] = "Say why buying is paused; every user sees it."
    errors.update({name: "Unknown field." for name in body if name not in ("paused", "reason")})
    if errors:
        raise Problem(422, "Invalid buying switch", "Some fields need attention.", errors=errors)
    assert isinstance(paused, bool) and isinstance(reason, str)
    control = set_buying_paused(unit_of_work(), paused, actor(), datetime.now(UTC), reason.strip())
    return jsonify(_control_json(control))
