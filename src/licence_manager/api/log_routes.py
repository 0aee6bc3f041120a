"""The audit log, newest first, a page at a time; notifications sent; and who receives them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.adapters.automation_codec import PREFERENCE_FIELDS
from licence_manager.api.auth import actor, no_such_licence
from licence_manager.api.problems import Problem
from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditEntry
from licence_manager.domain.email_address import MAX_EMAIL_LENGTH, is_valid_email
from licence_manager.domain.notifications import PREFERENCES as CHOSEN_TYPES
from licence_manager.domain.notifications import Notification, NotificationType, Recipient
from licence_manager.ports.dashboard import MAX_PAGE, ApiStore, BadCursor

logs = Blueprint("logs", __name__, url_prefix="/api/v1/customers/<customer_id>")
DEFAULT_PAGE = 25


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    # "²".isdigit() is true yet int("²") raises, while Arabic-Indic digits parse: ASCII only.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise Problem(
            400,
            "Bad Request",
            f"{name} must be a whole number from {low} to {high}.",
            errors={name: f"From {low} to {high}."},
        )
    return int(raw)


def _sku_names(customer_id: str) -> dict[str, str]:
    names = {lic.key.sku_id: lic.usage.sku_name for lic in _store().licences_of(customer_id)}
    names[CUSTOMER_SCOPE] = "Account"
    return names


def entry_json(entry: AuditEntry, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": entry.doc_id,
        "at": entry.at.isoformat(),
        "skuId": entry.key.sku_id,
        "skuName": names.get(entry.key.sku_id, entry.key.sku_id),
        "action": entry.action.value,
        "source": entry.source.value,
        "actor": entry.actor,
        "message": entry.message,
        "seatsBefore": entry.seats_before,
        "seatsAfter": entry.seats_after,
    }


@logs.get("/logs")
def list_logs(customer_id: str) -> ResponseReturnValue:
    """Audit entries newest first; `skuId` narrows to one SKU ("customer": account changes)."""
    sku_id = request.args.get("skuId") or None
    limit = _int_arg("limit", DEFAULT_PAGE, 1, MAX_PAGE)
    names = _sku_names(customer_id)
    if sku_id is not None and sku_id not in names:
        raise Problem(404, "Not Found", no_such_licence(sku_id))
    try:
        page = _store().audit_page(customer_id, sku_id, limit, request.args.get("cursor") or None)
    except BadCursor as error:
        raise Problem(
            400, "Bad Request", "This cursor does not continue this log; start again."
        ) from error
    return jsonify(
        {
            "entries": [entry_json(e, names) for e in page.entries],
            "nextCursor": page.next_cursor,
        }
    )


def notification_json(n: Notification, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": n.notification_id,
        "type": n.type.value,
        "skuId": n.key.sku_id,
        "skuName": names.get(n.key.sku_id, str(n.facts.get("skuName") or n.key.sku_id)),
        "createdAt": n.created_at.isoformat(),
        "status": n.status.value,
        "recipients": list(n.recipients),
        "sentAt": n.sent_at.isoformat() if n.sent_at else None,
        "error": n.error,
        "refusedRecipients": list(n.refused_recipients),
    }


@logs.get("/notifications")
def list_notifications(customer_id: str) -> ResponseReturnValue:
    """Notifications newest first: type, SKU, recipients, time and delivery status."""
    limit = _int_arg("limit", 50, 1, 200)
    names = _sku_names(customer_id)
    found = _store().notifications_of(customer_id)[:limit]
    return jsonify([notification_json(n, names) for n in found])


# --- recipients ---------------------------------------------------------------------------------

PREFERENCES = {name: kind for kind, name in PREFERENCE_FIELDS.items()}


# Shown against an address stored before recipients were checked with SendGrid's rule.
REFUSED_ADDRESS = (
    "SendGrid refuses this address, so nothing is sent to it: remove it and add it again corrected."
)


def recipient_json(r: Recipient) -> dict[str, Any]:
    return {
        "email": r.email,
        "name": r.name,
        "notifications": {name: kind in r.wants for kind, name in PREFERENCE_FIELDS.items()},
        "addressProblem": None if is_valid_email(r.email) else REFUSED_ADDRESS,
    }


def _parse_recipient(customer_id: str, email: str | None, body: Any) -> Recipient:
    if not isinstance(body, dict):
        raise Problem(422, "Invalid recipient", "Send the recipient as a JSON object.")
    errors: dict[str, str] = {}
    for name in body:
        if name not in {"email", "name", "notifications"} or (
            email is not None and name == "email"
        ):
            errors[name] = "Unknown field." if name != "email" else "Change the email in the path."
    if email is None:
        raw = body.get("email")
        if not isinstance(raw, str) or not is_valid_email(raw.strip()):
            # SendGrid's own rule: an address it refuses would stop every email to the others.
            errors["email"] = (
                "Enter an email address SendGrid accepts, like name@example.com "
                "(plain letters, digits and . _ - + only)."
            )
        else:
            email = raw.strip()
    name = body.get("name", "")
    if not isinstance(name, str) or len(name) > 200:
        errors["name"] = "Must be text of at most 200 characters."
    wants: set[NotificationType] = set(CHOSEN_TYPES)
    notifications = body.get("notifications")
    if notifications is not None:
        if not isinstance(notifications, dict):
            errors["notifications"] = "Must be an object of true/false per notification type."
        else:
            for key, value in notifications.items():
                if key not in PREFERENCES:
                    errors[f"notifications.{key}"] = "Unknown notification type."
                elif not isinstance(value, bool):
                    errors[f"notifications.{key}"] = "Must be true or false."
            wants = {
                kind
                for field, kind in PREFERENCES.items()
                if notifications.get(field, True) is True
            }
    if errors or email is None:
        raise Problem(422, "Invalid recipient", "Some fields need attention.", errors=errors)
    return Recipient(customer_id, email.lower(), str(name).strip(), frozenset(wants))


@logs.get("/recipients")
def list_recipients(customer_id: str) -> ResponseReturnValue:
    """Who receives which notifications."""
    return jsonify([recipient_json(r) for r in _store().recipients(customer_id)])


@logs.post("/recipients")
def add_recipient(customer_id: str) -> ResponseReturnValue:
    """Add a recipient (every notification type on unless said otherwise)."""
    recipient = _parse_recipient(customer_id, None, request.get_json(silent=True))
    if not _store().add_recipient(recipient, actor(), datetime.now(UTC)):
        raise Problem(
            409,
            "Conflict",
            f"{recipient.email} is already a recipient.",
            errors={"email": "Already a recipient: edit it instead."},
        )
    return jsonify(recipient_json(recipient)), 201


def _path_email(email: str) -> str:
    # Not SendGrid's rule: an address stored before it applied must stay editable and removable.
    if not email or len(email) > MAX_EMAIL_LENGTH:
        raise Problem(404, "Not Found", "No such recipient.")
    return email.lower()


@logs.put("/recipients/<email>")
def update_recipient(customer_id: str, email: str) -> ResponseReturnValue:
    """Change a recipient's name and the notification types they receive."""
    email = _path_email(email)
    recipient = _parse_recipient(customer_id, email, request.get_json(silent=True))
    if not _store().update_recipient(recipient, actor(), datetime.now(UTC)):
        raise Problem(404, "Not Found", f"{email} is not a recipient.")
    return jsonify(recipient_json(recipient))


@logs.delete("/recipients/<email>")
def delete_recipient(customer_id: str, email: str) -> ResponseReturnValue:
    """Stop sending notifications to this address."""
    email = _path_email(email)
    if not _store().delete_recipient(customer_id, email, actor(), datetime.now(UTC)):
        raise Problem(404, "Not Found", f"{email} is not a recipient.")
    return Response(status=204)
