"""The notifications sent to a customer, a page at a time (all, or the problems only), and
sending one again that failed or may not have arrived."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import actor
from licence_manager.api.log_routes import sku_names
from licence_manager.api.problems import Problem, int_arg
from licence_manager.domain.delivery_words import customer_reason
from licence_manager.domain.notifications import RESENDABLE, Notification
from licence_manager.domain.resend import NotResendable, Resend, latest_of, original_id
from licence_manager.ports.dashboard import MAX_PAGE, ApiStore, BadCursor
from licence_manager.services.resend import NotificationNotFound

notification_routes = Blueprint(
    "notification_routes", __name__, url_prefix="/api/v1/customers/<customer_id>"
)
DEFAULT_PAGE = 50
ResendFunction = Callable[[str, str, str], Resend]


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def notification_json(
    n: Notification, names: dict[str, str], latest: str | None = None
) -> dict[str, Any]:
    """`latest`: the newest email of the line this one belongs to (itself if never resent)."""
    first = original_id(n)
    latest = latest or latest_of(n)
    return {
        "id": n.notification_id,
        "type": n.type.value,
        "skuId": n.key.sku_id,
        "skuName": names.get(n.key.sku_id, str(n.facts.get("skuName") or n.key.sku_id)),
        "createdAt": n.created_at.isoformat(),
        "status": n.status.value,
        "recipients": list(n.recipients),
        "sentAt": n.sent_at.isoformat() if n.sent_at else None,
        # Generic words unless the reason is ours: the provider's text is for operators.
        "error": customer_reason(n.status, n.error),
        "refusedRecipients": list(n.refused_recipients),
        # Only the newest attempt of a line is offered again, and only if it went wrong.
        "canResend": n.status in RESENDABLE and n.notification_id == latest,
        # A resend: the email it repeats, and who asked for it.
        "resendOf": first if first != n.notification_id else None,
        "resentBy": str(n.facts.get("resentBy") or "") if first != n.notification_id else None,
        # Sent again since: the newest resend's id.
        "resentAs": latest if latest != n.notification_id and first == n.notification_id else None,
        "recipientOutcomes": [
            {"email": o.email, "event": o.event, "at": o.at.isoformat(), "reason": o.reason}
            for o in n.recipient_outcomes
        ],
        # Its alert channel messages (Chat, Slack, webhooks): UNCONFIRMED is flagged for a person.
        "channels": [
            {
                "channelId": d.channel_id,
                "status": d.status.value,
                "sentAt": d.sent_at.isoformat() if d.sent_at else None,
                "error": d.error,
                "batchSize": d.batch_size,
            }
            for d in n.channel_deliveries
        ],
    }


def _latest_by_line(page: list[Notification]) -> dict[str, str]:
    """Each shown line's newest email, from its first email: those not on the page are read
    together, in one round trip, not one by one."""
    shown = {n.notification_id: n for n in page}
    elsewhere = {original_id(n) for n in page} - shown.keys()
    roots = {**_store().notifications_by_id(elsewhere), **shown} if elsewhere else shown
    latest: dict[str, str] = {}
    for n in page:
        first = original_id(n)
        if first not in latest:
            root = roots.get(first)
            latest[first] = latest_of(root) if root is not None else n.notification_id
    return latest


@notification_routes.get("/notifications")
def list_notifications(customer_id: str) -> ResponseReturnValue:
    """Notifications newest first, a page at a time; `problems=true` keeps those not delivered,
    unconfirmed or sent to nobody, and those whose channel message failed or is unconfirmed."""
    limit = int_arg("limit", DEFAULT_PAGE, 1, MAX_PAGE)
    problems = request.args.get("problems", "false")
    if problems not in {"true", "false"}:
        raise Problem(
            400,
            "Bad Request",
            "problems must be true or false.",
            errors={"problems": "true or false."},
        )
    try:
        page = _store().notification_page(
            customer_id,
            limit,
            request.args.get("cursor") or None,
            problems_only=problems == "true",
        )
    except BadCursor as error:
        raise Problem(
            400, "Bad Request", "This cursor does not continue this list; start again."
        ) from error
    names = sku_names(customer_id)
    latest = _latest_by_line(page.notifications)
    return jsonify(
        {
            "notifications": [
                notification_json(n, names, latest[original_id(n)]) for n in page.notifications
            ],
            "nextCursor": page.next_cursor,
        }
    )


@notification_routes.post("/notifications/<notification_id>/resend")
def resend_notification(customer_id: str, notification_id: str) -> ResponseReturnValue:
    """Send a failed or unconfirmed email again, as a new notification: 201 and the resend, or
    200 and the earlier resend still on its way (a repeated request sends nothing more)."""
    resend: ResendFunction = current_app.config["RESEND_NOTIFICATION"]
    try:
        done = resend(customer_id, notification_id, actor())
    except NotificationNotFound as error:
        raise Problem(404, "Not Found", "This customer has no such notification.") from error
    except NotResendable as error:
        raise Problem(409, "Conflict", str(error)) from error
    body = notification_json(
        done.notification, sku_names(customer_id), done.notification.notification_id
    )
    return jsonify(body), 201 if done.created else 200
