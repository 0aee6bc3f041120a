"""The read-decide-writes of one email, each one unit of work. As for seat-change requests, an
attempt's claim number (`attempts`) is its token: every later write of the attempt is fenced by
it, so a sender that stalled past its lease and was taken over writes nothing more, and in
particular never marks the email SENDING again and sends it a second time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from licence_manager.domain.email_events import settle_status
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationClaim,
    take_notification,
)
from licence_manager.ports.unit_of_work import Transaction

_HELD = (DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)


def take(
    tx: Transaction, notification_id: str, now: datetime, lease: timedelta
) -> tuple[NotificationClaim, Notification | None]:
    notification = tx.notifications.get(notification_id)
    if notification is None:
        return NotificationClaim.DONE, None
    outcome, taken = take_notification(notification, now, lease)
    if outcome in (NotificationClaim.CLAIMED, NotificationClaim.IN_DOUBT):
        tx.notifications.put(notification_id, taken)
    return outcome, taken


def write_if_held(tx: Transaction, notification: Notification) -> bool:
    """Write the attempt's new state of the email if the attempt still holds it (the stored
    email is CLAIMED or SENDING with the same claim number); False, writing nothing, if not."""
    stored = tx.notifications.get(notification.notification_id)
    if stored is None or stored.status not in _HELD or stored.attempts != notification.attempts:
        return False
    # Channel deliveries are written by their own attempts (services.channel_delivery): keep
    # the stored ones, not this attempt's copy from when it claimed the email.
    # So are SendGrid's events (services.email_events), which may arrive before SENT is written.
    merged = settle_status(
        replace(
            notification,
            channel_deliveries=stored.channel_deliveries,
            recipient_outcomes=stored.recipient_outcomes,
        )
    )
    tx.notifications.put(notification.notification_id, merged)
    return True
