"""Per-SKU settings and manual additions. Additions are requests that apply_topup carries out,
the one place seats change; the route answers 202 with the request to follow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor, no_such_licence
from licence_manager.api.context import unit_of_work
from licence_manager.api.problems import Problem
from licence_manager.api.settings_json import parse_settings, settings_json, worst_case_json
from licence_manager.api.settings_versions import (
    changed_by_someone_else,
    take_version,
    version_json,
)
from licence_manager.domain.model import Licence, LicenceKey
from licence_manager.domain.settings import problems
from licence_manager.domain.topup import TopUpRequest
from licence_manager.domain.worst_case import worst_case_month
from licence_manager.ports.unit_of_work import SavedSettings
from licence_manager.services.additions import AdditionRefused
from licence_manager.services.settings import SettingsChanged, save_settings

automation = Blueprint("automation", __name__, url_prefix="/api/v1/customers/<customer_id>")


def _licence(customer_id: str, sku_id: str) -> Licence:
    store = current_app.config["STORE"]
    key = LicenceKey(customer_id, sku_id)
    found: Licence | None = next(
        (lic for lic in store.licences_of(customer_id) if lic.key == key), None
    )
    if found is None:
        raise Problem(404, "Not Found", no_such_licence(sku_id))
    return found


def _licence_key(customer_id: str, sku_id: str) -> LicenceKey:
    return _licence(customer_id, sku_id).key


def _settings_answer(licence: Licence, saved: SavedSettings) -> dict[str, Any]:
    price_of = current_app.config["STORE"].price_lookup(licence.key.customer_id)
    worst = worst_case_month(saved.settings, licence.usage, licence.key.sku_id, price_of)
    return {
        **settings_json(saved.settings),
        "worstCaseMonthly": worst_case_json(worst),
        **version_json(saved),
    }


@automation.get("/licences/<sku_id>/settings")
def get_settings(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """Alert and automatic top-up settings of one SKU, with what they will do and cost, and
    the version a PUT sends back (who saved them and when)."""
    licence = _licence(customer_id, sku_id)
    saved = current_app.config["STORE"].saved_settings(licence.key)
    return jsonify(_settings_answer(licence, saved))


@automation.put("/licences/<sku_id>/settings")
def put_settings(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """Replace the SKU's settings (every field); invalid fields answer 422 with a message per
    field. One top-up is bounded by the licence's total seats now."""
    licence = _licence(customer_id, sku_id)
    body = request.get_json(silent=True)
    seen = take_version(body)
    settings, errors = parse_settings(body)
    if settings is not None:
        errors = problems(settings, current_total=licence.usage.total)
    if errors or settings is None:
        raise Problem(422, "Invalid settings", "Some settings need attention.", errors=errors)
    # Saved with its audit entry (who, before and after) in one transaction, which also checks
    # that nobody saved since the version the client started from.
    by, at = actor(), datetime.now(UTC)
    try:
        save_settings(unit_of_work(), licence.key, settings, by, at, seen)
    except SettingsChanged as error:
        raise changed_by_someone_else(
            error.current, _settings_answer(licence, error.current)
        ) from error
    return jsonify(_settings_answer(licence, SavedSettings(settings, by, at)))


@automation.post("/licences/<sku_id>/additions")
def add_licences(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """Add seats by hand: 202 and the request, whose progress GET .../additions/<id> shows."""
    key = _licence_key(customer_id, sku_id)
    body = request.get_json(silent=True)
    seats = body.get("seats") if isinstance(body, dict) else None
    if not isinstance(seats, int) or isinstance(seats, bool):
        raise Problem(
            422,
            "Invalid addition",
            'Send {"seats": n} with a whole number.',
            errors={"seats": "Must be a whole number."},
        )
    try:
        added = current_app.config["REQUEST_ADDITION"](key, seats, actor())
    except AdditionRefused as error:
        raise Problem(422, "Addition refused", str(error), errors={"seats": str(error)}) from error
    return jsonify(request_json(added)), 202


@automation.get("/licences/<sku_id>/additions/<request_id>")
def get_addition(customer_id: str, sku_id: str, request_id: str) -> ResponseReturnValue:
    """Progress of one seat change: PENDING, CLAIMED, then APPLIED, FAILED or SUPERSEDED."""
    found = current_app.config["STORE"].request(request_id)
    if found is None or found.key != LicenceKey(customer_id, sku_id):
        raise Problem(404, "Not Found", "There is no such request to add licences to this licence.")
    return jsonify(request_json(found))


def request_json(r: TopUpRequest) -> dict[str, Any]:
    return {
        "id": r.request_id,
        "status": r.status.value,
        "source": r.source.value,
        "seatsToAdd": r.seats_to_add,
        "totalBefore": r.total_before,
        "totalAfter": r.total_after,
        "createdAt": r.created_at.isoformat(),
        "finishedAt": r.finished_at.isoformat() if r.finished_at else None,
        "message": r.message,
    }
