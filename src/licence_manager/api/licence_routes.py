"""Customers and their licences, as the signed-in user may see them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import current_user, path_customer
from licence_manager.api.context import now
from licence_manager.api.licence_outlook import forecast_json, renewal_json, row_forecast
from licence_manager.api.problems import Problem, int_arg
from licence_manager.api.session_routes import seen_customer_json, visible_customers
from licence_manager.api.settings_json import settings_json
from licence_manager.domain.anomaly import TopUpPause, pause_words
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.catalogue import plan_explanation
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.model import Licence
from licence_manager.domain.prices import PriceLookup, no_prices
from licence_manager.domain.reclaim_summary import (
    ReclaimSummary,
    customer_summaries,
    summary_words,
    unavailable_words,
)
from licence_manager.domain.settings import LicenceSettings
from licence_manager.ports.dashboard import ApiStore
from licence_manager.ports.usage import MAX_CUSTOMER_PAGE

licences = Blueprint("licences", __name__, url_prefix="/api/v1")


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


DEFAULT_CUSTOMER_PAGE = 50
MAX_DOMAIN_SEARCH = 253  # the longest domain name


@licences.get("/customers")
def list_customers() -> ResponseReturnValue:
    """The customers the signed-in user may see (an admin: their own), by domain, a page at a
    time: `limit` (1-200), `cursor` (the previous page's nextCursor), `q` (domain prefix)."""
    limit = int_arg("limit", DEFAULT_CUSTOMER_PAGE, 1, MAX_CUSTOMER_PAGE)
    search = request.args.get("q", "").strip().lower()
    if len(search) > MAX_DOMAIN_SEARCH:
        raise Problem(
            400,
            "Bad Request",
            f"q must be at most {MAX_DOMAIN_SEARCH} characters: the start of a domain name.",
            errors={"q": f"At most {MAX_DOMAIN_SEARCH} characters."},
        )
    user = current_user()
    page = visible_customers(user, limit, request.args.get("cursor") or None, search or None)
    return jsonify(
        {
            "customers": [seen_customer_json(user, c) for c in page.customers],
            "nextCursor": page.next_cursor,
        }
    )


@licences.get("/customers/<customer_id>")
def get_customer(customer_id: str) -> ResponseReturnValue:
    """One customer the signed-in user may see (the one in the address, when it is not on the
    first page of the picker): read once, by authorize()."""
    return jsonify(seen_customer_json(current_user(), path_customer()))


@licences.get("/customers/<customer_id>/licences")
def list_licences(customer_id: str) -> ResponseReturnValue:
    """One row per SKU: seats paid for, assigned, vacant, utilisation, status, settings."""
    # The licences, then every row's settings and automation state, the customer's discount
    # and the holder sync's insights in one round trip, prices from a short-lived cache: ≤ 4
    # round trips with the sign-in's.
    rows = _store().licence_rows(customer_id)
    # Reclaimable seats priced at the prices the rows show.
    summaries = customer_summaries(rows.licences, rows.insights, rows.price_of)
    notice = unavailable_words(rows.insights)
    # The forecast and the renewal plan come from the same insights and prices: no more reads.
    at = now()
    return jsonify(
        [
            {
                **licence_json(lic, *rows.extras[lic.key], rows.price_of),
                "reclaim": row_reclaim_json(rows.insights, summaries.get(lic.key.sku_id), notice),
                "forecast": forecast_json(
                    row_forecast(rows.insights, lic.key.sku_id), lic.usage.vacant
                ),
                "renewal": renewal_json(lic, rows.insights, rows.price_of, at),
            }
            for lic in rows.licences
        ]
    )


def licence_json(
    licence: Licence,
    settings: LicenceSettings | None = None,
    state: AutomationState | None = None,
    price_of: PriceLookup = no_prices,
) -> dict[str, Any]:
    usage = licence.usage
    body: dict[str, Any] = {
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
    if settings is not None:
        body["settings"] = settings_json(settings)
    if state is not None:
        body["lowLicenceAlert"] = state.low_alert_active
        body["topUpInProgress"] = bool(state.pending_request_id or state.in_flight_request_id)
        body["automationPaused"] = state.failed_at_total is not None
        # The anomaly guard's pause: the row's banner and its Resume button (null: not paused).
        body["topUpsPaused"] = pause_json(state.top_ups_paused)
    # The customer's price (their discount applied); both null when none is set.
    price = price_of(licence.key.sku_id, usage.plan_name)
    body["price"] = {
        "currency": price.currency if price else None,
        "perSeatMonthlyMinor": price.per_seat_monthly_minor if price else None,
        "planExplanation": plan_explanation(usage.plan_name),
    }
    return body


def pause_json(pause: TopUpPause | None) -> dict[str, Any] | None:
    """A row's `topUpsPaused`, the anomaly guard's pause (null: not paused); a resume answers
    with it too (api.anomaly_routes)."""
    if pause is None:
        return None
    return {
        "pausedAt": pause.paused_at.isoformat(),
        "pausedBy": pause.paused_by,
        "reason": pause.reason,
        "rise": pause.rise,
        "assignedFrom": pause.assigned_from,
        "assignedTo": pause.assigned_to,
        "since": pause.since.isoformat(),
        "words": pause_words(pause),
    }


def row_reclaim_json(
    insights: LicenceInsights | None, summary: ReclaimSummary | None, notice: str | None
) -> dict[str, Any] | None:
    """My Licences' `reclaim` of a row: null before the holder sync ever ran for the customer;
    with a status and the generic notice when the holders could not be read."""
    if insights is None:
        return None
    body: dict[str, Any] = {"status": insights.holders_status.value, "notice": notice}
    if summary is None:
        body.update(count=None, effect=None, monthlyCostMinor=None, currency=None, words=notice)
        return body
    body.update(
        count=summary.count,
        effect=summary.effect.value,
        monthlyCostMinor=summary.monthly_cost_minor,
        currency=summary.currency,
        words=summary_words(summary),
    )
    return body
