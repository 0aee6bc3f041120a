"""Google's Reseller API notifications (`resellernotify`), decoded.

Google publishes one JSON object per event to the reseller's topic, with ids only (no seat
counts), for example::

    {"sku_id": "Google-Apps-Unlimited", "event_type": "SUBSCRIPTION_CANCELLED",
     "customer_domain_name": "domain.com", "subscription_id": "1234567",
     "customer_id": "C0abcdef", "message_id": "8675309",
     "publish_time": {"seconds": 1457731846, "nanos": 349000000},
     "reseller_customer_id": "C0reseller"}

(https://developers.google.com/workspace/admin/reseller/v1/how-tos/push). Messages may be
duplicated, reordered or lost, and the subscription id may be stale (it changes on every
update), so an event only says *which customer* to look at again; what it holds is read afresh.
The decoded event is what every consumer uses (the event sync, the anomaly guard).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

LICENSE_ASSIGNMENT_CHANGED = "LICENSE_ASSIGNMENT_CHANGED"
# Every event type Google documents; each concerns the subscriptions of the customer it names.
KNOWN_EVENT_TYPES = frozenset(
    {
        "NEW_SUBSCRIPTION_CREATED",
        "SUBSCRIPTION_TRIAL_ENDED",
        "PRICE_PLAN_SWITCHED",
        "COMMITMENT_CHANGED",
        "SUBSCRIPTION_RENEWED",
        "SUBSCRIPTION_SUSPENDED",
        "SUBSCRIPTION_SUSPENSION_REVOKED",
        "SUBSCRIPTION_CANCELLED",
        "SUBSCRIPTION_CONVERTED",
        "SUBSCRIPTION_UPGRADE",
        "SUBSCRIPTION_DOWNGRADE",
        LICENSE_ASSIGNMENT_CHANGED,
    }
)


class UnreadableEvent(ValueError):
    """A notification that can never be acted on: acknowledged with a log entry, not retried."""


@dataclass(frozen=True, slots=True)
class ResellerEvent:
    """One notification. `event_time` is Google's publish time (the Pub/Sub message's when the
    payload has none); `known` is False for an event type Google has not documented."""

    customer_id: str
    event_type: str
    event_time: datetime
    sku_id: str = ""
    subscription_id: str = ""
    customer_domain: str = ""
    message_id: str = ""
    reasons: tuple[str, ...] = field(default=())

    @property
    def known(self) -> bool:
        return self.event_type in KNOWN_EVENT_TYPES

    @property
    def is_assignment_change(self) -> bool:
        return self.event_type == LICENSE_ASSIGNMENT_CHANGED


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise UnreadableEvent(f'"{name}" must be a string')
    return str(value)


def _publish_time(value: Any) -> datetime | None:
    """Google's `publish_time` is a protobuf Timestamp as JSON: {"seconds", "nanos"}; an RFC 3339
    string is accepted too (the same Timestamp in its canonical JSON form)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise UnreadableEvent(f'"publish_time" is not a time: {value!r}') from error
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if not isinstance(value, Mapping):
        raise UnreadableEvent('"publish_time" must be {"seconds", "nanos"}')
    seconds, nanos = value.get("seconds", 0), value.get("nanos", 0)
    try:
        # Protobuf JSON may carry int64 seconds as a string.
        return datetime.fromtimestamp(int(seconds) + int(nanos) / 1e9, UTC)
    except (TypeError, ValueError, OverflowError, OSError) as error:
        raise UnreadableEvent(f'"publish_time" is not a time: {value!r}') from error


def decode_reseller_event(body: Any, delivered_at: datetime) -> ResellerEvent:
    """The event in a notification's JSON body. `delivered_at`: the Pub/Sub message's publish
    time, used when the payload carries none. Raises UnreadableEvent when the body is not an
    object or names no customer: there is nothing to look at again."""
    if not isinstance(body, Mapping):
        raise UnreadableEvent("a notification must be a JSON object")
    customer_id = _text(body, "customer_id").strip()
    if not customer_id:
        raise UnreadableEvent('a notification must name a customer ("customer_id")')
    event_type = _text(body, "event_type").strip().upper()
    if not event_type:
        raise UnreadableEvent('a notification must have an "event_type"')
    reasons: list[str] = []
    for name in ("subscription_suspension_reasons", "subscription_cancellation_reason"):
        value = body.get(name)
        if isinstance(value, str) and value:
            reasons.append(value)
        elif isinstance(value, list):
            reasons += [v for v in value if isinstance(v, str) and v]
    return ResellerEvent(
        customer_id=customer_id,
        event_type=event_type,
        event_time=_publish_time(body.get("publish_time")) or delivered_at,
        sku_id=_text(body, "sku_id"),
        subscription_id=_text(body, "subscription_id"),
        customer_domain=_text(body, "customer_domain_name"),
        message_id=_text(body, "message_id"),
        reasons=tuple(reasons),
    )


def encode_reseller_event(event: ResellerEvent, reseller_customer_id: str = "") -> dict[str, Any]:
    """The payload Google would publish for `event` (the simulator sends it, tests build it)."""
    at = event.event_time.astimezone(UTC)
    whole = int(at.timestamp())
    body: dict[str, Any] = {
        "sku_id": event.sku_id,
        "event_type": event.event_type,
        "customer_domain_name": event.customer_domain,
        "subscription_id": event.subscription_id,
        "customer_id": event.customer_id,
        "message_id": event.message_id,
        "publish_time": {"seconds": whole, "nanos": at.microsecond * 1000},
        "reseller_customer_id": reseller_customer_id,
    }
    if event.event_type == "SUBSCRIPTION_SUSPENDED" and event.reasons:
        body["subscription_suspension_reasons"] = list(event.reasons)
    elif event.event_type == "SUBSCRIPTION_CANCELLED" and event.reasons:
        body["subscription_cancellation_reason"] = event.reasons[0]
    return body
