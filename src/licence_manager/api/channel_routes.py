"""Alert channels on the Notifications page: a Google Chat space, a Slack channel or a signed
webhook, each with the same per-type choices as an email recipient. URLs are secrets: answered
masked, never echoed; a webhook's signing secret is shown once, in the answer that creates it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.adapters.automation_codec import PREFERENCE_FIELDS
from licence_manager.api.auth import actor
from licence_manager.api.problems import Problem
from licence_manager.domain.channels import (
    LABELS,
    Channel,
    ChannelKind,
    masked_url,
    url_problem,
)
from licence_manager.domain.notifications import PREFERENCES as CHOSEN_TYPES
from licence_manager.domain.notifications import NotificationType
from licence_manager.domain.webhook_signature import new_secret
from licence_manager.ports.channels import (
    ChangedBy,
    ChannelStore,
    PostDeferred,
    PostInDoubt,
    PostRejected,
)

channels = Blueprint("channels", __name__, url_prefix="/api/v1/customers/<customer_id>")
PREFERENCES = {name: kind for kind, name in PREFERENCE_FIELDS.items()}
MAX_CHANNELS = 20


def _store() -> ChannelStore:
    factory: Callable[[], ChannelStore] | None = current_app.config.get("CHANNELS")
    if factory is None:
        raise Problem(503, "Service Unavailable", "Alert channels are not set up here.")
    return factory()


def _by() -> ChangedBy:
    """The signed-in person making this change, audited with it (as for email recipients)."""
    return ChangedBy(actor(), datetime.now(UTC))


def channel_json(c: Channel) -> dict[str, Any]:
    return {
        "id": c.channel_id,
        "kind": c.kind.value,
        "name": c.name,
        "urlMasked": masked_url(c.url),
        "notifications": {name: kind in c.wants for kind, name in PREFERENCE_FIELDS.items()},
    }


def _wants(body: dict[str, Any], errors: dict[str, str]) -> frozenset[NotificationType]:
    notifications = body.get("notifications")
    if notifications is None:
        return frozenset(CHOSEN_TYPES)
    if not isinstance(notifications, dict):
        errors["notifications"] = "Must be an object of true/false per notification type."
        return frozenset()
    for key, value in notifications.items():
        if key not in PREFERENCES:
            errors[f"notifications.{key}"] = "Unknown notification type."
        elif not isinstance(value, bool):
            errors[f"notifications.{key}"] = "Must be true or false."
    return frozenset(k for f, k in PREFERENCES.items() if notifications.get(f, True) is True)


def _name(body: dict[str, Any], errors: dict[str, str]) -> str:
    name = body.get("name", "")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        errors["name"] = "Name the channel (at most 100 characters)."
        return ""
    return name.strip()


def _body(allowed: set[str]) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(422, "Invalid channel", "Send the channel as a JSON object.")
    unknown = {name: "Unknown field." for name in body if name not in allowed}
    if unknown:
        raise Problem(422, "Invalid channel", "Some fields need attention.", errors=unknown)
    return body


@channels.get("/channels")
def list_channels(customer_id: str) -> ResponseReturnValue:
    """The customer's alert channels, URLs masked."""
    return jsonify([channel_json(c) for c in _store().channels(customer_id)])


@channels.post("/channels")
def add_channel(customer_id: str) -> ResponseReturnValue:
    """Add a channel; a webhook's signing secret is in this answer only."""
    body = _body({"kind", "name", "url", "notifications"})
    errors: dict[str, str] = {}
    try:
        kind = ChannelKind(str(body.get("kind")))
    except ValueError:
        errors["kind"] = "One of " + ", ".join(k.value for k in ChannelKind) + "."
        kind = None
    url = body.get("url")
    if not isinstance(url, str):
        errors["url"] = "Enter the webhook URL."
    elif kind is not None:
        problem = url_problem(kind, url.strip(), allow_local=current_app.config["LOCAL_MODE"])
        if problem:
            errors["url"] = problem
    name = _name(body, errors)
    wants = _wants(body, errors)
    if errors or kind is None or not isinstance(url, str):
        raise Problem(422, "Invalid channel", "Some fields need attention.", errors=errors)
    store = _store()
    if len(store.channels(customer_id)) >= MAX_CHANNELS:
        raise Problem(409, "Conflict", f"A customer may have at most {MAX_CHANNELS} channels.")
    channel = Channel(
        customer_id,
        "ch_" + secrets.token_hex(6),
        kind,
        name,
        url.strip(),
        wants,
        new_secret() if kind is ChannelKind.WEBHOOK else "",
    )
    store.add_channel(channel, _by())
    answer = channel_json(channel)
    if channel.signing_secret:
        answer["signingSecret"] = channel.signing_secret
    return jsonify(answer), 201


def _found(customer_id: str, channel_id: str) -> Channel:
    found = _store().channel(customer_id, channel_id)
    if found is None:
        raise Problem(404, "Not Found", "This customer has no such channel.")
    return found


@channels.put("/channels/<channel_id>")
def update_channel(customer_id: str, channel_id: str) -> ResponseReturnValue:
    """Rename a channel or change its notification types (a new URL is a new channel)."""
    body = _body({"name", "notifications"})
    errors: dict[str, str] = {}
    found = _found(customer_id, channel_id)
    name = _name(body, errors) if "name" in body else found.name
    wants = _wants(body, errors)
    if errors:
        raise Problem(422, "Invalid channel", "Some fields need attention.", errors=errors)
    changed = Channel(
        customer_id, channel_id, found.kind, name, found.url, wants, found.signing_secret
    )
    if not _store().update_channel(changed, _by()):
        raise Problem(404, "Not Found", "This customer has no such channel.")
    return jsonify(channel_json(changed))


@channels.delete("/channels/<channel_id>")
def delete_channel(customer_id: str, channel_id: str) -> ResponseReturnValue:
    """Stop posting to this channel."""
    if not _store().remove_channel(customer_id, channel_id, _by()):
        raise Problem(404, "Not Found", "This customer has no such channel.")
    return Response(status=204)


@channels.post("/channels/<channel_id>/test")
def test_channel(customer_id: str, channel_id: str) -> ResponseReturnValue:
    """Post a test message now and say what the channel answered."""
    channel = _found(customer_id, channel_id)
    post: Callable[[Channel], None] | None = current_app.config.get("POST_TRIAL")
    if post is None:
        raise Problem(503, "Service Unavailable", "Test messages cannot be sent here.")
    label = LABELS[channel.kind]
    try:
        post(channel)
    except PostRejected as error:
        raise Problem(
            502, "Bad Gateway", f"{label} refused the message: {error}. Check the URL."
        ) from error
    except PostDeferred as error:
        raise Problem(503, "Service Unavailable", f"{error}: try again shortly.") from error
    except PostInDoubt as error:
        raise Problem(
            504, "Gateway Timeout", f"{error}. Look in the channel before trying again."
        ) from error
    return jsonify({"result": "posted", "message": f"Test message posted to {channel.name}."})
