"""The anomaly guard in the dashboard: resume a licence's paused automatic top-ups, and read or
change the customer's thresholds. Customer admins and reseller ops change them; account
managers read them (api.auth.authorize checks the role before these run)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor, current_user
from licence_manager.api.context import now, unit_of_work
from licence_manager.api.licence_routes import pause_json
from licence_manager.api.problems import Problem
from licence_manager.domain.anomaly import (
    MAX_MIN_USERS,
    AnomalyPolicy,
    TopUpPause,
    policy_problems,
)
from licence_manager.domain.model import LicenceKey
from licence_manager.services.anomaly import (
    NotPaused,
    anomaly_policy,
    resume_top_ups,
    set_anomaly_policy,
)

anomaly = Blueprint("anomaly", __name__, url_prefix="/api/v1/customers/<customer_id>")

Resume = Callable[[LicenceKey, str], TopUpPause]


@anomaly.post("/licences/<sku_id>/resume-top-ups")
def resume_licence_top_ups(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """Lift the anomaly guard's pause (audited with the signed-in user), then evaluate the
    licence at once. 409 when it is not paused (a second click finds it lifted)."""
    key = LicenceKey(customer_id, sku_id)
    resume: Resume | None = current_app.config.get("RESUME_TOP_UPS")
    try:
        if resume is not None:
            lifted = resume(key, actor())
        else:  # an app built without Pub/Sub: the next usage change evaluates it
            lifted = resume_top_ups(unit_of_work(), key, actor(), now())
    except NotPaused as error:
        raise Problem(409, "Not paused", "Automatic top-ups of this SKU are not paused.") from error
    return jsonify({"resumed": True, "pause": pause_json(lifted)})


def policy_json(customer_id: str, policy: AnomalyPolicy) -> dict[str, Any]:
    return {
        "customerId": customer_id,
        "minUsers": policy.min_users,
        "minPercent": policy.min_percent,
        "maxMinUsers": MAX_MIN_USERS,
        "changedBy": policy.changed_by,
        "changedAt": policy.changed_at.isoformat() if policy.changed_at else None,
        "canChange": current_user().can_change(customer_id),
    }


@anomaly.get("/anomaly-policy")
def get_anomaly_policy(customer_id: str) -> ResponseReturnValue:
    """The rise in assignments within an hour that pauses a licence's automatic top-ups: more
    than minUsers and more than minPercent of its seats (10 and 20 unless changed)."""
    return jsonify(policy_json(customer_id, anomaly_policy(unit_of_work(), customer_id)))


@anomaly.put("/anomaly-policy")
def put_anomaly_policy(customer_id: str) -> ResponseReturnValue:
    """Change the thresholds; audit-logged in the customer's log with before and after."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(
            422,
            "Invalid anomaly thresholds",
            'Send the thresholds as {"minUsers": 10, "minPercent": 20}.',
            errors={"minUsers": "Must be a whole number.", "minPercent": "Must be a whole number."},
        )
    errors = {name: "Unknown field." for name in body if name not in ("minUsers", "minPercent")}
    errors.update(policy_problems(body.get("minUsers"), body.get("minPercent")))
    if errors:  # nothing is saved unless all of it is valid
        raise Problem(
            422, "Invalid anomaly thresholds", "The thresholds were not changed.", errors=errors
        )
    saved = set_anomaly_policy(
        unit_of_work(), customer_id, body["minUsers"], body["minPercent"], actor(), now()
    )
    return jsonify(policy_json(customer_id, saved))
