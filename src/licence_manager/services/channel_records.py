"""The read-decide-writes of one notification's delivery to one channel, each a unit of work.
As for email (services.notification_records), the attempt's token fences every later write: an
attempt that stalled past its lease and was taken over writes nothing more."""

from __future__ import annotations

from datetime import datetime, timedelta

from licence_manager.domain.channels import (
    ChannelDelivery,
    DeliveryClaim,
    advance_delivery,
    claim_delivery,
    delivery_of,
    with_delivery,
)
from licence_manager.domain.notifications import DeliveryStatus, Notification
from licence_manager.ports.unit_of_work import Transaction
from licence_manager.services.channel_batches import BatchItem

_HELD = (DeliveryStatus.CLAIMED, DeliveryStatus.SENDING)


def claim(
    tx: Transaction,
    notification_id: str,
    channel_id: str,
    token: str,
    now: datetime,
    lease: timedelta,
) -> DeliveryClaim:
    notification = tx.notifications.get(notification_id)
    if notification is None:
        return DeliveryClaim.DONE
    outcome, taken = claim_delivery(notification, channel_id, token, now, lease)
    if outcome in (DeliveryClaim.CLAIMED, DeliveryClaim.IN_DOUBT):
        tx.notifications.put(notification_id, taken)
    return outcome


def start(
    tx: Transaction, channel_id: str, items: list[BatchItem], now: datetime
) -> list[tuple[BatchItem, Notification]]:
    """Mark the batch SENDING (each member still held by its attempt); the members held."""
    read = [(item, tx.notifications.get(item.notification_id)) for item in items]
    held: list[tuple[BatchItem, Notification]] = []
    for item, notification in read:
        if notification is None:
            continue
        sending = ChannelDelivery(channel_id, DeliveryStatus.SENDING, item.token, now)
        advanced = advance_delivery(notification, sending)
        if advanced is not None:
            held.append((item, advanced))
    for _, notification in held:
        tx.notifications.put(notification.notification_id, notification)
    return held


def finish(
    tx: Transaction,
    channel_id: str,
    items: list[BatchItem],
    status: DeliveryStatus,
    error: str | None,
    at: datetime | None,
    batch_size: int,
) -> None:
    """Settle the deliveries this attempt still holds (SENT, FAILED, UNCONFIRMED), or hand them
    back PENDING when nothing was posted; a delivery taken over meanwhile is left alone."""
    read = [(item, tx.notifications.get(item.notification_id)) for item in items]
    for item, notification in read:
        if notification is None:
            continue
        held = delivery_of(notification, channel_id)
        if held is None or held.token != item.token or held.status not in _HELD:
            continue
        handed_back = status is DeliveryStatus.PENDING
        done = ChannelDelivery(
            channel_id,
            status,
            "" if handed_back else item.token,
            None if handed_back else held.claimed_at,
            at,
            error,
            batch_size,
        )
        tx.notifications.put(notification.notification_id, with_delivery(notification, done))
