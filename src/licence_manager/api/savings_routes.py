"""Savings (issue 13): a customer's savings in a month, with the totals by kind and currency and
the running total since they joined. Read-only: savings are recorded by the evaluation and the
sync, each in the transaction of what caused it (domain.savings). Everyone who may read the
customer reads these (api.auth.authorize)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import path_customer
from licence_manager.api.context import now
from licence_manager.api.problems import Problem
from licence_manager.domain.month_end import parse_month
from licence_manager.domain.saving_totals import (
    CurrencyTotal,
    month_totals,
    since_joined,
    totals_for_month,
    totals_words,
)
from licence_manager.domain.savings import (
    FLEXIBLE_CAP_RULE,
    KIND_EXPLANATIONS,
    KIND_LABELS,
    Saving,
    SavingKind,
    saving_words,
)
from licence_manager.ports.dashboard import ApiStore

savings = Blueprint("savings", __name__, url_prefix="/api/v1/customers/<customer_id>")


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def _month(time_zone: str) -> str:
    """`?month=YYYY-MM`, or the current month on the customer's clock."""
    text = request.args.get("month") or ""
    if not text:
        return now().astimezone(ZoneInfo(time_zone)).strftime("%Y-%m")
    try:
        return parse_month(text).strftime("%Y-%m")
    except ValueError as error:
        raise Problem(
            400, "Invalid month", str(error), errors={"month": "Write it like 2026-12."}
        ) from error


def total_json(total: CurrencyTotal) -> dict[str, Any]:
    return {
        "currency": total.currency,
        "totalMinor": total.total_minor,
        "byKind": {kind.value: total.by_kind[kind] for kind in SavingKind},
    }


def saving_json(saving: Saving, time_zone: str) -> dict[str, Any]:
    return {
        "savingId": saving.saving_id,
        "skuId": saving.key.sku_id,
        "skuName": saving.sku_name or saving.key.sku_id,
        "planName": saving.plan_name,
        "kind": saving.kind.value,
        "kindLabel": KIND_LABELS[saving.kind],
        "seats": saving.seats,
        "months": saving.months,
        "perSeatMonthlyMinor": saving.per_seat_monthly_minor,
        "amountMinor": saving.amount_minor,
        "currency": saving.currency,
        "at": saving.at.astimezone(ZoneInfo(time_zone)).isoformat(timespec="seconds"),
        "detail": saving.detail,
        "words": saving_words(saving),
    }


def explanations_json() -> list[dict[str, str]]:
    return [
        {"kind": kind.value, "label": KIND_LABELS[kind], "explanation": KIND_EXPLANATIONS[kind]}
        for kind in SavingKind
    ]


@savings.get("/savings")
def get_savings(customer_id: str) -> ResponseReturnValue:
    """The month's savings (`month` YYYY-MM, default this month on the customer's clock): its
    total by kind and currency, its lines, and the total since the customer joined (up to the
    month asked for)."""
    time_zone = path_customer().time_zone or "UTC"
    month = _month(time_zone)
    store = _store()
    lines = store.savings_in_month(customer_id, month)
    totals = store.saving_totals(customer_id)
    return jsonify(
        {
            "customerId": customer_id,
            "month": month,
            "timeZone": time_zone,
            "totals": [total_json(t) for t in month_totals(lines, month)],
            "sinceJoined": [total_json(t) for t in since_joined(totals, month)],
            "lines": [saving_json(s, time_zone) for s in lines],
            "kinds": explanations_json(),
            "flexibleCapRule": FLEXIBLE_CAP_RULE,
            "estimate": "Estimates at your prices, excluding VAT; your invoice is what counts.",
        }
    )


@savings.get("/savings/this-month")
def get_month_savings(customer_id: str) -> ResponseReturnValue:
    """This month's figure for My Licences' header: one document read (the customer's totals,
    updated in the transaction of every saving), no list."""
    time_zone = path_customer().time_zone or "UTC"
    month = now().astimezone(ZoneInfo(time_zone)).strftime("%Y-%m")
    found = totals_for_month(_store().saving_totals(customer_id), month)
    return jsonify(
        {"month": month, "totals": [total_json(t) for t in found], "words": totals_words(found)}
    )
