"""What SendGrid's Event Webhook says became of each email, per recipient.

Events come in batches, possibly duplicated and out of order. An address's outcome only ever
gets worse: `delivered` is recorded unless a problem (bounce, dropped, spam report) is already
known, and a problem replaces `delivered`, never the reverse, so a late `delivered` cannot hide
a bounce. Applying the same events again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from licence_manager.domain.notifications import DeliveryStatus, Notification

DELIVERED = "delivered"
PROBLEM_EVENTS = frozenset({"bounce", "dropped", "spamreport", "blocked"})
TRACKED = PROBLEM_EVENTS | {DELIVERED}
# Only a settled email takes its status from events (SENDING is still ours to record).
_FOLLOWS_EVENTS = frozenset({DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.BOUNCED})


@dataclass(frozen=True, slots=True)
class EmailEvent:
    notification_id: str
    email: str
    event: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RecipientOutcome:
    email: str
    event: str  # delivered, bounce, dropped, spamreport, blocked
    at: datetime
    reason: str = ""

    @property
    def is_problem(self) -> bool:
        return self.event in PROBLEM_EVENTS


def parse_events(body: Any) -> list[EmailEvent]:
    """The events we can place: a tracked type, an address and our notification id (the
    `notificationId` custom argument the mailer sends). Others (opens, clicks, emails not ours)
    are skipped."""
    if not isinstance(body, list):
        raise ValueError("the Event Webhook posts a JSON array of events")
    found = []
    for item in body:
        if not isinstance(item, dict):
            continue
        event, email, reference = item.get("event"), item.get("email"), item.get("notificationId")
        if event not in TRACKED or not isinstance(email, str) or not isinstance(reference, str):
            continue
        stamp = item.get("timestamp")
        at = datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int | float) else None
        if at is None:
            continue
        reason = str(item.get("reason") or item.get("type") or "")[:200]
        found.append(EmailEvent(reference, email.strip().lower(), event, at, reason))
    return found


def _worse(new: RecipientOutcome, old: RecipientOutcome | None) -> bool:
    if old is None:
        return True
    if new.is_problem != old.is_problem:
        return new.is_problem
    return False  # same kind already known: the first one stands (duplicates change nothing)


def apply_events(notification: Notification, events: list[EmailEvent]) -> Notification:
    outcomes = {o.email: o for o in notification.recipient_outcomes}
    for event in sorted(events, key=lambda e: e.at):
        if event.event not in TRACKED:
            continue
        new = RecipientOutcome(event.email, event.event, event.at, event.reason)
        if _worse(new, outcomes.get(event.email)):
            outcomes[event.email] = new
    ordered = tuple(sorted(outcomes.values(), key=lambda o: o.email))
    return settle_status(replace(notification, recipient_outcomes=ordered))


def settle_status(notification: Notification) -> Notification:
    """BOUNCED if any recipient's email bounced, was dropped or reported as spam; DELIVERED
    once every recipient's was delivered; otherwise as it was (SENT)."""
    if notification.status not in _FOLLOWS_EVENTS or not notification.recipient_outcomes:
        return notification
    outcomes = {o.email: o for o in notification.recipient_outcomes}
    if any(o.is_problem for o in outcomes.values()):
        status = DeliveryStatus.BOUNCED
    elif notification.recipients and all(r.lower() in outcomes for r in notification.recipients):
        status = DeliveryStatus.DELIVERED
    else:
        status = DeliveryStatus.SENT
    return replace(notification, status=status)
