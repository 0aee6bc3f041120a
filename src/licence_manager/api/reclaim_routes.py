"""Reclaimable seats (issue 13): the Reclaim page's list and summary, its CSV export, and the
customer's reclaim policy. Read from what the daily holder sync stored; nothing here changes a
seat (unassigning goes through the exactly-once seat-change path: api.unassign_routes). Everyone who
may read the customer reads these; customer admins and reseller ops change the policy
(api.auth.authorize checks the role before these run)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor, current_user, path_customer
from licence_manager.api.problems import Problem, int_arg
from licence_manager.domain.insights import LicenceInsights
from licence_manager.domain.reclaim import (
    DEFAULT_INACTIVE_DAYS,
    MAX_INACTIVE_DAYS,
    MIN_INACTIVE_DAYS,
    REASON_LABELS,
    ReclaimableSeat,
    ReclaimPolicyError,
    checked_policy,
)
from licence_manager.domain.reclaim_summary import (
    ReclaimSummary,
    billing_words,
    customer_summaries,
    reclaim_csv,
    summary_words,
    unavailable_words,
)
from licence_manager.domain.seat_holders import ReclaimRecord
from licence_manager.ports.dashboard import ApiStore, BadCursor
from licence_manager.ports.reclaim import MAX_HOLDER_PAGE, SavedReclaimPolicy
from licence_manager.services.reclaim import action_now, every_reclaimable, reclaimable_page

reclaim = Blueprint("reclaim", __name__, url_prefix="/api/v1/customers/<customer_id>")

DEFAULT_PAGE = 50
MAX_SKU_ID = 64  # Google's SKU ids are short; anything longer is not one


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def _today() -> date:
    """The customer's today: days without activity are counted on their calendar."""
    return datetime.now(ZoneInfo(path_customer().time_zone or "UTC")).date()


def _sku_filter() -> str | None:
    sku_id = request.args.get("skuId", "").strip()
    if len(sku_id) > MAX_SKU_ID:
        raise Problem(
            400,
            "Bad Request",
            f"skuId must be at most {MAX_SKU_ID} characters.",
            errors={"skuId": "Not a SKU id."},
        )
    return sku_id or None


def _summaries(customer_id: str, insights: LicenceInsights | None) -> dict[str, ReclaimSummary]:
    store = _store()
    return customer_summaries(
        store.licences_of(customer_id), insights, store.price_lookup(customer_id)
    )


def summary_json(summary: ReclaimSummary) -> dict[str, Any]:
    return {
        "skuId": summary.sku_id,
        "skuName": summary.sku_name,
        "planName": summary.plan_name,
        "effect": summary.effect.value,
        "count": summary.count,
        "byReason": {reason.value: n for reason, n in summary.by_reason.items()},
        "perSeatMonthlyMinor": summary.per_seat_minor,
        "currency": summary.currency,
        "monthlyCostMinor": summary.monthly_cost_minor,
        "savesPerMonthMinor": summary.saves_per_month_minor,
        "freesSeats": summary.frees_seats,
        "words": summary_words(summary),
    }


def holder_json(
    record: ReclaimRecord, seat: ReclaimableSeat, summary: ReclaimSummary | None
) -> dict[str, Any]:
    holder = record.holder
    seen = seat.last_seen
    action = action_now(record)
    return {
        "email": holder.email,
        "userId": holder.user_id,
        "skuId": holder.sku_id,
        "skuName": summary.sku_name if summary else holder.sku_id,
        "productId": record.product_id,
        "reason": seat.reason.value,
        "reasonLabel": REASON_LABELS[seat.reason],
        "lastSeen": seen.isoformat() if seen else None,
        "activityAsOf": holder.activity_as_of.isoformat() if holder.activity_as_of else None,
        "daysWithoutActivity": seat.days_without_activity,
        "perSeatMonthlyMinor": summary.per_seat_minor if summary else None,
        "currency": summary.currency if summary else None,
        "billing": billing_words(summary) if summary else "",
        "action": {
            "kind": action.kind.value,
            "instruction": action.instruction,
            "link": action.link,
        },
    }


def _counted_with(insights: LicenceInsights | None) -> int | None:
    """The days the list shown was judged with; None when there is no list."""
    return insights.inactive_days if unavailable_words(insights) is None and insights else None


@reclaim.get("/reclaim")
def get_reclaim(customer_id: str) -> ResponseReturnValue:
    """Each SKU's reclaimable seats and their cost, and a page of the reclaimable holders:
    `limit` (1-100), `cursor` (the previous page's nextCursor), `skuId` (one SKU)."""
    limit = int_arg("limit", DEFAULT_PAGE, 1, MAX_HOLDER_PAGE)
    cursor = request.args.get("cursor") or None
    sku_id = _sku_filter()
    store = _store()
    insights = store.licence_insights(customer_id)
    summaries = _summaries(customer_id, insights)
    notice = unavailable_words(insights)
    holders: list[dict[str, Any]] = []
    next_cursor = None
    if notice is None:
        try:
            listing = reclaimable_page(store, customer_id, _today(), limit, cursor, sku_id)
        except BadCursor as error:
            raise Problem(
                400, "Bad Request", f"{error}: start again from the first page."
            ) from error
        holders = [
            holder_json(record, seat, summaries.get(record.holder.sku_id))
            for record, seat in zip(listing.page.holders, listing.seats, strict=True)
        ]
        next_cursor = listing.page.next_cursor
    return jsonify(
        {
            "customerId": customer_id,
            "holdersStatus": insights.holders_status.value if insights else None,
            "notice": notice,
            "syncedAt": insights.synced_at.isoformat() if insights else None,
            "countedWithInactiveDays": _counted_with(insights),
            "inactiveDays": store.reclaim_policy(customer_id).policy.inactive_days,
            "summaries": [summary_json(s) for s in summaries.values()],
            "holders": holders,
            "nextCursor": next_cursor,
        }
    )


@reclaim.get("/reclaim.csv")
def export_reclaim(customer_id: str) -> ResponseReturnValue:
    """Every reclaimable seat (of one SKU with `skuId`) as CSV, cells that a spreadsheet would
    run as a formula made safe (domain.spreadsheet.safe_text). Only the header when the
    customer's user data cannot be read."""
    sku_id = _sku_filter()
    store = _store()
    insights = store.licence_insights(customer_id)
    summaries = _summaries(customer_id, insights)
    seats: list[ReclaimableSeat] = []
    if unavailable_words(insights) is None:
        seats = [seat for _, seat in every_reclaimable(store, customer_id, _today(), sku_id)]
    customer = path_customer()
    name = f"reclaimable-seats-{customer.customer_domain}-{_today().isoformat()}.csv"
    return Response(
        reclaim_csv(seats, summaries),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def policy_json(
    customer_id: str, saved: SavedReclaimPolicy, insights: LicenceInsights | None
) -> dict[str, Any]:
    return {
        "customerId": customer_id,
        "inactiveDays": saved.policy.inactive_days,
        "defaultInactiveDays": DEFAULT_INACTIVE_DAYS,
        "minInactiveDays": MIN_INACTIVE_DAYS,
        "maxInactiveDays": MAX_INACTIVE_DAYS,
        "changedBy": saved.changed_by,
        "changedAt": saved.changed_at.isoformat() if saved.changed_at else None,
        # The days the current list was made with: a change applies from the next daily check.
        "countedWithInactiveDays": _counted_with(insights),
        "canChange": current_user().can_change(customer_id),
    }


@reclaim.get("/reclaim-policy")
def get_reclaim_policy(customer_id: str) -> ResponseReturnValue:
    """How many days without activity make a seat reclaimable (60 unless changed)."""
    store = _store()
    return jsonify(
        policy_json(
            customer_id, store.reclaim_policy(customer_id), store.licence_insights(customer_id)
        )
    )


@reclaim.put("/reclaim-policy")
def put_reclaim_policy(customer_id: str) -> ResponseReturnValue:
    """Change the days (7-365); audit-logged in the customer's log with before and after."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(
            422,
            "Invalid reclaim policy",
            'Send the policy as {"inactiveDays": 60}.',
            errors={"inactiveDays": "Must be a whole number of days."},
        )
    errors = {name: "Unknown field." for name in body if name != "inactiveDays"}
    try:
        policy = checked_policy(body.get("inactiveDays"))
    except ReclaimPolicyError as error:
        errors.update(error.problems)
    if errors:
        raise Problem(
            422, "Invalid reclaim policy", "The reclaim policy was not changed.", errors=errors
        )
    store = _store()
    store.change_reclaim_policy(customer_id, policy, actor(), datetime.now(UTC))
    return jsonify(
        policy_json(
            customer_id, store.reclaim_policy(customer_id), store.licence_insights(customer_id)
        )
    )
