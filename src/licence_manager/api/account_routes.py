"""A customer's account settings: for now their time zone, the clock their reports, logs,
month-end and "today" follow (domain.time_zones). Customer admins and reseller ops change it;
account managers read it (api.auth.authorize checks the role before these run)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor, current_user, not_found_customer, path_customer
from licence_manager.api.problems import Problem
from licence_manager.domain.time_zones import UnknownTimeZone, checked_time_zone
from licence_manager.ports.dashboard import ApiStore

account = Blueprint("account", __name__, url_prefix="/api/v1/customers/<customer_id>")


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def time_zone_json(customer_id: str, time_zone: str) -> dict[str, Any]:
    return {
        "customerId": customer_id,
        "timeZone": time_zone,
        "canChange": current_user().can_change(customer_id),
    }


@account.get("/time-zone")
def get_time_zone(customer_id: str) -> ResponseReturnValue:
    """The customer's time zone: their days and months, and the clock times are shown in."""
    return jsonify(time_zone_json(customer_id, path_customer().time_zone))


@account.put("/time-zone")
def put_time_zone(customer_id: str) -> ResponseReturnValue:
    """Move the customer to another IANA time zone; audit-logged with before and after."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(
            422,
            "Invalid time zone",
            'Send the time zone as {"timeZone": "Europe/London"}.',
            errors={"timeZone": "Choose a time zone."},
        )
    errors = {name: "Unknown field." for name in body if name != "timeZone"}
    try:
        time_zone = checked_time_zone(body.get("timeZone"))
    except UnknownTimeZone as error:
        errors["timeZone"] = str(error)
    if errors:
        raise Problem(422, "Invalid time zone", "The time zone was not changed.", errors=errors)
    changed = _store().change_time_zone(customer_id, time_zone, actor(), datetime.now(UTC))
    if changed is None:
        raise not_found_customer(customer_id)
    return jsonify(time_zone_json(customer_id, changed.after))
