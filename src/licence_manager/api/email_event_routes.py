"""SendGrid's Event Webhook: delivered, bounce, dropped and spam report events for the emails we
sent, signed by SendGrid (ECDSA P-256 over timestamp + body; the verification key from Mail
Settings → Event Webhook, SENDGRID_EVENT_PUBLIC_KEY). Public: the signature is the
authentication. Events are idempotent to apply, so a replayed batch changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.problems import Problem
from licence_manager.domain.email_events import EmailEvent, parse_events

email_events = Blueprint("email_events", __name__, url_prefix="/api/v1")
SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_BODY = 5 * 1024 * 1024


@email_events.post("/sendgrid/events")
def receive_events() -> ResponseReturnValue:
    """A batch of SendGrid events: 204 once recorded (SendGrid retries on anything else)."""
    from sendgrid.helpers.eventwebhook import EventWebhook

    key: str = current_app.config.get("SENDGRID_EVENT_PUBLIC_KEY") or ""
    record: Callable[[list[EmailEvent]], int] | None = current_app.config.get("EMAIL_EVENTS")
    if not key or record is None:
        raise Problem(503, "Service Unavailable", "Email events are not set up here.")
    if (request.content_length or 0) > MAX_BODY:
        raise Problem(413, "Content Too Large", "At most 5 MB of events at once.")
    payload = request.get_data(as_text=True)
    signature, timestamp = request.headers.get(SIGNATURE, ""), request.headers.get(TIMESTAMP, "")
    try:
        valid = bool(signature and timestamp) and EventWebhook(key).verify_signature(
            payload, signature, timestamp
        )
    except (ValueError, TypeError):  # a malformed signature or key
        valid = False
    if not valid:
        raise Problem(401, "Unauthorized", "The events are not signed by SendGrid.")
    try:
        events = parse_events(json.loads(payload))
    except ValueError as error:
        raise Problem(400, "Bad Request", str(error)) from error
    known = record(events)
    return jsonify({"events": len(events), "notifications": known}), 200
