"""What a channel is sent: one message for a batch of one customer's notifications, in each
kind's wire shape (research/google-apis.md §5; the generic webhook's in docs/webhooks.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from licence_manager.domain.channels import ChannelKind
from licence_manager.domain.emails import render
from licence_manager.domain.notifications import Notification

# Google Chat refuses a message over 32,000 bytes; Slack truncates text past 40,000 characters.
MAX_TEXT_BYTES = 30_000
WEBHOOK_EVENT = "licence_manager.notifications"


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    body: bytes  # the JSON posted
    thread_key: str  # Chat's thread for it ("" where threads are not supported)
    notification_ids: tuple[str, ...]


def thread_key(notifications: Notification | list[Notification]) -> str:
    """One Chat thread per customer and SKU: a licence's alerts read as one conversation. A
    batch about several SKUs (one message) goes to the customer's own thread."""
    batch = notifications if isinstance(notifications, list) else [notifications]
    skus = {n.key.sku_id for n in batch}
    customer = batch[0].key.customer_id
    if len(skus) == 1:
        return f"licence-manager-{customer}-{skus.pop()}"
    return f"licence-manager-{customer}"


def build_message(
    kind: ChannelKind, notifications: list[Notification], dashboard_url: str
) -> ChannelMessage:
    """One message for the batch (all of one customer)."""
    if not notifications:
        raise ValueError("a message needs at least one notification")
    ids = tuple(n.notification_id for n in notifications)
    if kind is ChannelKind.WEBHOOK:
        return ChannelMessage(_json(_webhook_body(notifications, dashboard_url)), "", ids)
    text = _text(kind, notifications, dashboard_url)
    if kind is ChannelKind.GOOGLE_CHAT:
        key = thread_key(notifications)
        return ChannelMessage(_json({"text": text, "thread": {"threadKey": key}}), key, ids)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return ChannelMessage(_json({"text": text, "blocks": blocks}), "", ids)


def _text(kind: ChannelKind, notifications: list[Notification], dashboard_url: str) -> str:
    lines: list[str] = []
    for n in notifications:
        rendered = render(n, "")
        lines.append(f"*{_escape(kind, rendered.subject)}*")
        lines.extend(_escape(kind, line) for line in rendered.text.split("\n\n") if line)
    link = f"{dashboard_url.rstrip('/')}/" if dashboard_url else ""
    if link:
        lines.append(f"<{link}|Open Licence Manager>")
    text = "\n".join(lines)
    encoded = text.encode()
    if len(encoded) > MAX_TEXT_BYTES:
        text = encoded[:MAX_TEXT_BYTES].decode(errors="ignore") + "\n…"
    return text


def _escape(kind: ChannelKind, text: str) -> str:
    # Slack's mrkdwn (and Chat's text) read <, > and & as markup: a domain or SKU name must not
    # turn into a link or a mention.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _webhook_body(notifications: list[Notification], dashboard_url: str) -> dict[str, Any]:
    return {
        "type": WEBHOOK_EVENT,
        "customerId": notifications[0].key.customer_id,
        "notifications": [
            {
                "id": n.notification_id,
                "type": n.type.value,
                "skuId": n.key.sku_id,
                "createdAt": n.created_at.isoformat(),
                "subject": render(n, "").subject,
                "text": render(n, dashboard_url).text,
            }
            for n in notifications
        ],
    }


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def trial_message(kind: ChannelKind, customer_id: str, dashboard_url: str) -> bytes:
    """What "Send a test message" posts: the same shape as an alert."""
    text = "Licence Manager test message: this channel will receive the alerts chosen for it."
    if kind is ChannelKind.WEBHOOK:
        return _json({"type": "licence_manager.test", "customerId": customer_id, "text": text})
    if kind is ChannelKind.GOOGLE_CHAT:
        return _json({"text": text})
    return _json({"text": text, "blocks": [_section(text)]})


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
