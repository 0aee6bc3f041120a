"""The audit log, newest first, a page at a time or as CSV; and who receives notifications
(the notifications sent are in api.notification_routes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.adapters.automation_codec import PREFERENCE_FIELDS
from licence_manager.api import log_csv
from licence_manager.api.auth import actor, no_such_licence
from licence_manager.api.log_wording import action_label, humanise, source_label
from licence_manager.api.problems import Problem, int_arg
from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, AuditEntry
from licence_manager.domain.email_address import MAX_EMAIL_LENGTH, is_valid_email
from licence_manager.domain.notifications import PREFERENCES as CHOSEN_TYPES
from licence_manager.domain.notifications import NotificationType, Recipient
from licence_manager.ports.dashboard import MAX_PAGE, ApiStore, AuditPage, BadCursor
from licence_manager.ports.email_feedback import Bounce, BounceStore

logs = Blueprint("logs", __name__, url_prefix="/api/v1/customers/<customer_id>")
DEFAULT_PAGE = 25


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def sku_names(customer_id: str) -> dict[str, str]:
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
        "actionLabel": action_label(entry.action, entry.source),
        "source": entry.source.value,
        "sourceLabel": source_label(entry.source),
        "actor": entry.actor,
        "message": humanise(entry.message),
        "seatsBefore": entry.seats_before,
        "seatsAfter": entry.seats_after,
    }


def _log_filter(customer_id: str, names: dict[str, str]) -> tuple[str | None, AuditAction | None]:
    """`skuId` narrows to one SKU ("customer": account changes), `type` to one action."""
    sku_id = request.args.get("skuId") or None
    if sku_id is not None and sku_id not in names:
        raise Problem(404, "Not Found", no_such_licence(sku_id))
    kind = request.args.get("type") or None
    if kind is not None and kind not in AuditAction.__members__:
        raise Problem(
            400,
            "Bad Request",
            "type must be one of the log's event types.",
            errors={"type": "One of: " + ", ".join(AuditAction.__members__) + "."},
        )
    return sku_id, AuditAction(kind) if kind else None


def _page_reader(
    customer_id: str, sku_id: str | None, action: AuditAction | None
) -> Callable[[int, str | None], AuditPage]:
    store = _store()  # taken now: the CSV's pages are read after the request has returned

    def read(limit: int, cursor: str | None) -> AuditPage:
        try:
            return store.audit_page(customer_id, sku_id, limit, cursor, action)
        except BadCursor as error:
            raise Problem(
                400, "Bad Request", "This cursor does not continue this log; start again."
            ) from error

    return read


@logs.get("/logs")
def list_logs(customer_id: str) -> ResponseReturnValue:
    """Audit entries newest first, a page at a time; `skuId` and `type` narrow them."""
    limit = int_arg("limit", DEFAULT_PAGE, 1, MAX_PAGE)
    names = sku_names(customer_id)
    sku_id, action = _log_filter(customer_id, names)
    page = _page_reader(customer_id, sku_id, action)(limit, request.args.get("cursor") or None)
    return jsonify(
        {
            "entries": [entry_json(e, names) for e in page.entries],
            "nextCursor": page.next_cursor,
        }
    )


@logs.get("/logs.csv")
def export_logs(customer_id: str) -> ResponseReturnValue:
    """The whole log under the same `skuId` and `type` filter as CSV, written as it is read."""
    names = sku_names(customer_id)
    sku_id, action = _log_filter(customer_id, names)
    customer = _store().customer(customer_id)
    assert customer is not None  # authorize() answered 404 otherwise
    zone = ZoneInfo(customer.time_zone or "UTC")
    rows = log_csv.stream(_page_reader(customer_id, sku_id, action), names, zone)
    name = log_csv.filename(customer.customer_domain, datetime.now(zone))
    return Response(
        rows,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- recipients ---------------------------------------------------------------------------------

PREFERENCES = {name: kind for kind, name in PREFERENCE_FIELDS.items()}


# Shown against an address stored before recipients were checked with SendGrid's rule.
REFUSED_ADDRESS = (
    "SendGrid refuses this address, so nothing is sent to it: remove it and add it again corrected."
)


def recipient_json(r: Recipient, bounce: Bounce | None = None) -> dict[str, Any]:
    return {
        "email": r.email,
        "name": r.name,
        "notifications": {name: kind in r.wants for kind, name in PREFERENCE_FIELDS.items()},
        "addressProblem": None if is_valid_email(r.email) else REFUSED_ADDRESS,
        # SendGrid's Event Webhook: the latest email to this address bounced, was dropped or
        # was reported as spam (lifted when a later one is delivered).
        "bouncing": None
        if bounce is None
        else {
            "event": bounce.event,
            "at": bounce.at.isoformat(),
            "reason": bounce.reason,
            "notificationId": bounce.notification_id,
        },
    }


def _bouncing(customer_id: str) -> dict[str, Bounce]:
    factory: Callable[[], BounceStore] | None = current_app.config.get("BOUNCES")
    return factory().bouncing(customer_id) if factory is not None else {}


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
    bouncing = _bouncing(customer_id)
    recipients = _store().recipients(customer_id)
    return jsonify([recipient_json(r, bouncing.get(r.email.lower())) for r in recipients])


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
