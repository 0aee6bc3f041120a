"""Alert channels: a Google Chat space, a Slack channel or a signed webhook endpoint, each a
recipient of its own with the same per-type choices as an email recipient.

A channel's URL is a secret (a Chat webhook's key and token, a Slack hook's path): outside the
channel store it is only ever shown masked, and never written to a log.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from licence_manager.domain.notifications import (
    PREFERENCE_OF,
    PREFERENCES,
    PROBLEMS,
    DeliveryStatus,
    Notification,
    NotificationType,
)


class ChannelKind(StrEnum):
    GOOGLE_CHAT = "google_chat"
    SLACK = "slack"
    WEBHOOK = "webhook"


# Where each kind's incoming webhooks live (https only); a local run also allows its stand-ins.
_HOSTS = {
    ChannelKind.GOOGLE_CHAT: ("chat.googleapis.com", "/v1/spaces/"),
    ChannelKind.SLACK: ("hooks.slack.com", "/services/"),
}
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
MAX_URL_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Channel:
    customer_id: str
    channel_id: str
    kind: ChannelKind
    name: str
    url: str  # secret: never logged, shown only as masked_url(url)
    wants: frozenset[NotificationType] = PREFERENCES
    # The generic webhook's HMAC key (docs/webhooks.md); empty for Chat and Slack.
    signing_secret: str = field(default="", repr=False)

    @property
    def doc_id(self) -> str:
        return f"{self.customer_id}_{self.channel_id}"

    def __repr__(self) -> str:  # a dataclass repr would print the URL into tracebacks
        return f"Channel({self.customer_id!r}, {self.channel_id!r}, {self.kind.value})"


def masked_url(url: str) -> str:
    """What a person sees of a stored URL: its host and the last four characters."""
    parts = urlsplit(url)
    tail = url[-4:] if len(url) > 12 else ""
    return f"{parts.scheme}://{parts.netloc}/…{tail}"


def url_problem(kind: ChannelKind, url: str, allow_local: bool = False) -> str | None:
    """Why this URL cannot be a channel of this kind; None when it can."""
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        return f"Enter the webhook URL (at most {MAX_URL_LENGTH} characters, no spaces)."
    parts = urlsplit(url)
    if allow_local and parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS:
        return None
    if parts.scheme != "https" or not parts.hostname:
        return "The URL must start with https://."
    expected = _HOSTS.get(kind)
    if expected is not None:
        host, path = expected
        if parts.hostname != host or not parts.path.startswith(path):
            return f"A {LABELS[kind]} webhook URL starts with https://{host}{path}"
    return None


LABELS = {
    ChannelKind.GOOGLE_CHAT: "Google Chat",
    ChannelKind.SLACK: "Slack",
    ChannelKind.WEBHOOK: "webhook",
}


def channels_for(channels: list[Channel], kind: NotificationType) -> list[Channel]:
    """The channels that asked for this type (a type without a choice of its own follows the
    one it belongs to, as for email)."""
    wanted = PREFERENCE_OF.get(kind, kind)
    return sorted((c for c in channels if wanted in c.wants), key=lambda c: c.channel_id)


# --- one notification's delivery to one channel -----------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelDelivery:
    """Kept on the notification, one per channel it went (or goes) to. States as for email:
    CLAIMED (an attempt holds it, nothing posted) → SENDING (being posted) → SENT | FAILED |
    UNCONFIRMED (the post may or may not have arrived: flagged, never re-sent blindly)."""

    channel_id: str
    status: DeliveryStatus
    token: str = ""  # the holding attempt's; later writes of another attempt are refused
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    error: str | None = None
    batch_size: int = 1  # how many notifications shared the one message


class DeliveryClaim(StrEnum):
    CLAIMED = "claimed"
    DONE = "done"
    BUSY = "busy"
    IN_DOUBT = "in_doubt"


_TERMINAL = frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED})


def delivery_of(notification: Notification, channel_id: str) -> ChannelDelivery | None:
    return next((d for d in notification.channel_deliveries if d.channel_id == channel_id), None)


def with_delivery(notification: Notification, delivery: ChannelDelivery) -> Notification:
    others = tuple(
        d for d in notification.channel_deliveries if d.channel_id != delivery.channel_id
    )
    ordered = tuple(sorted((*others, delivery), key=lambda d: d.channel_id))
    return replace(notification, channel_deliveries=ordered)


def claim_delivery(
    notification: Notification, channel_id: str, token: str, now: datetime, lease: timedelta
) -> tuple[DeliveryClaim, Notification]:
    """Take the notification's delivery to a channel for one attempt (see ChannelDelivery)."""
    found = delivery_of(notification, channel_id)
    if found is not None and found.status in _TERMINAL:
        return DeliveryClaim.DONE, notification
    live = found is not None and found.claimed_at is not None and now - found.claimed_at < lease
    if found is not None and found.status is DeliveryStatus.SENDING and not live:
        flagged = replace(
            found,
            status=DeliveryStatus.UNCONFIRMED,
            sent_at=now,
            error="the sender stopped while posting this message; it may not have arrived",
        )
        return DeliveryClaim.IN_DOUBT, with_delivery(notification, flagged)
    if found is not None and found.status is not DeliveryStatus.PENDING and live:
        return DeliveryClaim.BUSY, notification
    claimed = ChannelDelivery(channel_id, DeliveryStatus.CLAIMED, token, now)
    return DeliveryClaim.CLAIMED, with_delivery(notification, claimed)


def advance_delivery(notification: Notification, delivery: ChannelDelivery) -> Notification | None:
    """The attempt's next state if it still holds the delivery (same token, not finished);
    None, changing nothing, if another attempt took it over."""
    found = delivery_of(notification, delivery.channel_id)
    held = (DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)
    if found is None or found.token != delivery.token or found.status not in held:
        return None
    return with_delivery(notification, delivery)


_UNSETTLED = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)


def channels_unsettled(notification: Notification) -> bool:
    """A channel message not yet posted, refused or flagged: handed back after a 429, or held
    by an attempt that stopped. The sweeper drives these again (claim_delivery posts each once
    and flags, never re-sends, one stopped while posting); UNCONFIRMED is settled: flagged."""
    return any(d.status in _UNSETTLED for d in notification.channel_deliveries)


def channel_problem(notification: Notification) -> bool:
    """A channel message refused (FAILED) or perhaps not posted (UNCONFIRMED): with its email
    delivered, the notification is still a problem for "Show problems only"."""
    return any(d.status in PROBLEMS for d in notification.channel_deliveries)
