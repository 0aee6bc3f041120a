"""The Flask app factory. Routes go through the ports and services only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from licence_manager.api.automation_routes import automation
from licence_manager.api.problems import Problem, from_http_exception, from_problem
from licence_manager.domain.model import Licence
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports import LicenceStore, Store

licences = Blueprint("licences", __name__, url_prefix="/api/v1")


def create_app(
    store: Store, request_addition: Callable[..., TopUpRequest], *, local_mode: bool
) -> Flask:
    app = Flask(__name__)
    app.config["STORE"] = store
    app.config["REQUEST_ADDITION"] = request_addition
    app.config["LOCAL_MODE"] = local_mode
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.register_blueprint(licences)
    app.register_blueprint(automation)
    app.register_error_handler(Problem, from_problem)
    app.register_error_handler(HTTPException, from_http_exception)
    return app


def _store() -> LicenceStore:
    store: LicenceStore = current_app.config["STORE"]
    return store


@licences.before_app_request
def require_local_mode() -> None:
    # Sign-in arrives with the dashboard; until then customer data is served only locally.
    if not current_app.config["LOCAL_MODE"]:
        raise Problem(
            401, "Unauthorized", "Sign-in is not available yet; the API runs locally only"
        )


@licences.get("/customers")
def list_customers() -> ResponseReturnValue:
    """Every customer Licence Manager manages."""
    return jsonify(
        [
            {"customerId": c.customer_id, "customerDomain": c.customer_domain, "name": c.name}
            for c in _store().customers()
        ]
    )


@licences.get("/customers/<customer_id>/licences")
def list_licences(customer_id: str) -> ResponseReturnValue:
    """One row per SKU: seats paid for, assigned, vacant, utilisation, status."""
    if _store().customer(customer_id) is None:
        raise Problem(404, "Not Found", f"No customer with id {customer_id!r}")
    return jsonify([licence_json(lic) for lic in _store().licences_of(customer_id)])


def licence_json(licence: Licence) -> dict[str, Any]:
    usage = licence.usage
    return {
        "skuId": licence.key.sku_id,
        "skuName": usage.sku_name,
        "planName": usage.plan_name,
        "assigned": usage.assigned,
        "total": usage.total,
        "vacant": usage.vacant,
        "utilisation": round(usage.utilisation, 4),
        "status": usage.status,
        "updatedAt": licence.updated_at.isoformat(),
    }
